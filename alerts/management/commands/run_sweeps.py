"""Run every sweep once, now, in this process: the demo and machines with no worker use this;
with a worker and beat the same sweeps run every hour by themselves. It also runs, here, the
background work still waiting in the outbox (an email whose hand-off to the broker failed), so
it delivers it even while the broker is down."""

from django.core.management.base import BaseCommand

from alerts import notifications, sweeps
from outbox.models import OutboxMessage
from outbox.services import outbox_prune, outbox_resend


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
        outbox_prune()
        ran = outbox_resend(here=True)
        pending = OutboxMessage.objects.filter(done_at__isnull=True).count()
        self.stdout.write(f"outbox: {ran} run, {pending} not done yet")
        if digests:
            officers = list(notifications.iom_officers().values_list("pk", flat=True))
            sent = sum(notifications.digest_send(user_id=pk) for pk in officers)
            self.stdout.write(f"digests: {sent} alerts emailed to {len(officers)} officers")
