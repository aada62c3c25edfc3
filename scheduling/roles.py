"""This app's share of the Front desk group, kept in step after every migrate."""

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS

from bookings.roles import FRONT_DESK

# Front desk sets the offices' hours and works appointments; nobody deletes an appointment
# (cancelled ones stay as a record) and the email log is read-only.
FRONT_DESK_PERMISSIONS = [
    "view_appointment",
    "add_appointment",
    "change_appointment",
    "view_appointmentemail",
    "view_appointmentevent",
    *(
        f"{action}_{model}"
        for model in ("officeschedule", "consultationtype", "weeklyhours", "closure", "extrahours")
        for action in ("view", "add", "change", "delete")
    ),
]


def sync_groups(sender, *, apps=global_apps, using=DEFAULT_DB_ALIAS, **kwargs):
    """post_migrate receiver: Front desk has exactly these permissions of this app."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    front_desk, _ = Group.objects.using(using).get_or_create(name=FRONT_DESK)
    own = Permission.objects.using(using).filter(content_type__app_label=sender.label)
    front_desk.permissions.remove(*own.exclude(codename__in=FRONT_DESK_PERMISSIONS))
    front_desk.permissions.add(*own.filter(codename__in=FRONT_DESK_PERMISSIONS))
