from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from pages.models import Condition, Office, Physician, SitePage, Treatment


class BilingualSitemap(Sitemap):
    """Each page once per language, with hreflang alternates (English is x-default)."""

    i18n = True
    alternates = True
    x_default = True


class TreatmentSitemap(BilingualSitemap):
    changefreq = "monthly"
    priority = 0.9

    def items(self):
        return Treatment.objects.published().order_by("slug")

    def lastmod(self, treatment):
        return treatment.updated_at


class ConditionSitemap(BilingualSitemap):
    changefreq = "monthly"
    priority = 0.7

    def items(self):
        return Condition.objects.published().order_by("slug")

    def lastmod(self, condition):
        return getattr(condition, "updated_at", None)


class OfficeSitemap(BilingualSitemap):
    changefreq = "yearly"
    priority = 0.6

    def items(self):
        return Office.objects.order_by("slug")

    def lastmod(self, office):
        return getattr(office, "updated_at", None)


class PhysicianSitemap(BilingualSitemap):
    changefreq = "yearly"
    priority = 0.5

    def items(self):
        return Physician.objects.published().order_by("slug")

    def lastmod(self, physician):
        return getattr(physician, "updated_at", None)


class SitePageSitemap(BilingualSitemap):
    changefreq = "yearly"
    priority = 0.3

    def items(self):
        return SitePage.objects.published().order_by("slug")

    def lastmod(self, page):
        return page.updated_at


class ListingSitemap(BilingualSitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return ["pages:home", "pages:treatment_list", "pages:condition_list", "pages:office_list"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "listings": ListingSitemap,
    "treatments": TreatmentSitemap,
    "conditions": ConditionSitemap,
    "locations": OfficeSitemap,
    "physicians": PhysicianSitemap,
    "pages": SitePageSitemap,
}
