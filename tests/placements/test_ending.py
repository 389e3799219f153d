"""Ending a placement (`placement_end`): the departure recorded and the bedspace free again after
the property's turnaround."""

import pytest
from django.utils import timezone

from placements.dates import free_from
from placements.models import DepartureReason, Destination, Placement
from placements.services import place_offender, placement_end
from tests.placements import helpers as h

pytestmark = pytest.mark.django_db

Status = Placement.Status


def test_ending_a_placement_records_the_departure_and_frees_the_bedspace_after_turnaround(iom_officer):
    bedspace = h.make_bedspace(turnaround=2)
    placement = h.make_placement(bedspace, starts_on=h.today() - h.days(10), status=Status.ACTIVE)
    departed_on = h.today() - h.days(1)

    placement_end(
        placement_id=placement.pk,
        departed_on=departed_on,
        reason=DepartureReason.PLANNED_MOVE_ON,
        destination=Destination.PRIVATE_RENT,
        by=iom_officer,
    )

    placement.refresh_from_db()
    assert placement.status == Status.ENDED
    assert placement.departed_on == departed_on
    assert placement.departure_reason == DepartureReason.PLANNED_MOVE_ON
    assert placement.destination == Destination.PRIVATE_RENT
    assert placement.ends_on == departed_on
    assert placement.free_from == free_from(departed_on, 2)


def test_ending_on_a_friday_counts_turnaround_in_working_days(iom_officer):
    friday = h.today() - h.days((h.today().weekday() - 4) % 7)  # the latest Friday, today or before
    bedspace = h.make_bedspace(turnaround=2)
    placement = h.make_placement(bedspace, starts_on=friday - h.days(7), status=Status.ACTIVE)

    placement_end(
        placement_id=placement.pk,
        departed_on=friday,
        reason=DepartureReason.LICENCE_ENDED,
        destination=Destination.FAMILY,
        by=iom_officer,
    )

    placement.refresh_from_db()
    assert placement.free_from == free_from(friday, 2)
    # the weekend is not turnaround: Wednesday at the earliest
    assert placement.free_from >= friday + h.days(5)


def test_ending_after_the_licence_ran_out_records_the_real_departure(iom_officer):
    bedspace = h.make_bedspace()
    placement = h.make_placement(bedspace, starts_on=h.today() - h.days(30), length=20, status=Status.ACTIVE)
    assert placement.is_overrun(h.today())

    placement_end(
        placement_id=placement.pk,
        departed_on=h.today() - h.days(2),
        reason=DepartureReason.ABANDONED,
        destination=Destination.UNKNOWN,
        by=iom_officer,
    )

    placement.refresh_from_db()
    assert placement.ends_on == h.today() - h.days(2)
    assert placement.free_from == free_from(h.today() - h.days(2), bedspace.property.turnaround_days)


def test_after_an_early_departure_the_bedspace_can_be_booked_from_its_free_from_day(iom_officer):
    bedspace = h.make_bedspace(turnaround=1)
    placement = h.make_placement(bedspace, starts_on=h.today() - h.days(12), status=Status.ACTIVE)
    placement_end(
        placement_id=placement.pk,
        departed_on=h.today() - h.days(10),
        reason=DepartureReason.EVICTION,
        destination=Destination.NO_FIXED_ABODE,
        by=iom_officer,
    )
    placement.refresh_from_db()

    h.refused(
        place_offender,
        referral_id=h.accepted_referral().pk,
        bedspace_id=bedspace.pk,
        starts_on=placement.free_from - h.days(1),
        by=iom_officer,
    )
    rebooked = h.book(h.accepted_referral(), bedspace, placement.free_from, iom_officer)

    assert rebooked.starts_on == placement.free_from


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"departed_on": "tomorrow"}, "departed_on"),
        ({"departed_on": "arrival"}, "departed_on"),
        ({"departed_on": "before_arrival"}, "departed_on"),
        ({"reason": "moved_abroad"}, "reason"),
        ({"reason": ""}, "reason"),
        ({"destination": "moon"}, "destination"),
        ({"destination": ""}, "destination"),
    ],
)
def test_ending_with_a_bad_date_reason_or_destination_is_refused(iom_officer, change, field):
    placement = h.make_placement(h.make_bedspace(), starts_on=h.today() - h.days(5), status=Status.ACTIVE)
    dates = {
        "tomorrow": h.today() + h.days(1),
        "arrival": placement.arrived_on,
        "before_arrival": placement.arrived_on - h.days(1),
    }
    values = {
        "departed_on": h.today(),
        "reason": DepartureReason.RECALLED,
        "destination": Destination.CUSTODY,
    } | change
    values["departed_on"] = dates.get(values["departed_on"], values["departed_on"])

    error = h.refused(placement_end, placement_id=placement.pk, by=iom_officer, **values)

    assert list(error.message_dict) == [field]


@pytest.mark.parametrize(
    ("status", "label"),
    [(Status.PROVISIONAL, "provisional"), (Status.CONFIRMED, "confirmed"), (Status.ENDED, "ended")],
)
def test_ending_is_refused_unless_active_naming_the_state(iom_officer, status, label):
    placement = h.make_placement(h.make_bedspace(), starts_on=h.today() - h.days(10), length=5, status=status)

    error = h.refused(
        placement_end,
        placement_id=placement.pk,
        departed_on=h.today(),
        reason=DepartureReason.RECALLED,
        destination=Destination.CUSTODY,
        by=iom_officer,
    )

    assert f"is marked “{label}”" in h.text(error).lower()


def test_ending_before_the_person_was_last_seen_at_home_is_refused(iom_officer):
    from datetime import datetime, time

    from tests.factories import HomeVisitFactory

    arrived = h.today() - h.days(10)
    placement = h.make_placement(h.make_bedspace(), starts_on=arrived, status=Status.ACTIVE)
    seen_on = h.today() - h.days(2)
    HomeVisitFactory(
        placement=placement,
        visited_at=timezone.make_aware(datetime.combine(seen_on, time(11))),
        kind="home",
        outcome="seen",
    )

    error = h.refused(
        placement_end,
        placement_id=placement.pk,
        departed_on=h.today() - h.days(5),
        reason="planned_move_on",
        destination="social_rent",
        by=iom_officer,
    )

    assert "after this departure date" in h.text(error)
    placement.refresh_from_db()
    assert placement.status == Status.ACTIVE
