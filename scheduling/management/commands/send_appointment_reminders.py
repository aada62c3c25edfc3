from django.core.management.base import BaseCommand

from scheduling.notifications import send_pending, send_reminders


class Command(BaseCommand):
    help = (
        "Send appointment reminders that are due (SCHEDULING_REMINDER_MINUTES before each "
        "visit) and retry appointment emails that failed. Safe to run often, even twice at once."
    )

    def handle(self, *args, **options):
        report = send_reminders()
        retried = send_pending()
        self.stdout.write(
            f"Reminders: {report.sent} sent, {report.failed} not sent. "
            f"Earlier emails sent now: {retried}."
        )
