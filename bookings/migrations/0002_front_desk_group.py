from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Front desk"
# View and work requests and add notes; never delete requests, never touch pages content.
PERMISSIONS = [
    "view_consultationrequest",
    "change_consultationrequest",
    "view_staffnote",
    "add_staffnote",
    "view_statuschange",
    "view_notification",
    "view_purgerun",
]


def make_front_desk_group(apps, schema_editor):
    # Permissions are normally made after all migrations; make this app's now.
    bookings_config = apps.get_app_config("bookings")
    bookings_config.models_module = True
    create_permissions(bookings_config, apps=apps, verbosity=0)
    bookings_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="bookings", codename__in=PERMISSIONS)
    )


def remove_front_desk_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(make_front_desk_group, remove_front_desk_group),
    ]
