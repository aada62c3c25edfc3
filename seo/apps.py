from django.apps import AppConfig


class SeoConfig(AppConfig):
    name = "seo"
    verbose_name = "Search engines and redirects"

    def ready(self):
        from . import signals  # noqa: F401  (stores a redirect when a slug changes)
