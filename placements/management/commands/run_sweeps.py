"""Run every sweep once, now, in this process: the demo and machines with no worker use this;
with a worker and beat the same sweeps run every hour by themselves."""

from django.core.management.base import BaseCommand

from placements import notifications, sweeps


class Command(BaseCommand):
    help = (
        "Run every alert sweep once (raise and resolve alerts); --digests also emails the officers' digests."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--digests", action="store_true", help="Also send each IOM officer their digest of new alerts."
        )

    def handle(self, *args, digests: bool = False, **options):
        for name in sweeps.SWEEPS:
            result = sweeps.run_sweep(name)
            self.stdout.write(f"{name}: {result}")
        sweeps.job_ran("canary")
        if digests:
            officers = list(notifications.iom_officers().values_list("pk", flat=True))
            sent = sum(notifications.digest_send(user_id=pk) for pk in officers)
            self.stdout.write(f"digests: {sent} alerts emailed to {len(officers)} officers")
