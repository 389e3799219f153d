"""Helpers of the alert tests (tests/alerts/test_recheck.py and test_sweeps.py): the date the sweeps
run on, and a placement some days into one licence term, the case most alerts are about."""

from datetime import date, timedelta

from django.utils import timezone

from placements.models import Placement
from tests.factories import PlacementFactory


def today() -> date:
    return timezone.localdate()


def placed(*, days_in: int, term_days: int = 28, status=Placement.Status.ACTIVE, **fields) -> Placement:
    """A placement that starts (or started) `days_in` days ago on one licence term of `term_days`;
    an active one arrived on its first day."""
    start = today() - timedelta(days=days_in)
    if status == Placement.Status.ACTIVE:
        fields.setdefault("arrived_on", start)
    return PlacementFactory(
        status=status,
        starts_on=start,
        ends_on=start + timedelta(days=term_days),
        free_from=start + timedelta(days=term_days),
        with_term=True,
        **fields,
    )
