from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    """Editors add redirects for the previous site's URLs, so they need these permissions."""
    # Permissions are normally made after all migrations; make this app's now.
    seo_config = apps.get_app_config("seo")
    seo_config.models_module = True
    create_permissions(seo_config, apps=apps, verbosity=0)
    seo_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Content editor")
    editors.permissions.add(*Permission.objects.filter(content_type__app_label="seo"))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for editors in Group.objects.filter(name="Content editor"):
        editors.permissions.remove(*Permission.objects.filter(content_type__app_label="seo"))


class Migration(migrations.Migration):
    dependencies = [
        ("seo", "0001_redirects"),
        ("pages", "0004_content_editor_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
