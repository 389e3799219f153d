"""Retention decisions, erasure of a person's personal data, and subject access exports. Each
change is one transaction, logged in the access log."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.access import access_record
from audit.models import AccessLogEntry, RetentionReview
from casefiles.models import Document
from casefiles.services import documents_delete_files
from iom_housing.access import Staff
from iom_housing.services import locked
from referrals.models import IdempotencyKey, Offender, Referral
from reports.models import ReportExport


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


def erased_models() -> list[type]:
    """The models erasure clears: every model declaring an `ERASURE` (iom_housing.db.Erasure),
    which says, next to the fields, what each field holding the person's data is left as.
    tests/audit/test_erasure_fields.py fails for a model about a person with a text field that is
    neither declared there nor kept on purpose."""
    return [model for model in apps.get_models() if hasattr(model, "ERASURE")]


def _clear(model: type[Any], offender: Offender) -> list[int]:
    """Leave the person's rows of `model` as its `ERASURE` says; the ids of the rows cleared."""
    erasure = model.ERASURE
    rows = model.objects.filter(**{erasure.person: offender.pk})
    ids = list(rows.values_list("pk", flat=True))
    by_row = {name: value for name, value in erasure.fields.items() if callable(value)}
    at_once = {name: value for name, value in erasure.fields.items() if name not in by_row}
    if ids and at_once:
        model.objects.filter(pk__in=ids).update(**at_once)
    if ids and by_row:
        for row in model.objects.filter(pk__in=ids):
            for name, value_of in by_row.items():
                setattr(row, name, value_of(row))
            row.save(update_fields=list(by_row))
    return ids


def _delete_history(model: type[Any], ids: list[int]) -> None:
    """The change history (audit.models) of those rows: each holds their values before erasure."""
    for event_model in set(getattr(model, "pgh_event_models", {}).values()):
        event_model.objects.filter(pgh_obj_id__in=ids).delete()


def _delete_files(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _person_record_logged(offender: Offender, action: str, *, reason: str, by: Staff) -> None:
    """Log what a manager did with one person's whole record (erased it, exported it)."""
    access_record(
        user=by,
        action=action,
        offender_ids=[offender.pk],
        model=Offender._meta.label,
        object_ref=str(offender.public_id),
        reason=reason,
    )


def offender_erase(*, offender_id: int, reason: str, by: Staff) -> Offender:
    """Remove a person's personal data, keeping the anonymous facts the evaluation counts.

    Gone: names, aliases, date of birth, identifiers (PNC ID, CRN, prison number, the referring
    agencies' references), every free text written about them (licence conditions, safety
    warnings, referral reasons and risk, decision notes, placement and visit notes, concerns,
    corrections, renewal reasons, exclusion reasons, alert messages, the details each referrer
    sent, case notes and their corrections, documents' titles), the documents' files, the API's stored replies naming them (their keys stay, as tombstones), report files
    made in the background that name them, and the change history of all those records. Kept:
    gender, ethnicity, needs, risk level, IOM category, licence dates, and every referral,
    placement, licence term, visit and event with its dates, kinds, outcomes and hours. The access
    log keeps its rows (they hold ids, not names) and gains one saying who erased the record and
    when. Which field is left as what is declared on each model (`ERASURE`, `erased_models`).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Enter why the record is erased.")})
    with transaction.atomic():
        offender = locked(Offender.objects, offender_id, _("person"))
        _ensure_not_erased(offender)
        referral_ids = [
            str(public_id)
            for public_id in Referral.objects.filter(offender=offender).values_list("public_id", flat=True)
        ]
        # The documents' files (in their storage, not the database): deleted once erasure commits.
        document_files = list(
            Document.objects.filter(offender=offender).exclude(file="").values_list("file", flat=True)
        )
        cleared = [(model, _clear(model, offender)) for model in erased_models()]
        transaction.on_commit(lambda: documents_delete_files(document_files))
        Offender.objects.filter(pk=offender.pk).update(retain_until=None, erased_at=timezone.now())
        offender.responsible_officers.clear()
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
        for model, ids in cleared:
            _delete_history(model, ids)

        RetentionReview.objects.create(
            offender=offender, decision=RetentionReview.Decision.ERASE, reason=reason, decided_by=by
        )
        _person_record_logged(offender, AccessLogEntry.Action.ERASE, reason="retention_review", by=by)
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
    _person_record_logged(offender, AccessLogEntry.Action.EXPORT, reason="subject_access", by=by)
    name = f"subject-access-{str(offender.public_id)[:8]}-{generated_at:%Y%m%d}.{file_format}"
    return content, name, "application/json" if file_format == "json" else "application/pdf"
