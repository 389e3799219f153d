"""`python manage.py check_reports`: make every fixed period × area × version of the evaluation
report in every format over the data there is, and say how many and how long (none may fail)."""

from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports.sweep import sweep


class Command(BaseCommand):
    help = "Make every month, quarter and financial year's report, in each area and version and format."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD")
        parser.add_argument(
            "--no-pdf", action="store_true", help="Skip the real PDFs (one a kind and version)."
        )

    def handle(self, *args: Any, today: date | None, no_pdf: bool, **options: Any) -> None:
        result = sweep(today or timezone.localdate(), real_pdf=not no_pdf)
        self.stdout.write(
            f"Made {result.reports} reports, {result.files} files (html, csv, xlsx, PDF's html) and "
            f"{result.pdfs} PDFs in {result.seconds:.1f} s; {len(result.failed)} failed."
        )
        if result.failed:
            raise CommandError("\n".join(result.failed))
