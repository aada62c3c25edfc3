from django.apps import AppConfig


class ClinicSiteConfig(AppConfig):
    name = "clinic_site"
    verbose_name = "Clinic site"

    def ready(self):
        from .page_cache import connect_invalidation

        connect_invalidation()
