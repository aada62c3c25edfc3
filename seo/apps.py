from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SeoConfig(AppConfig):
    name = "seo"
    verbose_name = "Search engines and redirects"

    def ready(self):
        from . import signals  # noqa: F401  (stores a redirect when a slug changes)
        from .roles import grant_editors

        post_migrate.connect(grant_editors, sender=self, dispatch_uid="seo.grant_editors")
