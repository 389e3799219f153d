"""The placement services: booking, confirming, arrival, non-arrival, cancelling, licence renewal,
departure and void periods. Each happy path goes through the service; each refusal is a
ValidationError a person can act on, and leaves every row as it was.

Dates are relative to `timezone.localdate()` (no clock-freezing library is installed), and the
expected turnaround comes from `placements.dates.free_from`, so the tests hold on any day.
"""

import threading
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from placements import selectors
from placements.dates import free_from
from placements.models import (
    Bedspace,
    DepartureReason,
    Destination,
    LicenceTerm,
    Placement,
    VoidPeriod,
)
from placements.services import (
    licence_renew,
    place_offender,
    placement_arrive,
    placement_cancel,
    placement_confirm,
    placement_end,
    placement_not_arrived,
    void_add,
    void_end,
)
from referrals.models import Gender, Referral
from tests.factories import (
    BedspaceFactory,
    OffenderFactory,
    PlacementFactory,
    PropertyExclusionFactory,
    PropertyFactory,
    ReferralFactory,
    VoidPeriodFactory,
)

pytestmark = pytest.mark.django_db

Status = Placement.Status


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The officer fixture hashes a password; a cheap hasher keeps 150 tests quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
    bedspace: Bedspace, *, starts_on: date, length: int = 28, status: str = Status.CONFIRMED, **fields
) -> Placement:
    """A placement written directly, in `status`, with the fields that status needs and `free_from`
    after the property's turnaround, as the services would store it."""
    ends_on = starts_on + days(length)
    values = {
        "bedspace": bedspace,
        "status": status,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "free_from": free_from(ends_on, bedspace.property.turnaround_days),
    }
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
    return PlacementFactory(**(values | fields), with_term=length <= 28)


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
    before = rows()
    with pytest.raises(ValidationError) as error:
        service(**kwargs)
    assert rows() == before
    return error.value


def text(error: ValidationError) -> str:
    return " ".join(error.messages)


def last_free_end(turnaround: int, next_start: date) -> date:
    """The latest day a stay can end so that its turnaround is over by `next_start`."""
    ends_on = next_start
    while free_from(ends_on, turnaround) > next_start:
        ends_on -= days(1)
    return ends_on


# --- Booking (place_offender) -----------------------------------------------------------------------


def test_placing_an_accepted_referral_makes_a_provisional_booking_with_a_28_day_first_term(iom_officer):
    referral = accepted_referral()
    bedspace = make_bedspace(turnaround=2)
    start = today() + days(3)

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
    assert placement.ends_on == start + days(28)
    assert placement.free_from == free_from(start + days(28), 2)
    assert placement.created_by == iom_officer
    assert list(placement.licence_terms.values_list("number", "starts_on", "ends_on")) == [
        (1, start, start + days(28))
    ]


@pytest.mark.parametrize("length", [1, 7, 28])
def test_placing_for_a_chosen_number_of_days_sets_the_first_term(iom_officer, length):
    bedspace = make_bedspace()
    start = today()

    placement = book(accepted_referral(), bedspace, start, iom_officer, days=length)

    assert placement.ends_on == start + days(length)
    assert placement.free_from == free_from(start + days(length), bedspace.property.turnaround_days)
    assert [(t.number, t.days) for t in placement.licence_terms.all()] == [(1, length)]


@pytest.mark.parametrize("length", [-1, 0, 29, 56])
def test_placing_for_days_outside_1_to_28_is_refused(iom_officer, length):
    error = refused(
        place_offender,
        referral_id=accepted_referral().pk,
        bedspace_id=make_bedspace().pk,
        starts_on=today(),
        days=length,
        by=iom_officer,
    )

    assert "days" in error.message_dict
    assert "1 to 28 days" in text(error)


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
        submitted_at=timezone.now() - days(2),
        decided_at=timezone.now() if decided else None,
        decline_reason=Referral.DeclineReason.DUPLICATE if status == Referral.Status.DECLINED else "",
    )

    error = refused(
        place_offender,
        referral_id=referral.pk,
        bedspace_id=make_bedspace().pk,
        starts_on=today(),
        by=iom_officer,
    )

    assert f"is marked “{label}”" in text(error).lower()


def test_placing_an_already_placed_referral_is_refused(iom_officer):
    referral = accepted_referral()
    book(referral, make_bedspace(), today(), iom_officer)

    error = refused(
        place_offender,
        referral_id=referral.pk,
        bedspace_id=make_bedspace().pk,
        starts_on=today() + days(60),
        by=iom_officer,
    )

    assert "already been placed" in text(error)


@pytest.mark.parametrize("release", ["cancel", "not_arrived"])
def test_a_referral_can_be_booked_again_after_its_booking_is_released(iom_officer, release):
    referral = accepted_referral()
    bedspace = make_bedspace()
    first = book(referral, bedspace, today(), iom_officer)
    if release == "cancel":
        placement_cancel(placement_id=first.pk, reason="Bail address changed.", by=iom_officer)
    else:
        placement_not_arrived(placement_id=first.pk, by=iom_officer)

    second = book(referral, bedspace, today(), iom_officer)

    assert second.pk != first.pk
    assert second.referral == referral
    assert sorted(referral.placements.values_list("status", flat=True)) == sorted(
        [Status.PROVISIONAL, Status.CANCELLED if release == "cancel" else Status.NOT_ARRIVED]
    )


@pytest.mark.parametrize("what", ["bedspace", "property"])
def test_placing_into_a_bedspace_not_in_use_is_refused(iom_officer, what):
    bedspace = make_bedspace()
    target = bedspace if what == "bedspace" else bedspace.property
    target.active = False
    target.save()

    error = refused(
        place_offender,
        referral_id=accepted_referral().pk,
        bedspace_id=bedspace.pk,
        starts_on=today(),
        by=iom_officer,
    )

    assert error.message_dict == {"bedspace": ["This bedspace is not in use."]}


def test_women_only_property_refuses_a_man(iom_officer):
    bedspace = make_bedspace(name="Rose House", restriction="women_only")
    man = accepted_referral(offender=OffenderFactory(gender=Gender.MALE))

    error = refused(
        place_offender, referral_id=man.pk, bedspace_id=bedspace.pk, starts_on=today(), by=iom_officer
    )

    assert error.message_dict == {"bedspace": ["Rose House is for women only."]}


def test_men_only_property_refuses_a_woman(iom_officer):
    bedspace = make_bedspace(name="Oak House", restriction="men_only")
    woman = accepted_referral(offender=OffenderFactory(gender=Gender.FEMALE))

    error = refused(
        place_offender, referral_id=woman.pk, bedspace_id=bedspace.pk, starts_on=today(), by=iom_officer
    )

    assert error.message_dict == {"bedspace": ["Oak House is for men only."]}


@pytest.mark.parametrize(
    ("restriction", "gender"), [("women_only", Gender.FEMALE), ("men_only", Gender.MALE)]
)
def test_restricted_property_takes_the_person_it_is_for(iom_officer, restriction, gender):
    bedspace = make_bedspace(restriction=restriction)
    referral = accepted_referral(offender=OffenderFactory(gender=gender))

    placement = book(referral, bedspace, today(), iom_officer)

    assert placement.bedspace == bedspace


def test_placing_into_a_property_excluded_for_the_person_is_refused(iom_officer):
    bedspace = make_bedspace(name="Elm Court")
    referral = accepted_referral()
    PropertyExclusionFactory(
        property=bedspace.property, offender=referral.offender, reason="Near the victim."
    )

    error = refused(
        place_offender, referral_id=referral.pk, bedspace_id=bedspace.pk, starts_on=today(), by=iom_officer
    )

    assert "Elm Court is marked unsuitable for this person" in text(error)
    assert "Near the victim." in text(error)


def test_placing_over_another_booking_is_refused_naming_its_dates(iom_officer):
    bedspace = make_bedspace(turnaround=2)
    existing = make_placement(bedspace, starts_on=today() + days(10), length=14)

    error = refused(
        place_offender,
        referral_id=accepted_referral().pk,
        bedspace_id=bedspace.pk,
        starts_on=today() + days(5),
        by=iom_officer,
    )

    assert list(error.message_dict) == ["bedspace"]
    assert long_date(existing.starts_on) in text(error)
    assert long_date(existing.free_from) in text(error)


@pytest.mark.parametrize("status", [Status.PROVISIONAL, Status.CONFIRMED, Status.ACTIVE, Status.ENDED])
def test_every_live_booking_blocks_its_dates(iom_officer, status):
    bedspace = make_bedspace()
    make_placement(bedspace, starts_on=today() - days(10), length=20, status=status)

    refused(
        place_offender,
        referral_id=accepted_referral().pk,
        bedspace_id=bedspace.pk,
        starts_on=today(),
        by=iom_officer,
    )


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.NOT_ARRIVED])
def test_cancelled_and_not_arrived_bookings_do_not_block_their_dates(iom_officer, status):
    bedspace = make_bedspace()
    make_placement(bedspace, starts_on=today(), status=status)

    placement = book(accepted_referral(), bedspace, today(), iom_officer)

    assert placement.status == Status.PROVISIONAL


def test_placing_in_another_bookings_turnaround_is_refused(iom_officer):
    bedspace = make_bedspace(turnaround=2)
    existing = make_placement(bedspace, starts_on=today(), length=10)

    error = refused(
        place_offender,
        referral_id=accepted_referral().pk,
        bedspace_id=bedspace.pk,
        starts_on=existing.ends_on,
        by=iom_officer,
    )

    assert long_date(existing.free_from) in text(error)


def test_placing_from_the_day_another_booking_frees_the_bedspace_is_allowed(iom_officer):
    bedspace = make_bedspace(turnaround=2)
    existing = make_placement(bedspace, starts_on=today(), length=10)

    placement = book(accepted_referral(), bedspace, existing.free_from, iom_officer)

    assert placement.starts_on == existing.free_from


def test_placing_so_that_its_turnaround_runs_into_the_next_booking_is_refused(iom_officer):
    bedspace = make_bedspace(turnaround=2)
    following = make_placement(bedspace, starts_on=today() + days(40))
    start = following.starts_on - days(20)

    error = refused(
        place_offender,
        referral_id=accepted_referral().pk,
        bedspace_id=bedspace.pk,
        starts_on=start,
        days=20,  # ends the day the next booking starts, with no time to turn the bedspace round
        by=iom_officer,
    )

    assert long_date(following.starts_on) in text(error)


def test_placing_so_that_its_turnaround_ends_as_the_next_booking_starts_is_allowed(iom_officer):
    bedspace = make_bedspace(turnaround=2)
    following = make_placement(bedspace, starts_on=today() + days(40))
    start = following.starts_on - days(20)
    ends_on = last_free_end(2, following.starts_on)

    placement = book(accepted_referral(), bedspace, start, iom_officer, days=(ends_on - start).days)

    assert placement.free_from <= following.starts_on


def test_placing_over_a_void_period_is_refused_naming_its_dates(iom_officer):
    bedspace = make_bedspace()
    void = VoidPeriodFactory(bedspace=bedspace, starts_on=today() + days(10), ends_on=today() + days(15))

    error = refused(
        place_offender,
        referral_id=accepted_referral().pk,
        bedspace_id=bedspace.pk,
        starts_on=today() + days(5),
        by=iom_officer,
    )

    assert "void" in text(error)
    assert long_date(void.starts_on) in text(error)
    assert long_date(void.ends_on) in text(error)


def test_placing_over_an_open_ended_void_is_refused(iom_officer):
    bedspace = make_bedspace()
    VoidPeriodFactory(bedspace=bedspace, starts_on=today() + days(60), ends_on=None)

    error = refused(
        place_offender,
        referral_id=accepted_referral().pk,
        bedspace_id=bedspace.pk,
        starts_on=today() + days(50),
        by=iom_officer,
    )

    assert "no end date" in text(error)


def test_placing_from_the_day_a_void_ends_is_allowed(iom_officer):
    bedspace = make_bedspace()
    VoidPeriodFactory(bedspace=bedspace, starts_on=today() - days(5), ends_on=today() + days(2))

    placement = book(accepted_referral(), bedspace, today() + days(2), iom_officer)

    assert placement.starts_on == today() + days(2)


def test_placing_a_person_already_placed_over_those_dates_is_refused(iom_officer):
    offender = OffenderFactory()
    elsewhere = make_placement(
        make_bedspace(name="Ash House"), starts_on=today() - days(5), offender=offender
    )

    error = refused(
        place_offender,
        referral_id=accepted_referral(offender=offender).pk,
        bedspace_id=make_bedspace().pk,
        starts_on=today() + days(3),
        by=iom_officer,
    )

    assert list(error.message_dict) == ["starts_on"]
    assert str(elsewhere.bedspace) in text(error)
    assert long_date(elsewhere.starts_on) in text(error)


def test_a_person_can_be_placed_from_the_day_their_last_placement_ends(iom_officer):
    offender = OffenderFactory()
    elsewhere = make_placement(make_bedspace(), starts_on=today() - days(5), length=10, offender=offender)

    placement = book(accepted_referral(offender=offender), make_bedspace(), elsewhere.ends_on, iom_officer)

    assert placement.starts_on == elsewhere.ends_on


def test_booking_a_bedspace_whose_occupant_is_overrunning_is_refused(iom_officer):
    bedspace = make_bedspace()
    make_placement(bedspace, starts_on=today() - days(40), length=20, status=Status.ACTIVE)

    refused(
        place_offender,
        referral_id=accepted_referral().pk,
        bedspace_id=bedspace.pk,
        starts_on=today() + days(1),
        by=iom_officer,
    )


def test_placing_from_more_than_14_days_ago_is_refused(iom_officer):
    error = refused(
        place_offender,
        referral_id=accepted_referral().pk,
        bedspace_id=make_bedspace().pk,
        starts_on=today() - days(15),
        by=iom_officer,
    )

    assert list(error.message_dict) == ["starts_on"]
    assert "14 days" in text(error)


def test_placing_from_14_days_ago_is_allowed(iom_officer):
    placement = book(accepted_referral(), make_bedspace(), today() - days(14), iom_officer)

    assert placement.starts_on == today() - days(14)


# --- Confirming ---------------------------------------------------------------------------------


def test_confirming_a_provisional_booking_confirms_it(iom_officer):
    placement = book(accepted_referral(), make_bedspace(), today(), iom_officer)

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
    placement = make_placement(make_bedspace(), starts_on=today() - days(5), length=3, status=status)

    error = refused(placement_confirm, placement_id=placement.pk, by=iom_officer)

    assert f"is marked “{label}”" in text(error).lower()


# --- Arrival ------------------------------------------------------------------------------------


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


# --- Non-arrival and cancelling -----------------------------------------------------------------


def test_non_arrival_frees_the_bedspace_for_the_same_dates(iom_officer):
    bedspace = make_bedspace()
    start = today() + days(2)
    placement = book(accepted_referral(), bedspace, start, iom_officer)
    assert bedspace not in selectors.available_bedspaces(starts_on=start, ends_on=start + days(28))

    placement_not_arrived(placement_id=placement.pk, notes="Stayed with family.", by=iom_officer)

    placement.refresh_from_db()
    assert placement.status == Status.NOT_ARRIVED
    assert placement.notes == "Stayed with family."
    assert bedspace in selectors.available_bedspaces(starts_on=start, ends_on=start + days(28))
    assert book(accepted_referral(), bedspace, start, iom_officer).status == Status.PROVISIONAL


def test_cancelling_frees_the_bedspace_for_the_same_dates(iom_officer):
    bedspace = make_bedspace()
    start = today() + days(2)
    placement = book(accepted_referral(), bedspace, start, iom_officer)
    placement_confirm(placement_id=placement.pk, by=iom_officer)

    placement_cancel(placement_id=placement.pk, reason="  Recalled to custody.  ", by=iom_officer)

    placement.refresh_from_db()
    assert placement.status == Status.CANCELLED
    assert placement.cancellation_reason == "Recalled to custody."
    assert bedspace in selectors.available_bedspaces(starts_on=start, ends_on=start + days(28))
    assert book(accepted_referral(), bedspace, start, iom_officer).status == Status.PROVISIONAL


@pytest.mark.parametrize("reason", ["", "   "])
def test_cancelling_needs_a_reason(iom_officer, reason):
    placement = book(accepted_referral(), make_bedspace(), today(), iom_officer)

    error = refused(placement_cancel, placement_id=placement.pk, reason=reason, by=iom_officer)

    assert list(error.message_dict) == ["reason"]


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.ENDED, Status.CANCELLED, Status.NOT_ARRIVED])
def test_cancelling_is_refused_once_arrived_or_released(iom_officer, status):
    placement = make_placement(make_bedspace(), starts_on=today() - days(5), length=3, status=status)

    error = refused(placement_cancel, placement_id=placement.pk, reason="Changed plans.", by=iom_officer)

    assert error.code == "wrong_status"


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.ENDED, Status.CANCELLED, Status.NOT_ARRIVED])
def test_non_arrival_is_refused_once_arrived_or_released(iom_officer, status):
    placement = make_placement(make_bedspace(), starts_on=today() - days(5), length=3, status=status)

    error = refused(placement_not_arrived, placement_id=placement.pk, by=iom_officer)

    assert error.code == "wrong_status"


# --- Licence renewal ----------------------------------------------------------------------------


def test_renewals_add_terms_from_the_day_the_last_one_ends(iom_officer):
    bedspace = make_bedspace(turnaround=2)
    start = today()
    placement = book(accepted_referral(), bedspace, start, iom_officer)

    second = licence_renew(
        placement_id=placement.pk, days=14, reason="Waiting for a council flat.", by=iom_officer
    )
    third = licence_renew(placement_id=placement.pk, days=7, reason="Tenancy starts soon.", by=iom_officer)

    assert (second.number, second.starts_on, second.ends_on) == (2, start + days(28), start + days(42))
    assert second.reason == "Waiting for a council flat."
    assert second.created_by == iom_officer
    assert (third.number, third.starts_on, third.ends_on) == (3, start + days(42), start + days(49))
    assert list(placement.licence_terms.values_list("number", flat=True)) == [1, 2, 3]
    placement.refresh_from_db()
    assert placement.ends_on == start + days(49)
    assert placement.free_from == free_from(start + days(49), 2)


def test_renewal_of_an_overrunning_placement_runs_on_from_its_last_term(iom_officer):
    bedspace = make_bedspace()
    placement = make_placement(bedspace, starts_on=today() - days(20), length=14, status=Status.ACTIVE)
    ended_on = placement.ends_on

    term = licence_renew(placement_id=placement.pk, days=28, reason="Overran: renewed late.", by=iom_officer)

    assert term.starts_on == ended_on
    placement.refresh_from_db()
    assert not placement.is_overrun(today())


@pytest.mark.parametrize("length", [0, 29])
def test_renewal_for_days_outside_1_to_28_is_refused(iom_officer, length):
    placement = book(accepted_referral(), make_bedspace(), today(), iom_officer)

    error = refused(
        licence_renew, placement_id=placement.pk, days=length, reason="More time.", by=iom_officer
    )

    assert list(error.message_dict) == ["days"]


@pytest.mark.parametrize("reason", ["", "  "])
def test_renewal_needs_a_reason(iom_officer, reason):
    placement = book(accepted_referral(), make_bedspace(), today(), iom_officer)

    error = refused(licence_renew, placement_id=placement.pk, days=7, reason=reason, by=iom_officer)

    assert list(error.message_dict) == ["reason"]


def test_renewal_past_next_booking_is_refused(iom_officer):
    bedspace = make_bedspace(turnaround=2)
    placement = book(accepted_referral(), bedspace, today(), iom_officer)
    following = make_placement(bedspace, starts_on=placement.free_from + days(5))

    error = refused(licence_renew, placement_id=placement.pk, days=28, reason="More time.", by=iom_officer)

    assert list(error.message_dict) == ["days"]
    assert long_date(placement.ends_on + days(28)) in text(error)
    assert long_date(following.starts_on) in text(error)
    assert long_date(following.free_from) in text(error)


def test_renewal_whose_turnaround_runs_into_the_next_booking_is_refused(iom_officer):
    bedspace = make_bedspace(turnaround=2)
    placement = book(accepted_referral(), bedspace, today(), iom_officer)
    following = make_placement(bedspace, starts_on=placement.free_from + days(10))

    # Ending the day the next booking starts leaves no time to turn the bedspace round.
    refused(
        licence_renew,
        placement_id=placement.pk,
        days=(following.starts_on - placement.ends_on).days,
        reason="More time.",
        by=iom_officer,
    )


def test_renewal_up_to_the_next_bookings_turnaround_is_allowed(iom_officer):
    bedspace = make_bedspace(turnaround=2)
    placement = book(accepted_referral(), bedspace, today(), iom_officer)
    following = make_placement(bedspace, starts_on=placement.free_from + days(10))
    ends_on = last_free_end(2, following.starts_on)

    licence_renew(
        placement_id=placement.pk,
        days=(ends_on - placement.ends_on).days,
        reason="More time.",
        by=iom_officer,
    )

    placement.refresh_from_db()
    assert placement.ends_on == ends_on
    assert placement.free_from <= following.starts_on


def test_renewal_into_a_void_period_is_refused_naming_it(iom_officer):
    bedspace = make_bedspace()
    placement = book(accepted_referral(), bedspace, today(), iom_officer)
    void = VoidPeriodFactory(bedspace=bedspace, starts_on=placement.free_from + days(3), ends_on=None)

    error = refused(licence_renew, placement_id=placement.pk, days=14, reason="More time.", by=iom_officer)

    assert long_date(void.starts_on) in text(error)


def test_renewal_over_the_persons_other_placement_is_refused(iom_officer):
    referral = accepted_referral()
    placement = book(referral, make_bedspace(), today(), iom_officer)
    make_placement(make_bedspace(), starts_on=placement.ends_on + days(3), offender=referral.offender)

    error = refused(licence_renew, placement_id=placement.pk, days=14, reason="More time.", by=iom_officer)

    assert "another placement" in text(error)
    assert long_date(placement.ends_on + days(3)) in text(error)


@pytest.mark.parametrize(
    ("status", "label"),
    [(Status.ENDED, "ended"), (Status.CANCELLED, "cancelled"), (Status.NOT_ARRIVED, "did not arrive")],
)
def test_renewal_of_a_finished_placement_is_refused_naming_its_state(iom_officer, status, label):
    placement = make_placement(make_bedspace(), starts_on=today() - days(10), length=5, status=status)

    error = refused(licence_renew, placement_id=placement.pk, days=7, reason="More time.", by=iom_officer)

    assert f"is marked “{label}”" in text(error).lower()


# --- Ending a placement -------------------------------------------------------------------------


def test_ending_a_placement_records_the_departure_and_frees_the_bedspace_after_turnaround(iom_officer):
    bedspace = make_bedspace(turnaround=2)
    placement = make_placement(bedspace, starts_on=today() - days(10), status=Status.ACTIVE)
    departed_on = today() - days(1)

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
    friday = today() - days((today().weekday() - 4) % 7)  # the latest Friday, today or before
    bedspace = make_bedspace(turnaround=2)
    placement = make_placement(bedspace, starts_on=friday - days(7), status=Status.ACTIVE)

    placement_end(
        placement_id=placement.pk,
        departed_on=friday,
        reason=DepartureReason.LICENCE_ENDED,
        destination=Destination.FAMILY,
        by=iom_officer,
    )

    placement.refresh_from_db()
    assert placement.free_from == free_from(friday, 2)
    assert placement.free_from >= friday + days(5)  # the weekend is not turnaround: Wednesday at the earliest


def test_ending_after_the_licence_ran_out_records_the_real_departure(iom_officer):
    bedspace = make_bedspace()
    placement = make_placement(bedspace, starts_on=today() - days(30), length=20, status=Status.ACTIVE)
    assert placement.is_overrun(today())

    placement_end(
        placement_id=placement.pk,
        departed_on=today() - days(2),
        reason=DepartureReason.ABANDONED,
        destination=Destination.UNKNOWN,
        by=iom_officer,
    )

    placement.refresh_from_db()
    assert placement.ends_on == today() - days(2)
    assert placement.free_from == free_from(today() - days(2), bedspace.property.turnaround_days)


def test_after_an_early_departure_the_bedspace_can_be_booked_from_its_free_from_day(iom_officer):
    bedspace = make_bedspace(turnaround=1)
    placement = make_placement(bedspace, starts_on=today() - days(12), status=Status.ACTIVE)
    placement_end(
        placement_id=placement.pk,
        departed_on=today() - days(10),
        reason=DepartureReason.EVICTION,
        destination=Destination.NO_FIXED_ABODE,
        by=iom_officer,
    )
    placement.refresh_from_db()

    refused(
        place_offender,
        referral_id=accepted_referral().pk,
        bedspace_id=bedspace.pk,
        starts_on=placement.free_from - days(1),
        by=iom_officer,
    )
    rebooked = book(accepted_referral(), bedspace, placement.free_from, iom_officer)

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
    placement = make_placement(make_bedspace(), starts_on=today() - days(5), status=Status.ACTIVE)
    dates = {
        "tomorrow": today() + days(1),
        "arrival": placement.arrived_on,
        "before_arrival": placement.arrived_on - days(1),
    }
    values = {
        "departed_on": today(),
        "reason": DepartureReason.RECALLED,
        "destination": Destination.CUSTODY,
    } | change
    values["departed_on"] = dates.get(values["departed_on"], values["departed_on"])

    error = refused(placement_end, placement_id=placement.pk, by=iom_officer, **values)

    assert list(error.message_dict) == [field]


@pytest.mark.parametrize(
    ("status", "label"),
    [(Status.PROVISIONAL, "provisional"), (Status.CONFIRMED, "confirmed"), (Status.ENDED, "ended")],
)
def test_ending_is_refused_unless_active_naming_the_state(iom_officer, status, label):
    placement = make_placement(make_bedspace(), starts_on=today() - days(10), length=5, status=status)

    error = refused(
        placement_end,
        placement_id=placement.pk,
        departed_on=today(),
        reason=DepartureReason.RECALLED,
        destination=Destination.CUSTODY,
        by=iom_officer,
    )

    assert f"is marked “{label}”" in text(error).lower()


# --- Void periods -------------------------------------------------------------------------------


def test_adding_a_void_period_takes_the_bedspace_out_of_use(iom_officer):
    bedspace = make_bedspace()

    void = void_add(
        bedspace_id=bedspace.pk,
        starts_on=today() + days(1),
        ends_on=today() + days(8),
        reason=VoidPeriod.Reason.REPAIRS,
        notes="Boiler.",
        by=iom_officer,
    )

    void.refresh_from_db()
    assert (void.bedspace, void.starts_on, void.ends_on) == (bedspace, today() + days(1), today() + days(8))
    assert void.reason == VoidPeriod.Reason.REPAIRS
    assert void.notes == "Boiler."
    assert void.created_by == iom_officer
    assert bedspace not in selectors.available_bedspaces(starts_on=today(), ends_on=today() + days(3))


def test_adding_an_open_ended_void_period_is_allowed(iom_officer):
    void = void_add(
        bedspace_id=make_bedspace().pk,
        starts_on=today(),
        ends_on=None,
        reason=VoidPeriod.Reason.SAFETY,
        by=iom_officer,
    )

    assert void.ends_on is None


def test_void_over_a_placement_is_refused_naming_it(iom_officer):
    bedspace = make_bedspace()
    placement = make_placement(bedspace, starts_on=today(), length=14)

    error = refused(
        void_add,
        bedspace_id=bedspace.pk,
        starts_on=today() + days(5),
        ends_on=today() + days(7),
        reason=VoidPeriod.Reason.DAMAGE,
        by=iom_officer,
    )

    assert list(error.message_dict) == ["starts_on"]
    assert long_date(placement.starts_on) in text(error)


def test_void_in_a_placements_turnaround_is_refused(iom_officer):
    bedspace = make_bedspace(turnaround=2)
    placement = make_placement(bedspace, starts_on=today(), length=14)

    refused(
        void_add,
        bedspace_id=bedspace.pk,
        starts_on=placement.ends_on,
        ends_on=placement.ends_on + days(1),
        reason=VoidPeriod.Reason.DEEP_CLEAN,
        by=iom_officer,
    )


def test_open_ended_void_before_a_later_booking_is_refused(iom_officer):
    bedspace = make_bedspace()
    make_placement(bedspace, starts_on=today() + days(30))

    refused(
        void_add,
        bedspace_id=bedspace.pk,
        starts_on=today(),
        ends_on=None,
        reason=VoidPeriod.Reason.REPAIRS,
        by=iom_officer,
    )


def test_void_from_the_day_a_placement_frees_the_bedspace_is_allowed(iom_officer):
    bedspace = make_bedspace(turnaround=2)
    placement = make_placement(bedspace, starts_on=today(), length=14)

    void = void_add(
        bedspace_id=bedspace.pk,
        starts_on=placement.free_from,
        ends_on=None,
        reason=VoidPeriod.Reason.REPAIRS,
        by=iom_officer,
    )

    assert void.starts_on == placement.free_from


def test_void_over_another_void_is_refused(iom_officer):
    bedspace = make_bedspace()
    existing = VoidPeriodFactory(bedspace=bedspace, starts_on=today(), ends_on=today() + days(10))

    error = refused(
        void_add,
        bedspace_id=bedspace.pk,
        starts_on=today() + days(9),
        ends_on=today() + days(12),
        reason=VoidPeriod.Reason.REPAIRS,
        by=iom_officer,
    )

    assert long_date(existing.starts_on) in text(error)


@pytest.mark.parametrize(
    ("ends_in", "reason", "field"),
    [
        (5, "flood", "reason"),
        (5, "", "reason"),
        (0, VoidPeriod.Reason.REPAIRS, "ends_on"),
        (-1, "repairs", "ends_on"),
    ],
)
def test_void_with_a_bad_reason_or_dates_is_refused(iom_officer, ends_in, reason, field):
    error = refused(
        void_add,
        bedspace_id=make_bedspace().pk,
        starts_on=today(),
        ends_on=today() + days(ends_in),
        reason=reason,
        by=iom_officer,
    )

    assert list(error.message_dict) == [field]


def test_ending_a_void_early_puts_the_bedspace_back_in_use(iom_officer):
    bedspace = make_bedspace()
    void = VoidPeriodFactory(bedspace=bedspace, starts_on=today() - days(3), ends_on=today() + days(20))

    void_end(void_id=void.pk, ends_on=today() + days(1), by=iom_officer)

    void.refresh_from_db()
    assert void.ends_on == today() + days(1)
    assert book(accepted_referral(), bedspace, today() + days(1), iom_officer).starts_on == today() + days(1)


def test_an_open_ended_void_can_be_given_an_end(iom_officer):
    void = VoidPeriodFactory(bedspace=make_bedspace(), starts_on=today() - days(3), ends_on=None)

    void_end(void_id=void.pk, ends_on=today() + days(30), by=iom_officer)

    void.refresh_from_db()
    assert void.ends_on == today() + days(30)


def test_a_void_cannot_be_lengthened(iom_officer):
    void = VoidPeriodFactory(bedspace=make_bedspace(), starts_on=today(), ends_on=today() + days(5))

    error = refused(void_end, void_id=void.pk, ends_on=today() + days(6), by=iom_officer)

    assert "not lengthened" in text(error)


@pytest.mark.parametrize("before", [0, 1])
def test_a_void_cannot_end_on_or_before_its_start(iom_officer, before):
    void = VoidPeriodFactory(bedspace=make_bedspace(), starts_on=today(), ends_on=today() + days(5))

    error = refused(void_end, void_id=void.pk, ends_on=today() - days(before), by=iom_officer)

    assert long_date(void.starts_on) in text(error)


# --- Unknown records ----------------------------------------------------------------------------

UNKNOWN = 999_999


@pytest.mark.parametrize(
    "call",
    [
        "place_offender:referral",
        "place_offender:bedspace",
        "placement_confirm",
        "placement_arrive",
        "placement_not_arrived",
        "placement_cancel",
        "licence_renew",
        "placement_end",
        "void_add",
        "void_end",
    ],
)
def test_an_unknown_id_is_refused_with_a_validation_error(iom_officer, call):
    known = {"referral": accepted_referral().pk, "bedspace": make_bedspace().pk}
    calls = {
        "place_offender:referral": lambda: place_offender(
            referral_id=UNKNOWN, bedspace_id=known["bedspace"], starts_on=today(), by=iom_officer
        ),
        "place_offender:bedspace": lambda: place_offender(
            referral_id=known["referral"], bedspace_id=UNKNOWN, starts_on=today(), by=iom_officer
        ),
        "placement_confirm": lambda: placement_confirm(placement_id=UNKNOWN, by=iom_officer),
        "placement_arrive": lambda: placement_arrive(
            placement_id=UNKNOWN, arrived_on=today(), by=iom_officer
        ),
        "placement_not_arrived": lambda: placement_not_arrived(placement_id=UNKNOWN, by=iom_officer),
        "placement_cancel": lambda: placement_cancel(placement_id=UNKNOWN, reason="No.", by=iom_officer),
        "licence_renew": lambda: licence_renew(placement_id=UNKNOWN, days=7, reason="More.", by=iom_officer),
        "placement_end": lambda: placement_end(
            placement_id=UNKNOWN,
            departed_on=today(),
            reason=DepartureReason.RECALLED,
            destination=Destination.CUSTODY,
            by=iom_officer,
        ),
        "void_add": lambda: void_add(
            bedspace_id=UNKNOWN, starts_on=today(), ends_on=None, reason="repairs", by=iom_officer
        ),
        "void_end": lambda: void_end(void_id=UNKNOWN, ends_on=today(), by=iom_officer),
    }

    with pytest.raises(ValidationError):
        calls[call]()


# --- Two officers at the same moment ------------------------------------------------------------


def at_the_same_moment(*calls) -> list:
    """Run each call in its own thread (its own connection, its own transaction), released
    together by a barrier; return each call's result or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except BaseException as error:  # noqa: BLE001 - the test inspects whatever happened
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a booking hung (a deadlock?)"
    return outcomes


def one_won_one_refused(outcomes: list, winner_type) -> ValidationError:
    winners = [o for o in outcomes if isinstance(o, winner_type)]
    losers = [o for o in outcomes if not isinstance(o, winner_type)]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1 and type(losers[0]) is ValidationError, outcomes
    return losers[0]


@pytest.mark.django_db(transaction=True)
def test_two_officers_booking_one_bedspace_at_once_one_succeeds_and_the_other_is_told_why(iom_officer):
    bedspace = make_bedspace()
    first, second = accepted_referral(), accepted_referral()
    start = today() + days(7)

    outcomes = at_the_same_moment(
        lambda: book(first, bedspace, start, iom_officer),
        lambda: book(second, bedspace, start + days(3), iom_officer),
    )

    error = one_won_one_refused(outcomes, Placement)
    assert Placement.objects.filter(bedspace=bedspace).count() == 1
    assert LicenceTerm.objects.filter(placement__bedspace=bedspace).count() == 1
    assert "bedspace" in text(error)


@pytest.mark.django_db(transaction=True)
def test_one_person_booked_into_two_bedspaces_at_once_gets_one_placement(iom_officer):
    offender = OffenderFactory()
    first, second = accepted_referral(offender=offender), accepted_referral(offender=offender)
    beds = [make_bedspace(), make_bedspace()]
    start = today() + days(7)

    outcomes = at_the_same_moment(
        lambda: book(first, beds[0], start, iom_officer),
        lambda: book(second, beds[1], start, iom_officer),
    )

    error = one_won_one_refused(outcomes, Placement)
    assert Placement.objects.filter(offender=offender).count() == 1
    assert "placement" in text(error)


@pytest.mark.django_db(transaction=True)
def test_one_referral_booked_twice_at_once_is_placed_once(iom_officer):
    referral = accepted_referral()
    beds = [make_bedspace(), make_bedspace()]
    start = today() + days(7)

    outcomes = at_the_same_moment(
        lambda: book(referral, beds[0], start, iom_officer),
        lambda: book(referral, beds[1], start, iom_officer),
    )

    error = one_won_one_refused(outcomes, Placement)
    assert Placement.objects.filter(referral=referral).count() == 1
    assert "already been placed" in text(error)


@pytest.mark.django_db(transaction=True)
def test_renewal_and_a_booking_into_the_same_days_at_once_one_succeeds(iom_officer):
    bedspace = make_bedspace(turnaround=2)
    current = make_placement(bedspace, starts_on=today() - days(10), status=Status.ACTIVE)
    next_start = current.free_from + days(5)
    newcomer = accepted_referral()
    before = (current.ends_on, current.free_from)

    outcomes = at_the_same_moment(
        lambda: licence_renew(placement_id=current.pk, days=28, reason="More time.", by=iom_officer),
        lambda: book(newcomer, bedspace, next_start, iom_officer),
    )

    renewed, booked = outcomes
    assert [isinstance(renewed, LicenceTerm), isinstance(booked, Placement)].count(True) == 1, outcomes
    assert [type(o) for o in outcomes].count(ValidationError) == 1, outcomes
    current.refresh_from_db()
    if isinstance(renewed, LicenceTerm):
        assert not Placement.objects.filter(referral=newcomer).exists()
        assert current.ends_on == before[0] + days(28)
    else:
        assert Placement.objects.filter(referral=newcomer).count() == 1
        assert (current.ends_on, current.free_from) == before
        assert current.licence_terms.count() == 1


def test_ending_before_the_person_was_last_seen_at_home_is_refused(iom_officer):
    from datetime import datetime, time

    from tests.factories import HomeVisitFactory

    arrived = today() - days(10)
    placement = make_placement(make_bedspace(), starts_on=arrived, status=Status.ACTIVE)
    seen_on = today() - days(2)
    HomeVisitFactory(
        placement=placement,
        visited_at=timezone.make_aware(datetime.combine(seen_on, time(11))),
        kind="home",
        outcome="seen",
    )

    error = refused(
        placement_end,
        placement_id=placement.pk,
        departed_on=today() - days(5),
        reason="planned_move_on",
        destination="social_rent",
        by=iom_officer,
    )

    assert "after this departure date" in text(error)
    placement.refresh_from_db()
    assert placement.status == Status.ACTIVE


def test_each_step_of_a_placement_bumps_its_referrals_updated_at_for_api_sync(iom_officer):
    from referrals.models import Referral as ReferralModel

    referral = accepted_referral()
    stamps = []

    def stamp():
        stamps.append(ReferralModel.objects.get(pk=referral.pk).updated_at)

    stamp()
    placement = book(referral, make_bedspace(), today(), iom_officer)
    stamp()
    placement_confirm(placement_id=placement.pk, by=iom_officer)
    stamp()
    placement_arrive(placement_id=placement.pk, arrived_on=today(), by=iom_officer)
    stamp()
    licence_renew(placement_id=placement.pk, days=7, reason="Waiting for a flat", by=iom_officer)
    stamp()
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
