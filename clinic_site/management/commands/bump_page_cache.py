from django.core.management.base import BaseCommand

from clinic_site.page_cache import bump_content_version


class Command(BaseCommand):
    help = "Make every server render pages afresh (e.g. after editing content outside admin)."

    def handle(self, *args, **options):
        bump_content_version()
        self.stdout.write(self.style.SUCCESS("Page cache: new content version stored."))
