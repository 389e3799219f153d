"""Every change to referrals and offending records: one function each, one transaction each."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from iom_housing.services import ensure_status, locked
from referrals.models import OffenceCategory, Offender, OffenderEvent, Referral


def _locked_referral(referral_id: int) -> Referral:
    return locked(Referral.objects, referral_id, _("referral"))


def referral_start_review(*, referral_id: int, by) -> Referral:
    with transaction.atomic():
        referral = _locked_referral(referral_id)
        ensure_status(referral, Referral.Status.SUBMITTED)
        referral.status = Referral.Status.IN_REVIEW
        referral.save(update_fields=["status", "updated_at"])
    return referral


def _decide(referral: Referral, status: str, by, notes: str) -> None:
    referral.status = status
    referral.decided_at = timezone.now()
    referral.decided_by = by
    referral.decision_notes = notes
    referral.save(
        update_fields=["status", "decided_at", "decided_by", "decision_notes", "decline_reason", "updated_at"]
    )


def referral_accept(*, referral_id: int, by, notes: str = "") -> Referral:
    with transaction.atomic():
        referral = _locked_referral(referral_id)
        ensure_status(referral, *Referral.OPEN_STATUSES)
        _decide(referral, Referral.Status.ACCEPTED, by, notes)
    return referral


def referral_decline(*, referral_id: int, reason: str, by, notes: str = "") -> Referral:
    if reason not in Referral.DeclineReason.values:
        raise ValidationError({"reason": _("Select the reason for declining the referral.")})
    if reason == Referral.DeclineReason.OTHER and not notes.strip():
        raise ValidationError({"notes": _("Explain why the referral is declined.")})
    with transaction.atomic():
        referral = _locked_referral(referral_id)
        ensure_status(referral, *Referral.OPEN_STATUSES)
        referral.decline_reason = reason
        _decide(referral, Referral.Status.DECLINED, by, notes)
    return referral


def referral_withdraw(*, referral_id: int, by, notes: str = "") -> Referral:
    """The referrer no longer needs a place. A withdrawn referral is kept (sync clients see it)."""
    with transaction.atomic():
        referral = _locked_referral(referral_id)
        ensure_status(referral, *Referral.OPEN_STATUSES)
        _decide(referral, Referral.Status.WITHDRAWN, by, notes)
    return referral


def offender_event_record(
    *, offender_id: int, kind: str, occurred_on: date, by, offence_category: str = "", notes: str = ""
) -> OffenderEvent:
    errors = {}
    if kind not in OffenderEvent.Kind.values:
        errors["kind"] = _("Select the kind of event.")
    if occurred_on > timezone.localdate():
        errors["occurred_on"] = _("The date of the event must be today or in the past.")
    if kind in OffenderEvent.OFFENDING_KINDS and offence_category not in OffenceCategory.values:
        errors["offence_category"] = _("Select the offence category.")
    if kind in OffenderEvent.COMPLIANCE_KINDS:
        offence_category = ""
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        offender = locked(Offender.objects, offender_id, _("person"))
        return OffenderEvent.objects.create(
            offender=offender,
            kind=kind,
            occurred_on=occurred_on,
            offence_category=offence_category,
            notes=notes,
            recorded_by=by,
        )
