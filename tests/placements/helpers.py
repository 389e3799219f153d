"""Helpers of the placement service tests (tests/placements/test_booking.py and its neighbours).

Dates are relative to `timezone.localdate()`, and the expected turnaround comes from
`placements.dates.free_from`, so the tests hold on any day."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from placements.dates import free_from
from placements.models import Bedspace, DepartureReason, Destination, LicenceTerm, Placement, VoidPeriod
from placements.services import place_offender
from referrals.models import Referral
from tests.factories import BedspaceFactory, PlacementFactory, PropertyFactory, ReferralFactory
from tests.helpers import refused_writing_nothing

Status = Placement.Status


def today() -> date:
    return timezone.localdate()


def days(n: int) -> timedelta:
    return timedelta(days=n)


def long_date(day: date) -> str:
    """How the services write a date in a message: 25 November 2026."""
    return f"{day.day} {day:%B %Y}"


def accepted_referral(**fields) -> Referral:
    now = timezone.now()
    return ReferralFactory(
        status=Referral.Status.ACCEPTED, submitted_at=now - timedelta(days=2), decided_at=now, **fields
    )


def make_bedspace(*, turnaround: int = 2, **property_fields) -> Bedspace:
    return BedspaceFactory(property=PropertyFactory(turnaround_days=turnaround, **property_fields))


def make_placement(
    bedspace: Bedspace,
    *,
    starts_on: date,
    length: int = 28,
    status: str = Status.CONFIRMED,
    with_term: bool | None = None,
    **fields,
) -> Placement:
    """A placement written directly, in `status`, with the fields that status needs and `free_from`
    after the property's turnaround, as the services would store it; with its one licence term when
    the stay fits in one (`with_term` says otherwise)."""
    ends_on = starts_on + days(length)
    values = {
        "bedspace": bedspace,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "free_from": free_from(ends_on, bedspace.property.turnaround_days),
    } | status_fields(status, starts_on, ends_on)
    return PlacementFactory(**(values | fields), with_term=length <= 28 if with_term is None else with_term)


def status_fields(status: str, starts_on: date, ends_on: date) -> dict:
    """The fields a placement written directly in `status` needs besides its dates: arrival for an
    active or ended stay, the departure for an ended one, a reason for a cancelled one."""
    values: dict = {"status": status}
    if status in (Status.ACTIVE, Status.ENDED):
        values["arrived_on"] = starts_on
    if status == Status.ENDED:
        values |= {
            "departed_on": ends_on,
            "departure_reason": DepartureReason.PLANNED_MOVE_ON,
            "destination": Destination.SOCIAL_RENT,
        }
    if status == Status.CANCELLED:
        values["cancellation_reason"] = "Released to another area."
    return values


def book(referral: Referral, bedspace: Bedspace, starts_on: date, by, days: int = 28) -> Placement:
    return place_offender(
        referral_id=referral.pk, bedspace_id=bedspace.pk, starts_on=starts_on, days=days, by=by
    )


def rows() -> tuple:
    """Everything the placement services write, to show a refusal wrote nothing."""
    return (
        list(
            Placement.objects.order_by("pk").values_list(
                "pk",
                "status",
                "starts_on",
                "ends_on",
                "free_from",
                "confirmed_at",
                "arrived_on",
                "departed_on",
                "departure_reason",
                "destination",
                "cancellation_reason",
                "notes",
            )
        ),
        list(LicenceTerm.objects.order_by("pk").values_list("pk", "number", "starts_on", "ends_on")),
        list(VoidPeriod.objects.order_by("pk").values_list("pk", "starts_on", "ends_on")),
    )


def refused(service, **kwargs) -> ValidationError:
    """Call a service expecting a refusal; check nothing was written; return the error."""
    return refused_writing_nothing(rows, service, **kwargs)


def text(error: ValidationError) -> str:
    return " ".join(error.messages)


def last_free_end(turnaround: int, next_start: date) -> date:
    """The latest day a stay can end so that its turnaround is over by `next_start`."""
    ends_on = next_start
    while free_from(ends_on, turnaround) > next_start:
        ends_on -= days(1)
    return ends_on
