from django import template
from django.db.models import Count, Q
from django.urls import reverse

from pages.models import Office

from ..models import ConsultationRequest

register = template.Library()


@register.simple_tag(takes_context=True)
def consultation_summary(context):
    """New requests per office and the oldest waiting one, for staff allowed to see requests."""
    request = context.get("request")
    if request is None or not request.user.has_perm("bookings.view_consultationrequest"):
        return None
    requests = ConsultationRequest.objects
    offices = Office.objects.annotate(
        new_count=Count(
            "consultation_requests", filter=Q(consultation_requests__in=requests.waiting())
        ),
        stale_count=Count(
            "consultation_requests", filter=Q(consultation_requests__in=requests.stale())
        ),
    )
    changelist = reverse("admin:bookings_consultationrequest_changelist")
    rows = [
        {
            "office": office,
            "new_count": office.new_count,
            "stale_count": office.stale_count,
            "url": f"{changelist}?status=new&office__id__exact={office.pk}",
        }
        for office in offices
    ]
    oldest = requests.waiting().with_staleness().select_related("office").order_by("created_at")
    return {
        "rows": rows,
        "oldest": oldest.first(),
        "changelist_url": f"{changelist}?status=new",
        "over_rate_limit_count": requests.waiting().filter(over_rate_limit=True).count(),
        "over_rate_limit_url": f"{changelist}?status=new&over_rate_limit__exact=1",
    }
