from django.core.management.base import BaseCommand

from pages.demo.content import load_content
from pages.demo.offices import load_offices


class Command(BaseCommand):
    help = "Load the demo offices and content. Safe to run again: it never makes duplicates."

    def handle(self, *args, **options):
        offices = load_offices()
        counts = load_content()
        summary = ", ".join(f"{number} {name}" for name, number in counts.items())
        self.stdout.write(
            self.style.SUCCESS(f"Demo content loaded: {len(offices)} offices, {summary}.")
        )
