"""The move-on tests' case: a person in residence, supported by one agency, with its worker and a
worker of another agency; "today" is pinned by each module."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from agencies.models import Agency
from iom_housing.access import Role
from placements.models import Placement
from tests.factories import AgencyFactory, PlacementFactory, SupportAgencyFactory, SupportPlanFactory
from tests.helpers import user_with_role


@dataclass
class Case:
    placement: Placement
    agency: Agency
    worker: object
    outsider: object  # a worker of an agency not on the support plan


def in_residence(*, days_in: int = 10, term_days: int = 28, **fields) -> Placement:
    start = timezone.localdate() - timedelta(days=days_in)
    return PlacementFactory(
        status=Placement.Status.ACTIVE,
        starts_on=start,
        arrived_on=start,
        ends_on=start + timedelta(days=term_days),
        free_from=start + timedelta(days=term_days),
        with_term=True,
        **fields,
    )


def supported_case(**fields) -> Case:
    placement = in_residence(**fields)
    agency = AgencyFactory()
    SupportAgencyFactory(support_plan=SupportPlanFactory(placement=placement), agency=agency)
    return Case(
        placement=placement,
        agency=agency,
        worker=user_with_role(Role.AGENCY_WORKER, agency),
        outsider=user_with_role(Role.AGENCY_WORKER, AgencyFactory()),
    )
