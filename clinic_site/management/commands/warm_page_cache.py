from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from clinic_site.page_cache import warm_pages


class Command(BaseCommand):
    help = "Render every page of the sitemap, in every language, into the page cache."

    def handle(self, *args, **options):
        if not settings.PAGE_CACHE_ENABLED:
            raise CommandError("The page cache is off (PAGE_CACHE=0): nothing to warm.")
        warmed, failed = warm_pages() or (0, 0)
        message = f"Page cache: {warmed} pages warmed, {failed} did not answer 200."
        if failed:
            raise CommandError(message)
        self.stdout.write(self.style.SUCCESS(message))
