"""Two officers at the same moment: each in its own transaction, one change wins and the other is
refused with a reason, never two bookings of one bedspace, person or referral."""

import pytest
from django.core.exceptions import ValidationError

from placements.models import LicenceTerm, Placement
from placements.services import licence_renew
from tests.factories import OffenderFactory
from tests.helpers import at_the_same_moment
from tests.placements import helpers as h

pytestmark = pytest.mark.django_db

Status = Placement.Status


def one_won_one_refused(outcomes: list, winner_type) -> ValidationError:
    winners = [o for o in outcomes if isinstance(o, winner_type)]
    losers = [o for o in outcomes if not isinstance(o, winner_type)]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1 and type(losers[0]) is ValidationError, outcomes
    return losers[0]


@pytest.mark.django_db(transaction=True)
def test_two_officers_booking_one_bedspace_at_once_one_succeeds_and_the_other_is_told_why(iom_officer):
    bedspace = h.make_bedspace()
    first, second = h.accepted_referral(), h.accepted_referral()
    start = h.today() + h.days(7)

    outcomes = at_the_same_moment(
        lambda: h.book(first, bedspace, start, iom_officer),
        lambda: h.book(second, bedspace, start + h.days(3), iom_officer),
    )

    error = one_won_one_refused(outcomes, Placement)
    assert Placement.objects.filter(bedspace=bedspace).count() == 1
    assert LicenceTerm.objects.filter(placement__bedspace=bedspace).count() == 1
    assert "bedspace" in h.text(error)


@pytest.mark.django_db(transaction=True)
def test_one_person_booked_into_two_bedspaces_at_once_gets_one_placement(iom_officer):
    offender = OffenderFactory()
    first, second = h.accepted_referral(offender=offender), h.accepted_referral(offender=offender)
    beds = [h.make_bedspace(), h.make_bedspace()]
    start = h.today() + h.days(7)

    outcomes = at_the_same_moment(
        lambda: h.book(first, beds[0], start, iom_officer),
        lambda: h.book(second, beds[1], start, iom_officer),
    )

    error = one_won_one_refused(outcomes, Placement)
    assert Placement.objects.filter(offender=offender).count() == 1
    assert "placement" in h.text(error)


@pytest.mark.django_db(transaction=True)
def test_one_referral_booked_twice_at_once_is_placed_once(iom_officer):
    referral = h.accepted_referral()
    beds = [h.make_bedspace(), h.make_bedspace()]
    start = h.today() + h.days(7)

    outcomes = at_the_same_moment(
        lambda: h.book(referral, beds[0], start, iom_officer),
        lambda: h.book(referral, beds[1], start, iom_officer),
    )

    error = one_won_one_refused(outcomes, Placement)
    assert Placement.objects.filter(referral=referral).count() == 1
    assert "already been placed" in h.text(error)


@pytest.mark.django_db(transaction=True)
def test_renewal_and_a_booking_into_the_same_days_at_once_one_succeeds(iom_officer):
    bedspace = h.make_bedspace(turnaround=2)
    current = h.make_placement(bedspace, starts_on=h.today() - h.days(10), status=Status.ACTIVE)
    next_start = current.free_from + h.days(5)
    newcomer = h.accepted_referral()
    before = (current.ends_on, current.free_from)

    outcomes = at_the_same_moment(
        lambda: licence_renew(placement_id=current.pk, days=28, reason="More time.", by=iom_officer),
        lambda: h.book(newcomer, bedspace, next_start, iom_officer),
    )

    renewed, booked = outcomes
    assert [isinstance(renewed, LicenceTerm), isinstance(booked, Placement)].count(True) == 1, outcomes
    assert [type(o) for o in outcomes].count(ValidationError) == 1, outcomes
    current.refresh_from_db()
    if isinstance(renewed, LicenceTerm):
        assert not Placement.objects.filter(referral=newcomer).exists()
        assert current.ends_on == before[0] + h.days(28)
    else:
        assert Placement.objects.filter(referral=newcomer).count() == 1
        assert (current.ends_on, current.free_from) == before
        assert current.licence_terms.count() == 1
