from django.contrib import admin
from django.urls import include, path

from . import views

handler500 = "clinic_site.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("search/", include("search.urls")),
    path("", include("pages.urls")),
]
