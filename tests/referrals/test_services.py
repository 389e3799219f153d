"""The referral services: review, accept, decline and withdraw, each guarded by the referral's
state; and recording offending and compliance events. Each refusal is a ValidationError that
leaves the rows as they were."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from referrals.models import OffenceCategory, OffenderEvent, Referral
from referrals.services import (
    offender_event_record,
    referral_accept,
    referral_decline,
    referral_start_review,
    referral_withdraw,
)
from tests.factories import OffenderFactory, ReferralFactory
from tests.helpers import refused_writing_nothing

pytestmark = pytest.mark.django_db

Status = Referral.Status
Kind = OffenderEvent.Kind
LABELS = {
    Status.SUBMITTED: "submitted",
    Status.IN_REVIEW: "in review",
    Status.ACCEPTED: "accepted",
    Status.DECLINED: "declined",
    Status.WITHDRAWN: "withdrawn",
}


def today() -> date:
    return timezone.localdate()


def make_referral(status: str = Status.SUBMITTED) -> Referral:
    now = timezone.now()
    return ReferralFactory(
        status=status,
        submitted_at=now - timedelta(days=3),
        decided_at=now - timedelta(days=1) if status in Referral.DECIDED_STATUSES else None,
        decline_reason=Referral.DeclineReason.DUPLICATE if status == Status.DECLINED else "",
    )


def rows() -> tuple:
    return (
        list(
            Referral.objects.order_by("pk").values_list(
                "pk", "status", "decided_at", "decided_by", "decline_reason", "decision_notes"
            )
        ),
        list(
            OffenderEvent.objects.order_by("pk").values_list("pk", "kind", "occurred_on", "offence_category")
        ),
    )


def refused(service, **kwargs) -> ValidationError:
    """Call a service expecting a refusal; check nothing was written; return the error."""
    return refused_writing_nothing(rows, service, **kwargs)


def text(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- Review -------------------------------------------------------------------------------------


def test_starting_review_moves_a_submitted_referral_into_review(iom_officer):
    referral = make_referral()

    referral_start_review(referral_id=referral.pk, by=iom_officer)

    referral.refresh_from_db()
    assert referral.status == Status.IN_REVIEW
    assert referral.decided_at is None


@pytest.mark.parametrize("status", [Status.IN_REVIEW, Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN])
def test_starting_review_is_refused_unless_submitted_naming_the_state(iom_officer, status):
    referral = make_referral(status)

    error = refused(referral_start_review, referral_id=referral.pk, by=iom_officer)

    assert error.code == "wrong_status"
    assert f"this referral is marked “{LABELS[status]}”" in text(error).lower()


# --- Accepting ----------------------------------------------------------------------------------


def test_accepting_a_referral_in_review_records_the_decision(iom_officer):
    referral = make_referral(Status.IN_REVIEW)

    referral_accept(referral_id=referral.pk, notes="Risk manageable with T2 support.", by=iom_officer)

    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED
    assert referral.decided_by == iom_officer
    assert referral.decided_at is not None
    assert referral.decision_notes == "Risk manageable with T2 support."
    assert referral.decline_reason == ""


@pytest.mark.parametrize("status", [Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN])
def test_accepting_a_decided_referral_is_refused_naming_the_state(iom_officer, status):
    referral = make_referral(status)

    error = refused(referral_accept, referral_id=referral.pk, by=iom_officer)

    assert f"this referral is marked “{LABELS[status]}”" in text(error).lower()


# --- Declining ----------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", [r for r in Referral.DeclineReason.values if r != "other"])
def test_declining_a_referral_records_the_reason_from_the_list(iom_officer, reason):
    referral = make_referral(Status.IN_REVIEW)

    referral_decline(referral_id=referral.pk, reason=reason, by=iom_officer)

    referral.refresh_from_db()
    assert referral.status == Status.DECLINED
    assert referral.decline_reason == reason
    assert referral.decided_by == iom_officer
    assert referral.decided_at is not None


def test_declining_for_another_reason_records_the_explanation(iom_officer):
    referral = make_referral(Status.IN_REVIEW)

    referral_decline(
        referral_id=referral.pk, reason="other", notes="Moving out of the force area.", by=iom_officer
    )

    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == (Status.DECLINED, "other")
    assert referral.decision_notes == "Moving out of the force area."


@pytest.mark.parametrize("notes", ["", "   "])
def test_declining_for_another_reason_needs_an_explanation(iom_officer, notes):
    referral = make_referral(Status.IN_REVIEW)

    error = refused(referral_decline, referral_id=referral.pk, reason="other", notes=notes, by=iom_officer)

    assert list(error.message_dict) == ["notes"]


@pytest.mark.parametrize("reason", ["", "too_busy"])
def test_declining_needs_a_reason_from_the_list(iom_officer, reason):
    referral = make_referral(Status.IN_REVIEW)

    error = refused(referral_decline, referral_id=referral.pk, reason=reason, notes="Full.", by=iom_officer)

    assert list(error.message_dict) == ["reason"]


@pytest.mark.parametrize("status", [Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN])
def test_declining_a_decided_referral_is_refused_naming_the_state(iom_officer, status):
    referral = make_referral(status)

    error = refused(
        referral_decline, referral_id=referral.pk, reason=Referral.DeclineReason.DUPLICATE, by=iom_officer
    )

    assert f"this referral is marked “{LABELS[status]}”" in text(error).lower()


# --- Withdrawing --------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.IN_REVIEW])
def test_withdrawing_an_open_referral_keeps_it_as_withdrawn(iom_officer, status):
    referral = make_referral(status)

    referral_withdraw(referral_id=referral.pk, notes="Bail address found.", by=iom_officer)

    referral.refresh_from_db()
    assert referral.status == Status.WITHDRAWN
    assert referral.decided_at is not None
    assert referral.decision_notes == "Bail address found."


@pytest.mark.parametrize("status", [Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN])
def test_withdrawing_a_decided_referral_is_refused_naming_the_state(iom_officer, status):
    referral = make_referral(status)

    error = refused(referral_withdraw, referral_id=referral.pk, by=iom_officer)

    assert f"this referral is marked “{LABELS[status]}”" in text(error).lower()


def test_a_referral_goes_from_submitted_through_review_to_a_decision(iom_officer):
    referral = make_referral()

    referral_start_review(referral_id=referral.pk, by=iom_officer)
    referral_accept(referral_id=referral.pk, by=iom_officer)

    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED
    assert referral.decided_at >= referral.submitted_at


# --- Offending and compliance events ------------------------------------------------------------


@pytest.mark.parametrize("kind", [Kind.ARREST, Kind.CHARGE, Kind.CONVICTION, Kind.CAUTION])
def test_an_offending_event_is_recorded_with_its_offence_category(iom_officer, kind):
    offender = OffenderFactory()

    event = offender_event_record(
        offender_id=offender.pk,
        kind=kind,
        occurred_on=today(),
        offence_category=OffenceCategory.BURGLARY,
        notes="Shed break-in.",
        by=iom_officer,
    )

    event.refresh_from_db()
    assert (event.offender, event.kind, event.occurred_on) == (offender, kind, today())
    assert event.offence_category == OffenceCategory.BURGLARY
    assert event.notes == "Shed break-in."
    assert event.recorded_by == iom_officer


@pytest.mark.parametrize("category", ["", "jaywalking"])
def test_an_offending_event_needs_an_offence_category(iom_officer, category):
    error = refused(
        offender_event_record,
        offender_id=OffenderFactory().pk,
        kind=Kind.ARREST,
        occurred_on=today(),
        offence_category=category,
        by=iom_officer,
    )

    assert list(error.message_dict) == ["offence_category"]


@pytest.mark.parametrize("kind", [Kind.LICENCE_WARNING, Kind.LICENCE_BREACH, Kind.RECALL])
@pytest.mark.parametrize("category", ["", OffenceCategory.THEFT, "not-a-category"])
def test_a_compliance_event_drops_any_offence_category(iom_officer, kind, category):
    event = offender_event_record(
        offender_id=OffenderFactory().pk,
        kind=kind,
        occurred_on=today() - timedelta(days=3),
        offence_category=category,
        by=iom_officer,
    )

    event.refresh_from_db()
    assert event.kind == kind
    assert event.offence_category == ""


def test_an_event_in_the_future_is_refused(iom_officer):
    error = refused(
        offender_event_record,
        offender_id=OffenderFactory().pk,
        kind=Kind.CONVICTION,
        occurred_on=today() + timedelta(days=1),
        offence_category=OffenceCategory.VIOLENCE,
        by=iom_officer,
    )

    assert list(error.message_dict) == ["occurred_on"]


def test_an_event_of_an_unknown_kind_is_refused(iom_officer):
    error = refused(
        offender_event_record,
        offender_id=OffenderFactory().pk,
        kind="parking_ticket",
        occurred_on=today(),
        by=iom_officer,
    )

    assert list(error.message_dict) == ["kind"]


def test_every_problem_with_an_event_is_reported_at_once(iom_officer):
    error = refused(
        offender_event_record,
        offender_id=OffenderFactory().pk,
        kind=Kind.CHARGE,
        occurred_on=today() + timedelta(days=2),
        by=iom_officer,
    )

    assert sorted(error.message_dict) == ["occurred_on", "offence_category"]


# --- Unknown records ----------------------------------------------------------------------------

UNKNOWN = 999_999


@pytest.mark.parametrize(
    "call",
    [
        lambda by: referral_start_review(referral_id=UNKNOWN, by=by),
        lambda by: referral_accept(referral_id=UNKNOWN, by=by),
        lambda by: referral_decline(referral_id=UNKNOWN, reason="duplicate", by=by),
        lambda by: referral_withdraw(referral_id=UNKNOWN, by=by),
        lambda by: offender_event_record(
            offender_id=UNKNOWN, kind=Kind.RECALL, occurred_on=timezone.localdate(), by=by
        ),
    ],
    ids=["start_review", "accept", "decline", "withdraw", "event_record"],
)
def test_an_unknown_id_is_refused_with_a_validation_error(iom_officer, call):
    with pytest.raises(ValidationError):
        call(iom_officer)
