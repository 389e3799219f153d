"""A real Celery worker against the machine's Redis runs a sweep end to end: the task goes through
the broker, the worker (a thread of this process) runs it, and the alert lands in the database.
Skipped, with the reason printed, when REDIS_URL is not set; `.ci/run` sets it."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from alerts import sweeps, tasks
from alerts.models import Alert, JobRun
from placements.models import Placement
from tests.factories import PlacementFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker():
    if not settings.REDIS_URL:
        reason = "REDIS_URL is not set: no broker for a real Celery worker (CI sets it)"
        print(f"SKIPPED: {reason}")
        pytest.skip(reason)
    from celery.contrib.testing.worker import start_worker

    from iom_housing.celery import app

    app.conf.task_always_eager = False  # the autouse fixture in conftest.py puts it back
    app.control.purge()  # nothing left over from an earlier run on this Redis database
    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, loglevel="WARNING"):
        yield app


def _wait_for(check, seconds: float = 20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_a_real_worker_runs_the_sweeps_and_the_canary(worker):
    today = timezone.localdate()
    start = today - timedelta(days=31)
    placement = PlacementFactory(
        status=Placement.Status.ACTIVE,
        starts_on=start,
        arrived_on=start,
        ends_on=start + timedelta(days=28),
        free_from=start + timedelta(days=28),
        with_term=True,
    )
    # Through the broker: the fan-out task queues each sweep as its own task.
    tasks.run_all_sweeps.delay()
    tasks.canary.delay()
    assert _wait_for(
        lambda: (
            Alert.objects.filter(kind=Alert.Kind.LICENCE_OVERRUN, placement=placement).exists()
            and JobRun.objects.filter(name="canary").exists()
            and JobRun.objects.filter(name__startswith="sweep:").count() == len(sweeps.SWEEPS)
        )
    ), "the worker did not run the sweeps within 20 seconds"
    # Delivered again (as acks_late may do after a lost worker): still one alert.
    tasks.run_sweep.delay("licence_overrun")
    before = JobRun.objects.get(name="sweep:licence_overrun").last_run_at
    assert _wait_for(lambda: JobRun.objects.get(name="sweep:licence_overrun").last_run_at > before)
    assert Alert.objects.filter(kind=Alert.Kind.LICENCE_OVERRUN).count() == 1
