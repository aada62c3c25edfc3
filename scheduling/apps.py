from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SchedulingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scheduling"
    verbose_name = "Online booking"

    def ready(self):
        from .roles import sync_groups

        # After auth's own receiver, which makes this app's permissions first.
        post_migrate.connect(sync_groups, sender=self, dispatch_uid="scheduling.sync_groups")
