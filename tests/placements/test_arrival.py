"""Arrival (`placement_arrive`): a booking becomes active on a day from its start to today, no
more than 14 days ago."""

import pytest

from placements.models import Placement
from placements.services import placement_arrive
from tests.placements import helpers as h

pytestmark = pytest.mark.django_db

Status = Placement.Status


@pytest.mark.parametrize("status", [Status.PROVISIONAL, Status.CONFIRMED])
def test_arrival_makes_a_booking_active(iom_officer, status):
    placement = h.make_placement(h.make_bedspace(), starts_on=h.today() - h.days(2), status=status)

    placement_arrive(placement_id=placement.pk, arrived_on=h.today() - h.days(1), by=iom_officer)

    placement.refresh_from_db()
    assert placement.status == Status.ACTIVE
    assert placement.arrived_on == h.today() - h.days(1)
    assert placement.confirmed_at is not None


@pytest.mark.parametrize("ago", [0, 14])
def test_arrival_today_or_up_to_14_days_ago_is_allowed(iom_officer, ago):
    placement = h.make_placement(h.make_bedspace(), starts_on=h.today() - h.days(ago))

    placement_arrive(placement_id=placement.pk, arrived_on=h.today() - h.days(ago), by=iom_officer)

    placement.refresh_from_db()
    assert placement.arrived_on == h.today() - h.days(ago)


def test_arrival_in_the_future_is_refused(iom_officer):
    placement = h.make_placement(h.make_bedspace(), starts_on=h.today())

    error = h.refused(
        placement_arrive, placement_id=placement.pk, arrived_on=h.today() + h.days(1), by=iom_officer
    )

    assert list(error.message_dict) == ["arrived_on"]


def test_arrival_more_than_14_days_ago_is_refused(iom_officer):
    placement = h.make_placement(h.make_bedspace(), starts_on=h.today() - h.days(20))

    error = h.refused(
        placement_arrive, placement_id=placement.pk, arrived_on=h.today() - h.days(15), by=iom_officer
    )

    assert "14 days" in h.text(error)


def test_arrival_before_the_booking_starts_is_refused(iom_officer):
    placement = h.make_placement(h.make_bedspace(), starts_on=h.today() + h.days(1))

    error = h.refused(placement_arrive, placement_id=placement.pk, arrived_on=h.today(), by=iom_officer)

    assert h.long_date(placement.starts_on) in h.text(error)


@pytest.mark.parametrize("after_end", [0, 1])
def test_arrival_on_or_after_the_licence_ends_is_refused(iom_officer, after_end):
    placement = h.make_placement(h.make_bedspace(), starts_on=h.today() - h.days(10), length=5)

    error = h.refused(
        placement_arrive,
        placement_id=placement.pk,
        arrived_on=placement.ends_on + h.days(after_end),
        by=iom_officer,
    )

    assert h.long_date(placement.ends_on) in h.text(error)


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
    placement = h.make_placement(h.make_bedspace(), starts_on=h.today() - h.days(5), length=3, status=status)

    error = h.refused(
        placement_arrive, placement_id=placement.pk, arrived_on=h.today() - h.days(4), by=iom_officer
    )

    assert f"is marked “{label}”" in h.text(error).lower()
