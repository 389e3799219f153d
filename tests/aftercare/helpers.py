"""Builders for the aftercare tests: an ended placement (rows written directly, as the factories
do), a fund with money in it, a landlord."""

from datetime import date, timedelta
from decimal import Decimal

from aftercare.models import DepositFund, Landlord
from placements.models import Destination, Placement
from tests.factories import PlacementFactory, SupportAgencyFactory, SupportPlanFactory


def ended_placement(
    departed_on: date, *, agency=None, destination=Destination.PRIVATE_RENT, **kwargs
) -> Placement:
    arrived = departed_on - timedelta(days=20)
    placement = PlacementFactory(
        status=Placement.Status.ENDED,
        starts_on=arrived,
        arrived_on=arrived,
        departed_on=departed_on,
        ends_on=departed_on,
        free_from=departed_on,
        departure_reason="planned_move_on",
        destination=destination,
        **kwargs,
    )
    if agency is not None:
        SupportAgencyFactory(support_plan=SupportPlanFactory(placement=placement), agency=agency)
    return placement


def fund(amount="1000.00", starts_on=date(2025, 1, 1), name="Rent deposit fund") -> DepositFund:
    return DepositFund.objects.create(name=name, starting_amount=Decimal(amount), starts_on=starts_on)


def landlord(name="Harbour Lettings") -> Landlord:
    return Landlord.objects.create(name=name, contact_name="Sian Rees", phone="01970 000000")


ADDRESS = {"address_line_1": "4 Quay Street", "town": "Aberystwyth", "postcode": "SY23 1AA"}
