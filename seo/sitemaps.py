from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from pages.models import Condition, Office, Physician, SitePage, Treatment


class TreatmentSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.9

    def items(self):
        return Treatment.objects.published().order_by("slug")

    def lastmod(self, treatment):
        return treatment.updated_at


class ConditionSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.7

    def items(self):
        return Condition.objects.order_by("slug")

    def lastmod(self, condition):
        return getattr(condition, "updated_at", None)


class OfficeSitemap(Sitemap):
    changefreq = "yearly"
    priority = 0.6

    def items(self):
        return Office.objects.order_by("slug")

    def lastmod(self, office):
        return getattr(office, "updated_at", None)


class PhysicianSitemap(Sitemap):
    changefreq = "yearly"
    priority = 0.5

    def items(self):
        return Physician.objects.order_by("slug")

    def lastmod(self, physician):
        return getattr(physician, "updated_at", None)


class SitePageSitemap(Sitemap):
    changefreq = "yearly"
    priority = 0.3

    def items(self):
        return SitePage.objects.order_by("slug")

    def lastmod(self, page):
        return page.updated_at


class ListingSitemap(Sitemap):
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
