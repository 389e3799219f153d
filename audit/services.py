"""Retention decisions, erasure of a person's personal data, and subject access exports. Each
change is one transaction, logged in the access log."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import HomeVisit, VisitCorrection
from audit import models as audit_models
from audit.access import access_record
from audit.models import AccessLogEntry, RetentionReview
from iom_housing.access import Staff
from iom_housing.services import locked
from placements.models import Alert, LicenceTerm, Placement, PropertyExclusion, SupportPlan
from referrals.models import IdempotencyKey, Offender, OffenderEvent, Referral
from reports.models import ReportExport

# What erasure leaves in a text field the database requires to be filled.
ERASED = "[erased]"


def _ensure_not_erased(offender: Offender) -> None:
    if offender.erased_at is not None:
        raise ValidationError(_("This person's record has already been erased."), code="erased")


def offender_retain(*, offender_id: int, reason: str, retain_until: date, by: Staff) -> RetentionReview:
    """Keep a record due for review, with the reason, until a new review date."""
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = _("Enter why the record is kept.")
    if retain_until is None or retain_until <= timezone.localdate():
        errors["retain_until"] = _("The next review date must be in the future.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        offender = locked(Offender.objects, offender_id, _("person"))
        _ensure_not_erased(offender)
        offender.retain_until = retain_until
        offender.save(update_fields=["retain_until", "updated_at"])
        return RetentionReview.objects.create(
            offender=offender,
            decision=RetentionReview.Decision.RETAIN,
            reason=reason,
            retain_until=retain_until,
            decided_by=by,
        )


# Tracked records of a person whose history rows hold their personal data: all of them go.
def _history_to_delete(offender: Offender) -> list[tuple[type[Any], list[int]]]:
    placements = list(Placement.objects.filter(offender=offender).values_list("pk", flat=True))
    visits = list(HomeVisit.objects.filter(placement__in=placements).values_list("pk", flat=True))
    return [
        (audit_models.OffenderHistory, [offender.pk]),
        (
            audit_models.OffenderEventHistory,
            list(OffenderEvent.objects.filter(offender=offender).values_list("pk", flat=True)),
        ),
        (
            audit_models.ReferralHistory,
            list(Referral.objects.filter(offender=offender).values_list("pk", flat=True)),
        ),
        (audit_models.PlacementHistory, placements),
        (
            audit_models.LicenceTermHistory,
            list(LicenceTerm.objects.filter(placement__in=placements).values_list("pk", flat=True)),
        ),
        (
            audit_models.SupportPlanHistory,
            list(SupportPlan.objects.filter(placement__in=placements).values_list("pk", flat=True)),
        ),
        (audit_models.HomeVisitHistory, visits),
        (
            audit_models.VisitCorrectionHistory,
            list(VisitCorrection.objects.filter(visit__in=visits).values_list("pk", flat=True)),
        ),
        (
            audit_models.AlertHistory,
            list(Alert.objects.filter(offender=offender).values_list("pk", flat=True)),
        ),
    ]


def _delete_files(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def offender_erase(*, offender_id: int, reason: str, by: Staff) -> Offender:
    """Remove a person's personal data, keeping the anonymous facts the evaluation counts.

    Gone: names, aliases, date of birth, identifiers (PNC ID, CRN, prison number, the referring
    agencies' references), every free text written about them (licence conditions, safety
    warnings, referral reasons and risk, decision notes, placement and visit notes, concerns,
    corrections, renewal reasons, exclusion reasons, alert messages, the details each referrer
    sent), the API's stored replies naming them (their keys stay, as tombstones), report files
    made in the background that name them, and the change history of all those records. Kept: gender, ethnicity, needs,
    risk level, IOM category, licence dates, and every referral, placement, licence term, visit
    and event with its dates, kinds, outcomes and hours. The access log keeps its rows (they hold
    ids, not names) and gains one saying who erased the record and when.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Enter why the record is erased.")})
    with transaction.atomic():
        offender = locked(Offender.objects, offender_id, _("person"))
        _ensure_not_erased(offender)
        history = _history_to_delete(offender)
        referrals = Referral.objects.filter(offender=offender)
        referral_ids = [str(public_id) for public_id in referrals.values_list("public_id", flat=True)]
        placements = Placement.objects.filter(offender=offender)
        visits = HomeVisit.objects.filter(placement__offender=offender)

        Offender.objects.filter(pk=offender.pk).update(
            first_name="",
            last_name="",
            aliases=[],
            date_of_birth=None,
            pnc_id="",
            crn="",
            prison_number="",
            licence_conditions="",
            safety_warnings="",
            retain_until=None,
            erased_at=timezone.now(),
        )
        offender.responsible_officers.clear()
        OffenderEvent.objects.filter(offender=offender).update(notes="")
        referrals.update(external_ref="", risk_summary="", reason="", decision_notes="", person_details={})
        placements.update(notes="", cancellation_reason="")
        LicenceTerm.objects.filter(placement__offender=offender).update(reason="")
        SupportPlan.objects.filter(placement__offender=offender).update(notes="")
        visits.update(notes="", staff_names=ERASED)
        visits.filter(concern_raised=True).update(concern=ERASED)
        visits.filter(concern_raised=False).update(concern="")
        for correction in VisitCorrection.objects.filter(visit__placement__offender=offender):
            correction.reason = ERASED
            correction.changes = {name: [ERASED, ERASED] for name in correction.changes}
            correction.save(update_fields=["reason", "changes"])
        PropertyExclusion.objects.filter(offender=offender).update(reason=ERASED)
        for alert in Alert.objects.filter(offender=offender):
            alert.message = alert.get_kind_display()
            alert.acknowledgement_note = ""
            alert.save(update_fields=["message", "acknowledgement_note"])
        # A client's retry is answered from its stored reply, which names the person: the reply
        # goes, the key stays as a tombstone (no personal data), so that the retry is answered
        # as a replay of a request whose person was erased (410) and never creates them again.
        IdempotencyKey.objects.filter(
            Q(offender_ids__contains=[offender.pk]) | Q(response_body__id__in=referral_ids)
        ).update(response_body=None, subject_erased_at=timezone.now())
        # An officers' report file waiting to be downloaded lists them by name.
        files = ReportExport.objects.filter(offender_ids__contains=[offender.pk])
        paths = [export.path for export in files if export.file_name]
        files.delete()
        transaction.on_commit(lambda: _delete_files(paths))

        # Last, so that the history rows the updates above just wrote go too.
        for event_model, ids in history:
            if ids:
                event_model.objects.filter(pgh_obj_id__in=ids).delete()

        RetentionReview.objects.create(
            offender=offender, decision=RetentionReview.Decision.ERASE, reason=reason, decided_by=by
        )
        access_record(
            user=by,
            action=AccessLogEntry.Action.ERASE,
            offender_ids=[offender.pk],
            model=Offender._meta.label,
            object_ref=str(offender.public_id),
            reason="retention_review",
        )
        offender.refresh_from_db()
        return offender


def subject_access_export(
    *, offender_id: int, redact: set[str], file_format: str, by: Staff
) -> tuple[bytes, str, str]:
    """Everything held about one person as JSON or PDF, less the items named in `redact` (each
    replaced by a note that it was withheld): the file's bytes, name and content type. The export
    itself is logged."""
    from audit.exports import render_json, render_pdf
    from audit.selectors import subject_access_items

    if file_format not in ("json", "pdf"):
        raise ValidationError({"file_format": _("Choose JSON or PDF.")})
    offender = Offender.objects.get(pk=offender_id)
    items = subject_access_items(offender)
    unknown = set(redact) - {item["key"] for item in items}
    if unknown:
        raise ValidationError({"redact": _("Choose only items listed on the page.")})
    released = [
        item if item["key"] not in redact else {"key": item["key"], "title": item["title"], "redacted": True}
        for item in items
    ]
    generated_at = timezone.now()
    render = render_json if file_format == "json" else render_pdf
    content = render(offender=offender, items=released, generated_at=generated_at)
    access_record(
        user=by,
        action=AccessLogEntry.Action.EXPORT,
        offender_ids=[offender.pk],
        model=Offender._meta.label,
        object_ref=str(offender.public_id),
        reason="subject_access",
    )
    name = f"subject-access-{str(offender.public_id)[:8]}-{generated_at:%Y%m%d}.{file_format}"
    return content, name, "application/json" if file_format == "json" else "application/pdf"
