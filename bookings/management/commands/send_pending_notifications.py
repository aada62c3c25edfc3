from django.core.management.base import BaseCommand

from bookings.notifications import send_pending


class Command(BaseCommand):
    help = (
        "Send consultation-request emails that are pending or failed. Safe to run from cron and "
        "to run twice at once: each email is claimed before it is sent."
    )

    def handle(self, *args, **options):
        report = send_pending()
        self.stdout.write(f"Sent {report.sent}, failed {report.failed}.")
        if report.given_up:
            self.stderr.write(
                f"{report.given_up} email(s) failed too often and are no longer retried; "
                "see the Emails section of those requests in admin."
            )
