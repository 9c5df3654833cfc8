"""`manage.py apply_retention`: remove the personal data and citizens' words of every closed case
past its service's retention period, keeping what the statistics need. Run it daily (cron or a
scheduled task); a run with nothing to do changes nothing."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from records import retention


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%-d %B %Y}"


class Command(BaseCommand):
    help = (
        "Anonymise the citizens' personal data and words on closed cases past their service's "
        "retention period, keeping dates, service and classification; log each disposal."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be anonymised, per service, and change nothing.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=retention.BATCH_SIZE,
            help=f"Cases per transaction (default {retention.BATCH_SIZE}).",
        )

    def handle(self, *args, dry_run=False, batch_size=retention.BATCH_SIZE, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        now = timezone.now()
        if dry_run:
            self._preview(now)
            return
        started = time.monotonic()
        case_ids = list(retention.cases_past_retention(now=now).values_list("pk", flat=True))
        if not case_ids:
            self.stdout.write("No case is past its retention period: nothing to anonymise.")
            return
        total = len(case_ids)
        self.stdout.write(f"Anonymising {total} cases past their retention period...")
        cases = citizens = 0
        for start in range(0, total, batch_size):
            done = retention.case_anonymise_batch(
                case_ids=case_ids[start : start + batch_size], now=now
            )
            cases += done.cases
            citizens += done.citizens
            self.stdout.write(f"  {min(start + batch_size, total)}/{total} cases")
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {cases} cases and {citizens} citizens anonymised in {seconds:.1f} s. "
                "Each disposal is in the audit trail."
            )
        )
        if cases < total:
            self.stdout.write(
                f"{total - cases} cases were reopened or changed during the run and were kept."
            )

    def _preview(self, now) -> None:
        preview = retention.retention_preview(now=now)
        self.stdout.write("Dry run: nothing is changed.")
        if not preview.cases:
            self.stdout.write("No case is past its retention period: nothing to anonymise.")
            return
        for due in preview.services:
            self.stdout.write(
                f"  {due.service.name}: {due.cases} cases closed before "
                f"{_when(due.closed_before)} ({due.service.retention_days} days' retention)"
            )
        self.stdout.write(
            f"Would anonymise {preview.cases} cases and {preview.citizens} citizens "
            "whose every case is past retention."
        )
