from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path

from seo.sitemaps import SITEMAPS

from . import views

# Staff see the clinic's name, not "Django administration".
admin.site.site_header = settings.SITE_NAME
admin.site.site_title = f"{settings.SITE_NAME} staff area"
admin.site.index_title = "Staff area"

handler400 = "clinic_site.views.bad_request"
handler500 = "clinic_site.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    # Two-step sign-in pages, under admin's address (before admin's own catch-all).
    path(f"{settings.ADMIN_URL}two-step/", include("staff.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]

# Patient pages in every language: English at /treatments/…, Spanish at /es/treatments/….
# Paths and slugs stay the same in both, so the language switcher maps page to page.
urlpatterns += i18n_patterns(
    path("search/", include("search.urls")),
    path("consultation/", include("bookings.urls")),
    path("book/", include("scheduling.urls")),
    path("", include("pages.urls")),
    prefix_default_language=False,
)

# Uploaded images and their renditions. A TLS proxy in front may serve MEDIA_ROOT itself and
# set SERVE_MEDIA=0.
if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(
            r"^{}(?P<path>.*)$".format(settings.MEDIA_URL.lstrip("/")),
            views.media,
            name="media",
        )
    ]
