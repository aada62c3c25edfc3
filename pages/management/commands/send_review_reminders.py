from django.core.management.base import BaseCommand

from pages.reminders import send_review_reminders


class Command(BaseCommand):
    help = (
        "Email each clinical reviewer the treatment pages whose next medical review falls "
        "within 30 days or has passed. Safe to run from cron at any time, also twice at once: "
        "each reminder goes out once per page and review date."
    )

    def handle(self, *args, **options):
        sent = send_review_reminders()
        self.stdout.write(f"Review reminders sent: {sent} email(s).")
