from django.conf import settings

from .models import Office


def site_chrome(request):
    """The site's name, the offices for the header phones and footer addresses, and the view
    shown (for the navigation's aria-current; none on error pages).

    A lazy queryset: pages that show no offices (admin) never run its query.
    """
    return {
        "site_name": settings.SITE_NAME,
        "chrome_offices": Office.objects.all(),
        "current_view_name": getattr(request.resolver_match, "view_name", ""),
    }
