"""The Privacy officer group, kept in step with this app's models after every migrate."""

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS

PRIVACY_OFFICER = "Privacy officer"
# Read (and export) the access record and see locked accounts; nothing else, no patient data.
PRIVACY_OFFICER_PERMISSIONS = ["view_accessrecord", "view_accountlock"]


def sync_groups(sender, *, apps=global_apps, using=DEFAULT_DB_ALIAS, **kwargs):
    """post_migrate receiver: the group exists and has exactly these permissions of this app."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    officers, _ = Group.objects.using(using).get_or_create(name=PRIVACY_OFFICER)
    own = Permission.objects.using(using).filter(content_type__app_label=sender.label)
    officers.permissions.remove(*own.exclude(codename__in=PRIVACY_OFFICER_PERMISSIONS))
    officers.permissions.add(*own.filter(codename__in=PRIVACY_OFFICER_PERMISSIONS))
