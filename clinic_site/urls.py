from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from seo.sitemaps import SITEMAPS

from . import views

handler500 = "clinic_site.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("search/", include("search.urls")),
    path("consultation/", include("bookings.urls")),
    path("", include("pages.urls")),
]
