from django.urls import path

from . import views

app_name = "scheduling"

urlpatterns = [
    path("", views.start, name="start"),
    path("times/", views.times, name="times"),
    path("details/", views.details, name="details"),
    path("booked/", views.booked, name="booked"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("manage/<str:token>/move/", views.move, name="move"),
]
