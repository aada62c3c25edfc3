from django import template
from django.db.models import Count
from django.urls import reverse

from staff.offices import scoped_to_offices, visible_offices

from ..models import ConsultationRequest

register = template.Library()


@register.simple_tag(takes_context=True)
def consultation_summary(context):
    """New requests per office and the oldest waiting one, for staff allowed to see requests."""
    request = context.get("request")
    if request is None or not request.user.has_perm("bookings.view_consultationrequest"):
        return None
    # Only the offices this person works for (staff/offices.py). Counted from the waiting
    # requests (an index on status), not by joining every request to its office.
    requests = scoped_to_offices(ConsultationRequest.objects.all(), request.user)
    new_counts = dict(requests.waiting().order_by().values_list("office").annotate(n=Count("pk")))
    stale_counts = dict(requests.stale().order_by().values_list("office").annotate(n=Count("pk")))
    changelist = reverse("admin:bookings_consultationrequest_changelist")
    rows = [
        {
            "office": office,
            "new_count": new_counts.get(office.pk, 0),
            "stale_count": stale_counts.get(office.pk, 0),
            "url": f"{changelist}?status=new&office__id__exact={office.pk}",
        }
        for office in visible_offices(request.user)
    ]
    oldest = requests.waiting().with_staleness().select_related("office").order_by("created_at")
    return {
        "rows": rows,
        "oldest": oldest.first(),
        "changelist_url": f"{changelist}?status=new",
        "over_rate_limit_count": requests.waiting().filter(over_rate_limit=True).count(),
        "over_rate_limit_url": f"{changelist}?status=new&over_rate_limit__exact=1",
    }
