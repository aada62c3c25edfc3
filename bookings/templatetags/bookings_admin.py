from django import template
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from staff.offices import scoped_to_offices, visible_offices

from ..models import ConsultationRequest, one_business_day_before

register = template.Library()


@register.simple_tag(takes_context=True)
def consultation_summary(context):
    """New requests per office and the oldest waiting one, for staff allowed to see requests."""
    request = context.get("request")
    if request is None or not request.user.has_perm("bookings.view_consultationrequest"):
        return None
    stale_before = one_business_day_before(timezone.now())
    # Only the offices this person works for (staff/offices.py). Counted from the waiting
    # requests (an index on status), not by joining every request to its office.
    waiting_here = scoped_to_offices(ConsultationRequest.objects.waiting(), request.user)
    counts = {
        row["office"]: row
        for row in waiting_here.order_by()
        .values("office")
        .annotate(new=Count("pk"), stale=Count("pk", filter=Q(created_at__lt=stale_before)))
    }
    changelist = reverse("admin:bookings_consultationrequest_changelist")
    rows = [
        {
            "office": office,
            "new_count": counts.get(office.pk, {}).get("new", 0),
            "stale_count": counts.get(office.pk, {}).get("stale", 0),
            "url": f"{changelist}?status=new&office__id__exact={office.pk}",
        }
        for office in visible_offices(request.user)
    ]
    oldest = waiting_here.select_related("office").order_by("created_at")
    return {
        "rows": rows,
        "oldest": oldest.first(),
        "changelist_url": f"{changelist}?status=new",
    }
