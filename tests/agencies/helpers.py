"""Helpers of the agencies' tests, and of the other tests that need a placement an agency supports
or a visit's answers."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from agencies.models import HomeVisit
from placements.models import Placement
from tests.factories import PlacementFactory, SupportAgencyFactory, SupportPlanFactory


def supported_placement(agency, *, arrived_days_ago=10, **placement_fields):
    """An active placement, arrived `arrived_days_ago` days ago, with `agency` on its support plan."""
    today = timezone.localdate()
    arrived = today - timedelta(days=arrived_days_ago)
    fields = {
        "status": Placement.Status.ACTIVE,
        "starts_on": arrived,
        "arrived_on": arrived,
        "ends_on": arrived + timedelta(days=28),
        "free_from": arrived + timedelta(days=28),
        **placement_fields,
    }
    placement = PlacementFactory(**fields)
    SupportAgencyFactory(support_plan=SupportPlanFactory(placement=placement), agency=agency)
    return placement


def answers(**overrides) -> dict:
    return {
        "visited_at": timezone.now() - timedelta(hours=2),
        "kind": HomeVisit.Kind.HOME,
        "staff_names": "Sian Morgan",
        "outcome": HomeVisit.Outcome.SEEN,
        "property_in_good_order": True,
        "drug_test": HomeVisit.DrugTest.NEGATIVE,
        "engagement": HomeVisit.Engagement.GOOD,
        "support_hours": Decimal("1.5"),
        **overrides,
    }
