"""The staff groups the pages app defines, kept in step with its models after every migrate.

After every `migrate` (and every test database flush), so a model added later is covered
without a migration of its own, and tests find the groups as production has them. Other apps
add their own permissions to them the same way (seo: redirects).

- Content editor: writes pages and submits them for review; may not publish (publish_*).
- Clinical reviewer: everything an editor does, and approves drafts so they go live.
"""

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS

CONTENT_EDITOR = "Content editor"
CLINICAL_REVIEWER = "Clinical reviewer"
# The sign-off permissions (publish_treatment, publish_condition, ...): reviewers only.
PUBLISH_PREFIX = "publish_"


def sync_groups(sender, *, apps=global_apps, using=DEFAULT_DB_ALIAS, **kwargs):
    """post_migrate receiver: editors and reviewers manage every content model, nothing else."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.using(using).filter(content_type__app_label=sender.label)
    publishing = permissions.filter(codename__startswith=PUBLISH_PREFIX)
    editors, _ = Group.objects.using(using).get_or_create(name=CONTENT_EDITOR)
    editors.permissions.add(*permissions.exclude(codename__startswith=PUBLISH_PREFIX))
    editors.permissions.remove(*publishing)  # never, even if someone granted it by hand
    reviewers, _ = Group.objects.using(using).get_or_create(name=CLINICAL_REVIEWER)
    reviewers.permissions.add(*permissions)
