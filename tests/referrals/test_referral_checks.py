"""What a careful officer checks on a referral: a supervision licence that has already ended, text
too long for a case record, and a person who already has a place."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from placements.models import Placement
from referrals.models import Referral
from referrals.services import referral_accept
from tests.clock import london
from tests.factories import PlacementFactory, ReferralFactory
from tests.referrals.test_agency_referrals import submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pinned(time_machine):
    time_machine.move_to(london(2026, 12, 4, 0, 30), tick=False)


def test_a_licence_ending_today_is_accepted_and_yesterday_is_not(agency, agency_worker):
    referral = submit(agency, agency_worker, person={"licence_ends_on": date(2026, 12, 4)})
    assert referral.offender.licence_ends_on == date(2026, 12, 4)
    with pytest.raises(ValidationError) as error:
        submit(agency, agency_worker, person={"first_name": "Other", "licence_ends_on": date(2026, 12, 3)})
    assert "licence_ends_on" in error.value.message_dict


def test_text_up_to_the_limit_is_kept_and_one_more_character_is_refused(agency, agency_worker, iom_officer):
    referral = submit(agency, agency_worker, reason="x" * 2000, person={"safety_warnings": "y" * 2000})
    assert len(referral.reason) == 2000
    with pytest.raises(ValidationError) as error:
        referral_accept(referral_id=referral.pk, by=iom_officer, notes="z" * 2001)
    assert error.value.message_dict["notes"] == [
        "Enter 2,000 characters or fewer: this is 1 character too long."
    ]
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.SUBMITTED


def test_the_officer_is_warned_that_the_person_is_already_placed(iom_officer_client):
    placed = PlacementFactory(
        status=Placement.Status.ACTIVE,
        starts_on=date(2026, 11, 20),
        arrived_on=date(2026, 11, 20),
        ends_on=date(2026, 12, 18),
    )
    again = ReferralFactory(offender=placed.offender)
    content = iom_officer_client.get(again.get_absolute_url()).content.decode()
    assert 'data-testid="placed-elsewhere"' in content
    assert "already placed" in content and "20 November 2026" in content and "18 December 2026" in content
    # A booking under another referral is said too; the placement made from this referral is not.
    Placement.objects.filter(pk=placed.pk).update(status=Placement.Status.CONFIRMED, arrived_on=None)
    assert "already has a booking" in iom_officer_client.get(again.get_absolute_url()).content.decode()
    Placement.objects.filter(pk=placed.pk).update(referral=again)
    assert "placed-elsewhere" not in iom_officer_client.get(again.get_absolute_url()).content.decode()


def test_no_warning_once_the_stay_has_ended_or_after_the_decision(iom_officer_client):
    ended = PlacementFactory(
        status=Placement.Status.ENDED,
        starts_on=date(2026, 10, 1),
        arrived_on=date(2026, 10, 1),
        ends_on=date(2026, 10, 20),
        departed_on=date(2026, 10, 20),
        free_from=date(2026, 10, 22),
        departure_reason="planned_move_on",
        destination="social_rent",
    )
    again = ReferralFactory(offender=ended.offender)
    assert "placed-elsewhere" not in iom_officer_client.get(again.get_absolute_url()).content.decode()
