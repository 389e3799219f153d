"""Booking a bedspace (`place_offender`) and confirming the booking: who may be placed where and
when, and each refusal naming what is in the way."""

import pytest
from django.utils import timezone

from placements.dates import free_from
from placements.models import Placement
from placements.services import place_offender, placement_cancel, placement_confirm, placement_not_arrived
from referrals.models import Gender, Referral
from tests.factories import OffenderFactory, PropertyExclusionFactory, ReferralFactory, VoidPeriodFactory
from tests.placements import helpers as h

pytestmark = pytest.mark.django_db

Status = Placement.Status


# --- Booking (place_offender) -----------------------------------------------------------------------


def test_placing_an_accepted_referral_makes_a_provisional_booking_with_a_28_day_first_term(iom_officer):
    referral = h.accepted_referral()
    bedspace = h.make_bedspace(turnaround=2)
    start = h.today() + h.days(3)

    placement = place_offender(
        referral_id=referral.pk, bedspace_id=bedspace.pk, starts_on=start, by=iom_officer
    )

    placement.refresh_from_db()
    assert placement.status == Status.PROVISIONAL
    assert placement.referral == referral
    assert placement.offender == referral.offender
    assert placement.bedspace == bedspace
    assert list(referral.placements.all()) == [placement]
    assert placement.starts_on == start
    assert placement.ends_on == start + h.days(28)
    assert placement.free_from == free_from(start + h.days(28), 2)
    assert placement.created_by == iom_officer
    assert list(placement.licence_terms.values_list("number", "starts_on", "ends_on")) == [
        (1, start, start + h.days(28))
    ]


@pytest.mark.parametrize("length", [1, 7, 28])
def test_placing_for_a_chosen_number_of_days_sets_the_first_term(iom_officer, length):
    bedspace = h.make_bedspace()
    start = h.today()

    placement = h.book(h.accepted_referral(), bedspace, start, iom_officer, days=length)

    assert placement.ends_on == start + h.days(length)
    assert placement.free_from == free_from(start + h.days(length), bedspace.property.turnaround_days)
    assert [(t.number, t.days) for t in placement.licence_terms.all()] == [(1, length)]


@pytest.mark.parametrize("length", [-1, 0, 29, 56])
def test_placing_for_days_outside_1_to_28_is_refused(iom_officer, length):
    error = h.refused(
        place_offender,
        referral_id=h.accepted_referral().pk,
        bedspace_id=h.make_bedspace().pk,
        starts_on=h.today(),
        days=length,
        by=iom_officer,
    )

    assert "days" in error.message_dict
    assert "1 to 28 days" in h.text(error)


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (Referral.Status.SUBMITTED, "submitted"),
        (Referral.Status.IN_REVIEW, "in review"),
        (Referral.Status.DECLINED, "declined"),
        (Referral.Status.WITHDRAWN, "withdrawn"),
    ],
)
def test_placing_a_referral_that_is_not_accepted_is_refused_naming_its_state(iom_officer, status, label):
    decided = status in Referral.DECIDED_STATUSES
    referral = ReferralFactory(
        status=status,
        submitted_at=timezone.now() - h.days(2),
        decided_at=timezone.now() if decided else None,
        decline_reason=Referral.DeclineReason.DUPLICATE if status == Referral.Status.DECLINED else "",
    )

    error = h.refused(
        place_offender,
        referral_id=referral.pk,
        bedspace_id=h.make_bedspace().pk,
        starts_on=h.today(),
        by=iom_officer,
    )

    assert f"is marked “{label}”" in h.text(error).lower()


def test_placing_an_already_placed_referral_is_refused(iom_officer):
    referral = h.accepted_referral()
    h.book(referral, h.make_bedspace(), h.today(), iom_officer)

    error = h.refused(
        place_offender,
        referral_id=referral.pk,
        bedspace_id=h.make_bedspace().pk,
        starts_on=h.today() + h.days(60),
        by=iom_officer,
    )

    assert "already been placed" in h.text(error)


@pytest.mark.parametrize("release", ["cancel", "not_arrived"])
def test_a_referral_can_be_booked_again_after_its_booking_is_released(iom_officer, release):
    referral = h.accepted_referral()
    bedspace = h.make_bedspace()
    first = h.book(referral, bedspace, h.today(), iom_officer)
    if release == "cancel":
        placement_cancel(placement_id=first.pk, reason="Bail address changed.", by=iom_officer)
    else:
        placement_not_arrived(placement_id=first.pk, by=iom_officer)

    second = h.book(referral, bedspace, h.today(), iom_officer)

    assert second.pk != first.pk
    assert second.referral == referral
    assert sorted(referral.placements.values_list("status", flat=True)) == sorted(
        [Status.PROVISIONAL, Status.CANCELLED if release == "cancel" else Status.NOT_ARRIVED]
    )


@pytest.mark.parametrize("what", ["bedspace", "property"])
def test_placing_into_a_bedspace_not_in_use_is_refused(iom_officer, what):
    bedspace = h.make_bedspace()
    target = bedspace if what == "bedspace" else bedspace.property
    target.active = False
    target.save()

    error = h.refused(
        place_offender,
        referral_id=h.accepted_referral().pk,
        bedspace_id=bedspace.pk,
        starts_on=h.today(),
        by=iom_officer,
    )

    assert error.message_dict == {"bedspace": ["This bedspace is not in use."]}


@pytest.mark.parametrize(
    ("name", "restriction", "gender", "message"),
    [
        ("Rose House", "women_only", Gender.MALE, "Rose House is for women only."),
        ("Oak House", "men_only", Gender.FEMALE, "Oak House is for men only."),
    ],
    ids=["women_only_refuses_a_man", "men_only_refuses_a_woman"],
)
def test_restricted_property_refuses_the_person_it_is_not_for(
    iom_officer, name, restriction, gender, message
):
    bedspace = h.make_bedspace(name=name, restriction=restriction)
    referral = h.accepted_referral(offender=OffenderFactory(gender=gender))

    error = h.refused(
        place_offender, referral_id=referral.pk, bedspace_id=bedspace.pk, starts_on=h.today(), by=iom_officer
    )

    assert error.message_dict == {"bedspace": [message]}


@pytest.mark.parametrize(
    ("restriction", "gender"), [("women_only", Gender.FEMALE), ("men_only", Gender.MALE)]
)
def test_restricted_property_takes_the_person_it_is_for(iom_officer, restriction, gender):
    bedspace = h.make_bedspace(restriction=restriction)
    referral = h.accepted_referral(offender=OffenderFactory(gender=gender))

    placement = h.book(referral, bedspace, h.today(), iom_officer)

    assert placement.bedspace == bedspace


def test_placing_into_a_property_excluded_for_the_person_is_refused(iom_officer):
    bedspace = h.make_bedspace(name="Elm Court")
    referral = h.accepted_referral()
    PropertyExclusionFactory(
        property=bedspace.property, offender=referral.offender, reason="Near the victim."
    )

    error = h.refused(
        place_offender, referral_id=referral.pk, bedspace_id=bedspace.pk, starts_on=h.today(), by=iom_officer
    )

    assert "Elm Court is marked unsuitable for this person" in h.text(error)
    assert "Near the victim." in h.text(error)


def test_placing_over_another_booking_is_refused_naming_its_dates(iom_officer):
    bedspace = h.make_bedspace(turnaround=2)
    existing = h.make_placement(bedspace, starts_on=h.today() + h.days(10), length=14)

    error = h.refused(
        place_offender,
        referral_id=h.accepted_referral().pk,
        bedspace_id=bedspace.pk,
        starts_on=h.today() + h.days(5),
        by=iom_officer,
    )

    assert list(error.message_dict) == ["bedspace"]
    assert h.long_date(existing.starts_on) in h.text(error)
    assert h.long_date(existing.free_from) in h.text(error)


@pytest.mark.parametrize("status", [Status.PROVISIONAL, Status.CONFIRMED, Status.ACTIVE, Status.ENDED])
def test_every_live_booking_blocks_its_dates(iom_officer, status):
    bedspace = h.make_bedspace()
    h.make_placement(bedspace, starts_on=h.today() - h.days(10), length=20, status=status)

    h.refused(
        place_offender,
        referral_id=h.accepted_referral().pk,
        bedspace_id=bedspace.pk,
        starts_on=h.today(),
        by=iom_officer,
    )


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.NOT_ARRIVED])
def test_cancelled_and_not_arrived_bookings_do_not_block_their_dates(iom_officer, status):
    bedspace = h.make_bedspace()
    h.make_placement(bedspace, starts_on=h.today(), status=status)

    placement = h.book(h.accepted_referral(), bedspace, h.today(), iom_officer)

    assert placement.status == Status.PROVISIONAL


def test_placing_in_another_bookings_turnaround_is_refused(iom_officer):
    bedspace = h.make_bedspace(turnaround=2)
    existing = h.make_placement(bedspace, starts_on=h.today(), length=10)

    error = h.refused(
        place_offender,
        referral_id=h.accepted_referral().pk,
        bedspace_id=bedspace.pk,
        starts_on=existing.ends_on,
        by=iom_officer,
    )

    assert h.long_date(existing.free_from) in h.text(error)


def test_placing_from_the_day_another_booking_frees_the_bedspace_is_allowed(iom_officer):
    bedspace = h.make_bedspace(turnaround=2)
    existing = h.make_placement(bedspace, starts_on=h.today(), length=10)

    placement = h.book(h.accepted_referral(), bedspace, existing.free_from, iom_officer)

    assert placement.starts_on == existing.free_from


def test_placing_so_that_its_turnaround_runs_into_the_next_booking_is_refused(iom_officer):
    bedspace = h.make_bedspace(turnaround=2)
    following = h.make_placement(bedspace, starts_on=h.today() + h.days(40))
    start = following.starts_on - h.days(20)

    error = h.refused(
        place_offender,
        referral_id=h.accepted_referral().pk,
        bedspace_id=bedspace.pk,
        starts_on=start,
        days=20,  # ends the day the next booking starts, with no time to turn the bedspace round
        by=iom_officer,
    )

    assert h.long_date(following.starts_on) in h.text(error)


def test_placing_so_that_its_turnaround_ends_as_the_next_booking_starts_is_allowed(iom_officer):
    bedspace = h.make_bedspace(turnaround=2)
    following = h.make_placement(bedspace, starts_on=h.today() + h.days(40))
    start = following.starts_on - h.days(20)
    ends_on = h.last_free_end(2, following.starts_on)

    placement = h.book(h.accepted_referral(), bedspace, start, iom_officer, days=(ends_on - start).days)

    assert placement.free_from <= following.starts_on


def test_placing_over_a_void_period_is_refused_naming_its_dates(iom_officer):
    bedspace = h.make_bedspace()
    void = VoidPeriodFactory(
        bedspace=bedspace, starts_on=h.today() + h.days(10), ends_on=h.today() + h.days(15)
    )

    error = h.refused(
        place_offender,
        referral_id=h.accepted_referral().pk,
        bedspace_id=bedspace.pk,
        starts_on=h.today() + h.days(5),
        by=iom_officer,
    )

    assert "void" in h.text(error)
    assert h.long_date(void.starts_on) in h.text(error)
    assert h.long_date(void.ends_on) in h.text(error)


def test_placing_over_an_open_ended_void_is_refused(iom_officer):
    bedspace = h.make_bedspace()
    VoidPeriodFactory(bedspace=bedspace, starts_on=h.today() + h.days(60), ends_on=None)

    error = h.refused(
        place_offender,
        referral_id=h.accepted_referral().pk,
        bedspace_id=bedspace.pk,
        starts_on=h.today() + h.days(50),
        by=iom_officer,
    )

    assert "no end date" in h.text(error)


def test_placing_from_the_day_a_void_ends_is_allowed(iom_officer):
    bedspace = h.make_bedspace()
    VoidPeriodFactory(bedspace=bedspace, starts_on=h.today() - h.days(5), ends_on=h.today() + h.days(2))

    placement = h.book(h.accepted_referral(), bedspace, h.today() + h.days(2), iom_officer)

    assert placement.starts_on == h.today() + h.days(2)


def test_placing_a_person_already_placed_over_those_dates_is_refused(iom_officer):
    offender = OffenderFactory()
    elsewhere = h.make_placement(
        h.make_bedspace(name="Ash House"), starts_on=h.today() - h.days(5), offender=offender
    )

    error = h.refused(
        place_offender,
        referral_id=h.accepted_referral(offender=offender).pk,
        bedspace_id=h.make_bedspace().pk,
        starts_on=h.today() + h.days(3),
        by=iom_officer,
    )

    assert list(error.message_dict) == ["starts_on"]
    assert str(elsewhere.bedspace) in h.text(error)
    assert h.long_date(elsewhere.starts_on) in h.text(error)


def test_a_person_can_be_placed_from_the_day_their_last_placement_ends(iom_officer):
    offender = OffenderFactory()
    elsewhere = h.make_placement(
        h.make_bedspace(), starts_on=h.today() - h.days(5), length=10, offender=offender
    )

    placement = h.book(
        h.accepted_referral(offender=offender), h.make_bedspace(), elsewhere.ends_on, iom_officer
    )

    assert placement.starts_on == elsewhere.ends_on


def test_booking_a_bedspace_whose_occupant_is_overrunning_is_refused(iom_officer):
    bedspace = h.make_bedspace()
    h.make_placement(bedspace, starts_on=h.today() - h.days(40), length=20, status=Status.ACTIVE)

    h.refused(
        place_offender,
        referral_id=h.accepted_referral().pk,
        bedspace_id=bedspace.pk,
        starts_on=h.today() + h.days(1),
        by=iom_officer,
    )


def test_placing_from_more_than_14_days_ago_is_refused(iom_officer):
    error = h.refused(
        place_offender,
        referral_id=h.accepted_referral().pk,
        bedspace_id=h.make_bedspace().pk,
        starts_on=h.today() - h.days(15),
        by=iom_officer,
    )

    assert list(error.message_dict) == ["starts_on"]
    assert "14 days" in h.text(error)


def test_placing_from_14_days_ago_is_allowed(iom_officer):
    placement = h.book(h.accepted_referral(), h.make_bedspace(), h.today() - h.days(14), iom_officer)

    assert placement.starts_on == h.today() - h.days(14)


# --- Confirming ---------------------------------------------------------------------------------


def test_confirming_a_provisional_booking_confirms_it(iom_officer):
    placement = h.book(h.accepted_referral(), h.make_bedspace(), h.today(), iom_officer)

    placement_confirm(placement_id=placement.pk, by=iom_officer)

    placement.refresh_from_db()
    assert placement.status == Status.CONFIRMED
    assert placement.confirmed_at is not None


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (Status.CONFIRMED, "confirmed"),
        (Status.ACTIVE, "active"),
        (Status.ENDED, "ended"),
        (Status.CANCELLED, "cancelled"),
        (Status.NOT_ARRIVED, "did not arrive"),
    ],
)
def test_confirming_a_booking_that_is_not_provisional_is_refused_naming_its_state(iom_officer, status, label):
    placement = h.make_placement(h.make_bedspace(), starts_on=h.today() - h.days(5), length=3, status=status)

    error = h.refused(placement_confirm, placement_id=placement.pk, by=iom_officer)

    assert f"is marked “{label}”" in h.text(error).lower()
