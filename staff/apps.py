from django.apps import AppConfig
from django.contrib.auth.signals import user_login_failed
from django.db.models.signals import post_migrate, post_save


class StaffConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "staff"
    verbose_name = "Staff accounts and access record"

    def ready(self):
        from .access import record_status_change
        from .lockout import count_failed_login
        from .roles import sync_groups

        # After auth's own receiver, which makes this app's permissions first.
        post_migrate.connect(sync_groups, sender=self, dispatch_uid="staff.sync_groups")
        user_login_failed.connect(count_failed_login, dispatch_uid="staff.count_failed_login")
        # A status change by a staff member is recorded in the same transaction as the change.
        post_save.connect(
            record_status_change,
            sender="bookings.StatusChange",
            dispatch_uid="staff.record_status_change",
        )
