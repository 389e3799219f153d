"""The referrer is told by email, naming no one, when their referral is decided and when a place is
booked on it; once each, whoever runs the task."""

import pytest

from outbox.models import OutboxMessage
from placements.services import place_offender
from referrals.models import Referral, ReferralEvent
from referrals.services import referral_accept, referral_decline
from referrals.tasks import send_referrer_email
from tests.placements import helpers as h
from tests.referrals.test_agency_referrals import submit

pytestmark = pytest.mark.django_db

SURNAME = "Quillfeather"  # no factory makes it, no email text contains it
FORENAME = "Zephyrine"  # nor this (a random first name such as "Will" could be any email's word)


@pytest.fixture
def referral(agency, agency_worker):
    agency_worker.email = "referrer@example.org"
    agency_worker.save()
    return submit(
        agency, agency_worker, person={"last_name": SURNAME, "first_name": FORENAME}, external_ref="PROB-123"
    )


def test_the_referrer_is_told_of_the_acceptance_and_the_booking(
    referral, iom_officer, mailoutbox, django_capture_on_commit_callbacks
):
    assert referral.offender.first_name == FORENAME
    assert mailoutbox == []  # submitting tells no one
    with django_capture_on_commit_callbacks(execute=True):
        referral_accept(referral_id=referral.pk, by=iom_officer)
    with django_capture_on_commit_callbacks(execute=True):
        place_offender(
            referral_id=referral.pk,
            bedspace_id=h.make_bedspace().pk,
            starts_on=h.today() + h.days(2),
            by=iom_officer,
        )
    assert [m.subject for m in mailoutbox] == [
        "IOM Housing: your referral was accepted",
        "IOM Housing: a place was booked for your referral",
    ]
    for message in mailoutbox:
        assert message.to == ["referrer@example.org"]
        assert SURNAME not in message.body and FORENAME not in message.body
        assert "(your reference PROB-123)" in message.body
        assert referral.get_absolute_url() in message.body


def test_a_decline_is_told_once_however_often_the_task_runs(
    referral, iom_officer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral_decline(referral_id=referral.pk, reason=Referral.DeclineReason.NOT_ELIGIBLE, by=iom_officer)
    event = ReferralEvent.objects.get(referral=referral, kind=ReferralEvent.Kind.DECLINED)
    assert send_referrer_email(event.pk) == 0  # a redelivered task
    assert [m.subject for m in mailoutbox] == ["IOM Housing: your referral was declined"]
    assert OutboxMessage.objects.filter(task="referrals.send_referrer_email").count() == 1


def test_no_email_without_someone_to_tell(
    agency, agency_worker, iom_officer, mailoutbox, django_capture_on_commit_callbacks
):
    agency_worker.email = ""
    agency_worker.save()
    quiet = submit(agency, agency_worker)
    with django_capture_on_commit_callbacks(execute=True):
        referral_accept(referral_id=quiet.pk, by=iom_officer)
    assert mailoutbox == []
