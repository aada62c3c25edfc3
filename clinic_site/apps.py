from django.apps import AppConfig
from django.core import checks


class ClinicSiteConfig(AppConfig):
    name = "clinic_site"
    verbose_name = "Clinic site"

    def ready(self):
        from . import checks as clinic_checks
        from .page_cache import connect_invalidation

        connect_invalidation()
        checks.register(clinic_checks.check_site_url, clinic_checks.TAG)
        checks.register(clinic_checks.check_email_delivery, clinic_checks.TAG)
