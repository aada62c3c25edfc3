from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PagesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "pages"

    def ready(self):
        from .drafts import register_history
        from .roles import sync_groups

        register_history()

        # After auth's own receiver, which makes this app's permissions first.
        post_migrate.connect(sync_groups, sender=self, dispatch_uid="pages.sync_groups")
