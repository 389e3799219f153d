"""`python manage.py evaluation_report`: a report file for scheduled exports, exactly as the page
makes it (the same builder and renderers)."""

import argparse
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports.builder import AUDIENCES, build_report
from reports.render import FORMATS, render_file


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-03-31.") from None


class Command(BaseCommand):
    help = "Write the evaluation report for a period (first and last day, inclusive) to a file."

    def add_arguments(self, parser):
        parser.add_argument("--start", type=_iso_date, required=True, help="First day, YYYY-MM-DD.")
        parser.add_argument(
            "--end", type=_iso_date, required=True, help="Last day, YYYY-MM-DD (in the past)."
        )
        parser.add_argument("--area", default="", help="Local authority area (default: all).")
        parser.add_argument("--audience", choices=AUDIENCES, required=True)
        parser.add_argument("--format", choices=list(FORMATS), required=True)
        parser.add_argument("--output", type=Path, required=True, help="File to write.")

    def handle(self, *args, start, end, area, audience, format, output, **options):
        if end < start:
            raise CommandError("--end must be the same as or after --start.")
        if end >= timezone.localdate():
            raise CommandError("--end must be in the past (yesterday or earlier).")
        report = build_report(start=start, end=end, area=area, audience=audience)
        output.write_bytes(render_file(report, format))
        self.stdout.write(f"Wrote {output} ({format}, {audience}, {start} to {end}).")
