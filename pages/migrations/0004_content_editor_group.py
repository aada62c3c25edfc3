from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Content editor"


def make_content_editor_group(apps, schema_editor):
    """Editors may manage every content model of the pages app, and nothing of other apps."""
    # Permissions are normally made after all migrations; make this app's now.
    pages_config = apps.get_app_config("pages")
    pages_config.models_module = True
    create_permissions(pages_config, apps=apps, verbosity=0)
    pages_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.set(Permission.objects.filter(content_type__app_label="pages"))


def remove_content_editor_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0003_treatment_page_fields"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(make_content_editor_group, remove_content_editor_group),
    ]
