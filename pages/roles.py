"""The staff group the pages app defines, kept in step with its models after every migrate.

After every `migrate` (and every test database flush), so a model added later is covered
without a migration of its own, and tests find the group as production has it. Other apps
add their own permissions to it the same way (seo: redirects).
"""

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS

CONTENT_EDITOR = "Content editor"


def sync_groups(sender, *, apps=global_apps, using=DEFAULT_DB_ALIAS, **kwargs):
    """post_migrate receiver: editors manage every content model, and nothing of other apps."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.using(using).get_or_create(name=CONTENT_EDITOR)
    editors.permissions.add(
        *Permission.objects.using(using).filter(content_type__app_label=sender.label)
    )
