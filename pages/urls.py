from django.urls import path, re_path

from . import views
from .models import SitePage

app_name = "pages"

urlpatterns = [
    path("", views.home, name="home"),
    path("treatments/", views.TreatmentListView.as_view(), name="treatment_list"),
    path("treatments/<slug:slug>/", views.TreatmentDetailView.as_view(), name="treatment"),
    path(
        "treatments/<slug:slug>/draft/",
        views.TreatmentDraftView.as_view(),
        name="treatment_draft",
    ),
    path("conditions/", views.condition_list, name="condition_list"),
    path("conditions/<slug:slug>/", views.condition_detail, name="condition"),
    path("conditions/<slug:slug>/draft/", views.condition_draft, name="condition_draft"),
    path("physicians/<slug:slug>/", views.physician_detail, name="physician"),
    path("physicians/<slug:slug>/draft/", views.physician_draft, name="physician_draft"),
    path("locations/", views.office_list, name="office_list"),
    path("locations/<slug:slug>/", views.office_detail, name="office"),
    path("info/<slug:slug>/", views.site_page, name="site_page"),
    path("info/<slug:slug>/draft/", views.site_page_draft, name="site_page_draft"),
    re_path(
        r"^(?P<slug>{})/$".format("|".join(SitePage.SHORT_SLUGS)),
        views.site_page,
        name="site_page_short",
    ),
]
