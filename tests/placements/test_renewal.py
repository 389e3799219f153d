"""Licence renewal (`licence_renew`): terms of up to 28 days from the day the last one ends, never
into the next booking, its turnaround, a void or the person's other placement."""

from datetime import date

import pytest
from django.urls import reverse

from placements.dates import free_from
from placements.models import Placement
from placements.services import licence_renew
from tests.clock import london
from tests.factories import VoidPeriodFactory
from tests.helpers import post_as_shown
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


# A refusal explains itself: what is in the way, the turnaround, the longest renewal possible -----


@pytest.fixture
def first_of_december(time_machine):
    time_machine.move_to(london(2026, 12, 1, 10), tick=False)


def test_a_renewal_refused_by_the_next_booking_says_why_and_the_longest_possible(
    iom_officer, first_of_december
):
    # Booked from Tuesday 1 December for 14 nights (to the 15th); the next booking of the bedspace
    # is from Thursday 24 December to the 31st, held to 6 January (turnaround 4th and 5th, past
    # New Year's Day and the weekend); 2 working days' turnaround. A renewal must end by Monday
    # 21st (turnaround 22nd and 23rd): 6 days. 28 days (to 12 January) is refused.
    bedspace = h.make_bedspace(turnaround=2)
    placement = h.book(h.accepted_referral(), bedspace, date(2026, 12, 1), iom_officer, days=14)
    h.make_placement(bedspace, starts_on=date(2026, 12, 24), length=7)

    error = h.refused(licence_renew, placement_id=placement.pk, days=28, reason="More time.", by=iom_officer)

    [item] = error.error_dict["days"]
    assert item.code == "renewal_blocked"
    assert item.params == {
        "placement_id": placement.pk,
        "next_starts_on": date(2026, 12, 24),
        "hold": "booking",
        "turnaround_days": 2,
        "longest_days": 6,
        "longest_ends_on": date(2026, 12, 21),
    }
    assert h.text(error) == (
        "A licence until 12 January 2027 cannot be granted: the next booking of this bedspace starts on "
        "24 December 2026 (it holds the bedspace until 6 January 2027, with turnaround), and the property "
        "needs 2 working days of turnaround before it (weekends and bank holidays are not counted). "
        "The longest renewal possible is 6 days, to 21 December 2026. "
        "To keep them housed beyond that, move them to another bedspace."
    )
    # The longest renewal it names is granted.
    licence_renew(placement_id=placement.pk, days=6, reason="More time.", by=iom_officer)


def test_a_renewal_over_christmas_counts_the_turnaround_in_working_days(iom_officer, first_of_december):
    # Next booking from Tuesday 29 December; 1 working day's turnaround. Ending on Thursday 24th,
    # the turnaround skips Christmas, the weekend and Boxing Day's substitute (Monday 28th) and
    # falls on Tuesday 29th, the booking's first day. So a renewal must end by Wednesday 23rd
    # (turnaround Thursday 24th): 8 days from the 15th.
    bedspace = h.make_bedspace(turnaround=1)
    placement = h.book(h.accepted_referral(), bedspace, date(2026, 12, 1), iom_officer, days=14)
    h.make_placement(bedspace, starts_on=date(2026, 12, 29), length=7)

    error = h.refused(licence_renew, placement_id=placement.pk, days=9, reason="More time.", by=iom_officer)

    assert error.error_dict["days"][0].params["longest_ends_on"] == date(2026, 12, 23)
    assert "1 working day of turnaround" in h.text(error)
    assert "The longest renewal possible is 8 days, to 23 December 2026." in h.text(error)


def test_a_renewal_with_no_room_at_all_says_none_is_possible(iom_officer, first_of_december):
    bedspace = h.make_bedspace(turnaround=2)
    placement = h.book(h.accepted_referral(), bedspace, date(2026, 12, 1), iom_officer, days=14)
    h.make_placement(bedspace, starts_on=placement.free_from, length=7)

    error = h.refused(licence_renew, placement_id=placement.pk, days=1, reason="More time.", by=iom_officer)

    assert error.error_dict["days"][0].params["longest_ends_on"] is None
    assert "No renewal is possible in this bedspace." in h.text(error)


def test_a_renewal_refused_by_a_void_names_it_and_the_longest_possible(iom_officer, first_of_december):
    bedspace = h.make_bedspace(turnaround=0)
    placement = h.book(h.accepted_referral(), bedspace, date(2026, 12, 1), iom_officer, days=14)
    VoidPeriodFactory(bedspace=bedspace, starts_on=date(2026, 12, 20), ends_on=None)

    error = h.refused(licence_renew, placement_id=placement.pk, days=14, reason="More time.", by=iom_officer)

    assert "the bedspace is void from 20 December 2026 with no end date" in h.text(error)
    assert "The longest renewal possible is 5 days, to 20 December 2026." in h.text(error)
    assert "0 working days of turnaround" in h.text(error)


def test_the_renewal_page_shows_the_explanation_by_the_days_field(iom_officer_client, first_of_december):
    officer = iom_officer_client
    bedspace = h.make_bedspace(turnaround=2)
    placement = h.make_placement(bedspace, starts_on=date(2026, 12, 1), length=14, status=Status.ACTIVE)
    h.make_placement(bedspace, starts_on=date(2026, 12, 24), length=7)
    url = reverse("placements:placement-renew", args=[placement.public_id])

    response = post_as_shown(officer, url, {"days": "28", "reason": "Waiting for a flat"})

    assert response.status_code == 200
    [message] = response.context["form"].errors["days"]
    assert message.startswith("A licence until 12 January 2027 cannot be granted")
    assert "The longest renewal possible is 6 days, to 21 December 2026." in response.content.decode()
