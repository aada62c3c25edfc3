from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bookings.services import purge_old_requests


class Command(BaseCommand):
    help = (
        "Delete closed and spam consultation requests unchanged for BOOKINGS_RETENTION_DAYS "
        "(default 365). Each run is recorded in admin with counts only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would go; delete nothing."
        )
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Override the retention period for this run (days).",
        )

    def handle(self, *args, dry_run=False, days=None, **options):
        retention_days = settings.BOOKINGS_RETENTION_DAYS if days is None else days
        if retention_days < 1:
            raise CommandError("--days must be at least 1.")
        run = purge_old_requests(retention_days=retention_days, dry_run=dry_run)
        verb = "Would remove" if dry_run else "Removed"
        detail = ", ".join(f"{status}: {n}" for status, n in run.removed_by_status.items())
        self.stdout.write(
            f"{verb} {run.removed_count} request(s) closed or spam and unchanged since "
            f"{run.cutoff:%Y-%m-%d}" + (f" ({detail})." if detail else ".")
        )
