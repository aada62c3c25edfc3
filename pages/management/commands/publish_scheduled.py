from django.core.management.base import BaseCommand

from pages.drafts import publish_due


class Command(BaseCommand):
    help = (
        "Publish the approved drafts whose go-live time has come. Safe to run from cron at any "
        "time, also twice at once: each draft is published by one run only."
    )

    def handle(self, *args, **options):
        published = publish_due()
        for page in published:
            self.stdout.write(f"Published: {page} ({type(page)._meta.verbose_name})")
        self.stdout.write(f"Scheduled drafts published: {len(published)}.")
