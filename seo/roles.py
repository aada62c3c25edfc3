"""Content editors also manage redirects (the previous site's addresses)."""

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS

from pages.roles import CONTENT_EDITOR


def grant_editors(sender, *, apps=global_apps, using=DEFAULT_DB_ALIAS, **kwargs):
    """post_migrate receiver: the Content editor group gets this app's permissions."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.using(using).get_or_create(name=CONTENT_EDITOR)
    editors.permissions.add(
        *Permission.objects.using(using).filter(content_type__app_label=sender.label)
    )
