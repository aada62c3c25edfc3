from django.db import migrations


def keep_what_front_desk_saw(apps, schema_editor):
    """Front-desk accounts made before offices existed keep seeing every office until a
    superuser narrows them; accounts made from now on see no office until given one."""
    User = apps.get_model("auth", "User")
    StaffProfile = apps.get_model("staff", "StaffProfile")
    for user in User.objects.filter(groups__name="Front desk", staff_profile__isnull=True):
        StaffProfile.objects.create(user=user, all_offices=True)


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0001_staff_accounts_access_record"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(keep_what_front_desk_saw, migrations.RunPython.noop)]
