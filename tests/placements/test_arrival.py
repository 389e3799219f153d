"""Arrival (`placement_arrive`): a booking becomes active on a day from its start to today, no
more than 14 days ago."""

import pytest

from placements.models import Placement
from placements.services import placement_arrive
from tests.placements.helpers import days, long_date, make_bedspace, make_placement, refused, text, today

pytestmark = pytest.mark.django_db

Status = Placement.Status


@pytest.mark.parametrize("status", [Status.PROVISIONAL, Status.CONFIRMED])
def test_arrival_makes_a_booking_active(iom_officer, status):
    placement = make_placement(make_bedspace(), starts_on=today() - days(2), status=status)

    placement_arrive(placement_id=placement.pk, arrived_on=today() - days(1), by=iom_officer)

    placement.refresh_from_db()
    assert placement.status == Status.ACTIVE
    assert placement.arrived_on == today() - days(1)
    assert placement.confirmed_at is not None


@pytest.mark.parametrize("ago", [0, 14])
def test_arrival_today_or_up_to_14_days_ago_is_allowed(iom_officer, ago):
    placement = make_placement(make_bedspace(), starts_on=today() - days(ago))

    placement_arrive(placement_id=placement.pk, arrived_on=today() - days(ago), by=iom_officer)

    placement.refresh_from_db()
    assert placement.arrived_on == today() - days(ago)


def test_arrival_in_the_future_is_refused(iom_officer):
    placement = make_placement(make_bedspace(), starts_on=today())

    error = refused(placement_arrive, placement_id=placement.pk, arrived_on=today() + days(1), by=iom_officer)

    assert list(error.message_dict) == ["arrived_on"]


def test_arrival_more_than_14_days_ago_is_refused(iom_officer):
    placement = make_placement(make_bedspace(), starts_on=today() - days(20))

    error = refused(
        placement_arrive, placement_id=placement.pk, arrived_on=today() - days(15), by=iom_officer
    )

    assert "14 days" in text(error)


def test_arrival_before_the_booking_starts_is_refused(iom_officer):
    placement = make_placement(make_bedspace(), starts_on=today() + days(1))

    error = refused(placement_arrive, placement_id=placement.pk, arrived_on=today(), by=iom_officer)

    assert long_date(placement.starts_on) in text(error)


@pytest.mark.parametrize("after_end", [0, 1])
def test_arrival_on_or_after_the_licence_ends_is_refused(iom_officer, after_end):
    placement = make_placement(make_bedspace(), starts_on=today() - days(10), length=5)

    error = refused(
        placement_arrive,
        placement_id=placement.pk,
        arrived_on=placement.ends_on + days(after_end),
        by=iom_officer,
    )

    assert long_date(placement.ends_on) in text(error)


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (Status.ACTIVE, "active"),
        (Status.ENDED, "ended"),
        (Status.CANCELLED, "cancelled"),
        (Status.NOT_ARRIVED, "did not arrive"),
    ],
)
def test_arrival_is_refused_unless_booked_naming_the_state(iom_officer, status, label):
    placement = make_placement(make_bedspace(), starts_on=today() - days(5), length=3, status=status)

    error = refused(placement_arrive, placement_id=placement.pk, arrived_on=today() - days(4), by=iom_officer)

    assert f"is marked “{label}”" in text(error).lower()
