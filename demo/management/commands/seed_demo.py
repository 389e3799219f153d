"""`python manage.py seed_demo`: realistic synthetic data and one demo login per role."""

import argparse
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from agencies.models import Agency, HomeVisit, StaffMembership
from demo.data import seed
from placements.models import (
    Bedspace,
    LicenceTerm,
    Placement,
    Property,
    PropertyExclusion,
    SupportAgency,
    SupportPlan,
    VoidPeriod,
)
from referrals.models import Offender, OffenderEvent, Referral
from reports.models import Funding, UnitCost


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-11-23.") from None


class Command(BaseCommand):
    help = (
        "Create deterministic synthetic demo data for an IOM housing scheme (12 months of history up to "
        "--today) and one demo login per role. Safe to run again: existing demo data is left alone and "
        "the logins are refreshed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=_iso_date,
            default=None,
            help="The date the history ends on (YYYY-MM-DD); defaults to today. Same date, same data.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off (the demo logins share one known password).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off, so this may be a live system: seed_demo adds made-up people and demo logins "
                "that share one known password. Run it with DEBUG=1, or pass --force if you are sure."
            )
        today = options["today"] or timezone.localdate()
        password = settings.DEMO_PASSWORD
        result = seed(today=today, password=password)

        if result.created:
            self.stdout.write(
                self.style.SUCCESS(f"Demo data created: 12 months of history up to {today:%d %B %Y}.")
            )
        else:
            self.stdout.write(self.style.WARNING("Demo data already present; logins refreshed."))
        self._summary()
        self._logins(result.logins, password)
        self._api_client(result.api_client, password)

    def _summary(self) -> None:
        counts = [
            ("Agencies", Agency.objects.count()),
            ("Staff", StaffMembership.objects.count()),
            ("Properties", Property.objects.count()),
            ("Bedspaces", Bedspace.objects.count()),
            ("Void periods", VoidPeriod.objects.count()),
            ("Property exclusions", PropertyExclusion.objects.count()),
            ("Offenders", Offender.objects.count()),
            ("Offending and compliance events", OffenderEvent.objects.count()),
            ("Referrals", Referral.objects.count()),
            ("Placements", Placement.objects.count()),
            ("Licence terms", LicenceTerm.objects.count()),
            ("Support plans", SupportPlan.objects.count()),
            ("Supporting agencies", SupportAgency.objects.count()),
            ("Home visits", HomeVisit.objects.count()),
            ("Funding lines", Funding.objects.count()),
            ("Unit costs", UnitCost.objects.count()),
        ]
        self.stdout.write("")
        width = max(len(label) for label, _ in counts)
        for label, count in counts:
            self.stdout.write(f"  {label:<{width}}  {count:>5}")

    def _logins(self, logins, password: str) -> None:
        rows = [("Username", "Role", "Agency", "Password")]
        for _spec, user in logins:
            membership = user.membership
            rows.append((user.username, membership.get_role_display(), membership.agency.name, password))
        widths = [max(len(str(row[i])) for row in rows) for i in range(4)]
        self.stdout.write("")
        self.stdout.write("Demo logins:")
        for number, row in enumerate(rows):
            self.stdout.write(
                "  " + "  ".join(f"{str(cell):<{widths[i]}}" for i, cell in enumerate(row)).rstrip()
            )
            if number == 0:
                self.stdout.write("  " + "  ".join("-" * width for width in widths))

    def _api_client(self, api_client, password: str) -> None:
        self.stdout.write("")
        self.stdout.write(
            f"Demo API client ({api_client.agency.name}; scopes {' '.join(api_client.scopes)}):"
        )
        self.stdout.write(f"  client id      {api_client.application.client_id}")
        self.stdout.write(f"  client secret  {password}")
        self.stdout.write(
            "  token          POST /o/token/ with grant_type=client_credentials (see the README)"
        )
