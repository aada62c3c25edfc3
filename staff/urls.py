from django.urls import path

from . import views

app_name = "staff"
urlpatterns = [
    path("", views.overview, name="two_step"),
    path("set-up/", views.set_up, name="set_up"),
    path("verify/", views.verify, name="verify"),
]
