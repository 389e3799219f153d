"""`python manage.py evaluation_report`: a report file for scheduled exports, exactly as the page
makes it (the same builder and renderers), logged in the access log as an export."""

import argparse
from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.models import AccessLogEntry
from iom_housing.access import can_user_view_report_version
from reports import periods
from reports.builder import AUDIENCES, EVALUATION, OFFICER, PUBLISHED, build_report
from reports.render import FORMATS, render_file
from reports.services import report_access_log

# Where the access log says a file came from (a command has no web address).
COMMAND = "manage.py evaluation_report"


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-03-31.") from None


def _user(username: str, audience: str):
    if not username:
        if audience in (OFFICER, EVALUATION):
            # Person-level versions must say who took them (DPA 2018 s.62: who disclosed the data).
            raise CommandError(f"--user is required for the {audience} version: it has a row per person.")
        return None
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"No active user {username!r}.")
    if not can_user_view_report_version(user, audience):
        raise CommandError(f"{username} may not see the {audience} version of the report.")
    return user


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
        parser.add_argument(
            "--user",
            default="",
            help="Username of whoever the file is for, in the access log (required for the officer and "
            "evaluation versions).",
        )

    def handle(self, *args, start, end, area, audience, format, output, user, **options):
        if end < start:
            raise CommandError("--end must be the same as or after --start.")
        if end >= timezone.localdate():
            raise CommandError("--end must be in the past (yesterday or earlier).")
        if audience == PUBLISHED and periods.fixed_period(start, end) is None:
            raise CommandError(
                "The published version is made for a calendar month, a quarter of the financial year "
                "(April–June, July–September, October–December, January–March) or a financial year "
                f"(1 April to 31 March) only, not {start} to {end}."
            )
        by = _user(user, audience)
        report = build_report(start=start, end=end, area=area, audience=audience)
        output.write_bytes(render_file(report, format))
        report_access_log(
            user=by,
            action=AccessLogEntry.Action.EXPORT,
            audience=audience,
            start=start,
            end=end,
            area=area,
            fmt=format,
            people=report.people,
            url=COMMAND,
            method="",
        )
        self.stdout.write(f"Wrote {output} ({format}, {audience}, {start} to {end}).")
