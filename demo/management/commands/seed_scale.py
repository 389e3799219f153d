"""`python manage.py seed_scale`: a national-scale synthetic data set for the load benchmark."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from alerts import sweeps
from alerts.models import Alert
from demo.management.commands.seed_demo import _iso_date
from demo.scale import marker_property_name, scale_for, seed_scale
from placements.models import Property
from referrals.models import Offender


class Command(BaseCommand):
    help = (
        "Load a deterministic national-scale synthetic data set (by default 100,000 people, 40 schemes, "
        "2,000 properties, about 300,000 placements, 3,000,000 visits and 500,000 offending events over "
        "5 years) into an empty database, with the demo logins, then run the alert sweeps. A second run "
        "on a loaded database does nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--offenders",
            type=int,
            default=100_000,
            help="How many people; every other count scales with it (default 100000).",
        )
        parser.add_argument(
            "--today", type=_iso_date, default=None, help="The date the history ends on (YYYY-MM-DD)."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off (the demo logins share one known password).",
        )

    def handle(self, *args, offenders: int, today, force: bool, **options):
        if offenders < 100:
            raise CommandError("--offenders must be at least 100.")
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off, so this may be a live system: seed_scale adds made-up people and demo logins "
                "that share one known password. Run it with DEBUG=1, or pass --force if you are sure."
            )
        if Property.objects.filter(name=marker_property_name()).exists():
            self.stdout.write(
                self.style.WARNING(
                    f"The national data set is already loaded ({Offender.objects.count():,} people)."
                )
            )
            return
        if Offender.objects.exists():
            raise CommandError(
                "This database already holds people (the demo, or real data): seed_scale needs an empty "
                "database. Create one and point DATABASE_URL at it."
            )
        today = today or timezone.localdate()
        counts = scale_for(offenders)
        self.stdout.write(
            "Loading "
            + ", ".join(f"{value:,} {name}" for name, value in counts.items())
            + f" (targets) up to {today:%d %B %Y}."
        )
        result = seed_scale(
            people=offenders, today=today, password=settings.DEMO_PASSWORD, write=self.stdout.write
        )
        rows = sum(loaded.rows for loaded in result.loaded)
        copy_seconds = sum(loaded.seconds for loaded in result.loaded)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {rows:,} rows in {result.seconds:.0f} s "
                f"(COPY {rows / copy_seconds:,.0f} rows/s); {result.dropped:,} stays left out for want of a person."
            )
        )
        for name in sweeps.SWEEPS:
            self.stdout.write(f"Sweep {name}: {sweeps.run_sweep(name)}")
        # The sweeps raised tens of thousands of alerts: their statistics now, not when autovacuum
        # gets to them, or the planner takes the table for empty (and the header's count for a scan).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Alert._meta.db_table}")
        self.stdout.write(
            f"Demo logins as for seed_demo (password from DEMO_PASSWORD): {', '.join(_LOGINS)}."
        )


_LOGINS = ("officer", "manager", "probation", "ddas", "opcc", "swyddog")
