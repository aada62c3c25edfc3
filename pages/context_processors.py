from django.conf import settings

from .models import Office


def site_chrome(request):
    """Offices for the header phones and footer addresses on every page."""
    return {
        "site_name": settings.SITE_NAME,
        "chrome_offices": Office.objects.all(),
    }
