from django.core.management.base import BaseCommand

from scheduling.demo import load_schedule


class Command(BaseCommand):
    help = (
        "Let patients book the demo offices online (run after load_demo_content). Safe to repeat."
    )

    def handle(self, *args, **options):
        counts = load_schedule()
        summary = ", ".join(f"{number} {name}" for name, number in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo schedule loaded: {summary}."))
