"""The Front desk group, kept in step with this app's models after every migrate."""

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS

FRONT_DESK = "Front desk"
# View and work requests and add notes; never delete requests, never touch pages content.
FRONT_DESK_PERMISSIONS = [
    "view_consultationrequest",
    "change_consultationrequest",
    "view_staffnote",
    "add_staffnote",
    "view_statuschange",
    "view_notification",
    "view_purgerun",
]


def sync_groups(sender, *, apps=global_apps, using=DEFAULT_DB_ALIAS, **kwargs):
    """post_migrate receiver: the group exists and has exactly these permissions of this app."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    front_desk, _ = Group.objects.using(using).get_or_create(name=FRONT_DESK)
    own = Permission.objects.using(using).filter(content_type__app_label=sender.label)
    front_desk.permissions.remove(*own.exclude(codename__in=FRONT_DESK_PERMISSIONS))
    front_desk.permissions.add(*own.filter(codename__in=FRONT_DESK_PERMISSIONS))
