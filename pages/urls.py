from django.urls import path

from . import views

app_name = "pages"

urlpatterns = [
    path("", views.home, name="home"),
    path("locations/", views.office_list, name="office_list"),
    path("locations/<slug:slug>/", views.office_detail, name="office"),
]
