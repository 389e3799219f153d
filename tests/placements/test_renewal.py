"""Licence renewal (`licence_renew`): terms of up to 28 days from the day the last one ends, never
into the next booking, its turnaround, a void or the person's other placement."""

import pytest

from placements.dates import free_from
from placements.models import Placement
from placements.services import licence_renew
from tests.factories import VoidPeriodFactory
from tests.placements import helpers as h

pytestmark = pytest.mark.django_db

Status = Placement.Status


def test_renewals_add_terms_from_the_day_the_last_one_ends(iom_officer):
    bedspace = h.make_bedspace(turnaround=2)
    start = h.today()
    placement = h.book(h.accepted_referral(), bedspace, start, iom_officer)

    second = licence_renew(
        placement_id=placement.pk, days=14, reason="Waiting for a council flat.", by=iom_officer
    )
    third = licence_renew(placement_id=placement.pk, days=7, reason="Tenancy starts soon.", by=iom_officer)

    assert (second.number, second.starts_on, second.ends_on) == (2, start + h.days(28), start + h.days(42))
    assert second.reason == "Waiting for a council flat."
    assert second.created_by == iom_officer
    assert (third.number, third.starts_on, third.ends_on) == (3, start + h.days(42), start + h.days(49))
    assert list(placement.licence_terms.values_list("number", flat=True)) == [1, 2, 3]
    placement.refresh_from_db()
    assert placement.ends_on == start + h.days(49)
    assert placement.free_from == free_from(start + h.days(49), 2)


def test_renewal_of_an_overrunning_placement_runs_on_from_its_last_term(iom_officer):
    bedspace = h.make_bedspace()
    placement = h.make_placement(bedspace, starts_on=h.today() - h.days(20), length=14, status=Status.ACTIVE)
    ended_on = placement.ends_on

    term = licence_renew(placement_id=placement.pk, days=28, reason="Overran: renewed late.", by=iom_officer)

    assert term.starts_on == ended_on
    placement.refresh_from_db()
    assert not placement.is_overrun(h.today())


@pytest.mark.parametrize("length", [0, 29])
def test_renewal_for_days_outside_1_to_28_is_refused(iom_officer, length):
    placement = h.book(h.accepted_referral(), h.make_bedspace(), h.today(), iom_officer)

    error = h.refused(
        licence_renew, placement_id=placement.pk, days=length, reason="More time.", by=iom_officer
    )

    assert list(error.message_dict) == ["days"]


@pytest.mark.parametrize("reason", ["", "  "])
def test_renewal_needs_a_reason(iom_officer, reason):
    placement = h.book(h.accepted_referral(), h.make_bedspace(), h.today(), iom_officer)

    error = h.refused(licence_renew, placement_id=placement.pk, days=7, reason=reason, by=iom_officer)

    assert list(error.message_dict) == ["reason"]


def test_renewal_past_next_booking_is_refused(iom_officer):
    bedspace = h.make_bedspace(turnaround=2)
    placement = h.book(h.accepted_referral(), bedspace, h.today(), iom_officer)
    following = h.make_placement(bedspace, starts_on=placement.free_from + h.days(5))

    error = h.refused(licence_renew, placement_id=placement.pk, days=28, reason="More time.", by=iom_officer)

    assert list(error.message_dict) == ["days"]
    assert h.long_date(placement.ends_on + h.days(28)) in h.text(error)
    assert h.long_date(following.starts_on) in h.text(error)
    assert h.long_date(following.free_from) in h.text(error)


def test_renewal_whose_turnaround_runs_into_the_next_booking_is_refused(iom_officer):
    bedspace = h.make_bedspace(turnaround=2)
    placement = h.book(h.accepted_referral(), bedspace, h.today(), iom_officer)
    following = h.make_placement(bedspace, starts_on=placement.free_from + h.days(10))

    # Ending the day the next booking starts leaves no time to turn the bedspace round.
    h.refused(
        licence_renew,
        placement_id=placement.pk,
        days=(following.starts_on - placement.ends_on).days,
        reason="More time.",
        by=iom_officer,
    )


def test_renewal_up_to_the_next_bookings_turnaround_is_allowed(iom_officer):
    bedspace = h.make_bedspace(turnaround=2)
    placement = h.book(h.accepted_referral(), bedspace, h.today(), iom_officer)
    following = h.make_placement(bedspace, starts_on=placement.free_from + h.days(10))
    ends_on = h.last_free_end(2, following.starts_on)

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
    bedspace = h.make_bedspace()
    placement = h.book(h.accepted_referral(), bedspace, h.today(), iom_officer)
    void = VoidPeriodFactory(bedspace=bedspace, starts_on=placement.free_from + h.days(3), ends_on=None)

    error = h.refused(licence_renew, placement_id=placement.pk, days=14, reason="More time.", by=iom_officer)

    assert h.long_date(void.starts_on) in h.text(error)


def test_renewal_over_the_persons_other_placement_is_refused(iom_officer):
    referral = h.accepted_referral()
    placement = h.book(referral, h.make_bedspace(), h.today(), iom_officer)
    h.make_placement(h.make_bedspace(), starts_on=placement.ends_on + h.days(3), offender=referral.offender)

    error = h.refused(licence_renew, placement_id=placement.pk, days=14, reason="More time.", by=iom_officer)

    assert "another placement" in h.text(error)
    assert h.long_date(placement.ends_on + h.days(3)) in h.text(error)


@pytest.mark.parametrize(
    ("status", "label"),
    [(Status.ENDED, "ended"), (Status.CANCELLED, "cancelled"), (Status.NOT_ARRIVED, "did not arrive")],
)
def test_renewal_of_a_finished_placement_is_refused_naming_its_state(iom_officer, status, label):
    placement = h.make_placement(h.make_bedspace(), starts_on=h.today() - h.days(10), length=5, status=status)

    error = h.refused(licence_renew, placement_id=placement.pk, days=7, reason="More time.", by=iom_officer)

    assert f"is marked “{label}”" in h.text(error).lower()
