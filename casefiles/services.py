"""Writing case notes (and their authors' corrections) and attaching documents: each one
transaction, checked against who may see the person (`iom_housing.access`)."""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from casefiles.filetypes import ACCEPTED_LABELS, detect
from casefiles.models import CaseNote, CaseNoteCorrection, Document
from iom_housing.access import (
    Staff,
    agency_of,
    can_user_add_case_files,
    can_user_correct_case_note,
    people_scope,
)
from iom_housing.services import locked, text_length_errors
from placements.models import Placement
from referrals.models import Offender

logger = logging.getLogger(__name__)

TITLE_LIMIT = 200


def _person_for(by: Staff, offender_id: int) -> Offender:
    """The person, locked, if `by` may add to their record; else a refusal naming no one."""
    if not can_user_add_case_files(by) or agency_of(by) is None:
        raise ValidationError(
            {NON_FIELD_ERRORS: _("You cannot add to this person's record.")}, code="forbidden"
        )
    offender = locked(Offender.objects.filter(people_scope(by, few=True)), offender_id, _("person"))
    if offender.erased_at is not None:
        raise ValidationError(_("This person's record has been erased."), code="erased")
    return offender


def _cleaned_text(text: str, *, field: str, missing: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: missing})
    errors = text_length_errors({field: text})
    if errors:
        raise ValidationError(errors)
    return text


def note_add(*, offender_id: int, text: str, by: Staff) -> CaseNote:
    """A case note on the person, by `by` for their agency, now."""
    text = _cleaned_text(text, field="text", missing=_("Enter the note"))
    with transaction.atomic():
        offender = _person_for(by, offender_id)
        agency = agency_of(by)
        assert agency is not None  # _person_for refuses staff without an agency
        return CaseNote.objects.create(offender=offender, author=by, agency=agency, text=text)


def note_correct(*, note_id: int, text: str, reason: str, by: Staff) -> CaseNote:
    """Correct a note: its author only, with a reason. The text before, the text after and the
    reason are kept (`CaseNoteCorrection`, and the change history)."""
    with transaction.atomic():
        note = locked(CaseNote.objects, note_id, _("case note"))
        if not can_user_correct_case_note(by, note.author_id):
            raise ValidationError(
                {NON_FIELD_ERRORS: _("Only the person who wrote this note can correct it.")}, code="forbidden"
            )
        # Still someone they may see (an agency no longer supporting them cannot rewrite history).
        _person_for(by, note.offender_id)
        text = _cleaned_text(text, field="text", missing=_("Enter the note"))
        reason = _cleaned_text(reason, field="reason", missing=_("Enter why the note is being corrected"))
        if text == note.text:
            raise ValidationError({"text": _("The note is unchanged: change its text to correct it.")})
        CaseNoteCorrection.objects.create(
            note=note, corrected_by=by, reason=reason, text_before=note.text, text_after=text
        )
        note.text = text
        note.corrected_at = timezone.now()
        note.save(update_fields=["text", "corrected_at", "updated_at"])
        return note


def max_document_bytes() -> int:
    return int(settings.DOCUMENT_MAX_BYTES)


def check_upload(upload: UploadedFile | None) -> str:
    """The content type the upload is, judged by its content; a field error otherwise."""
    if upload is None:
        raise ValidationError({"file": _("Select a file")})
    size = upload.size or 0
    if size == 0:
        raise ValidationError({"file": _("The selected file is empty")})
    limit = max_document_bytes()
    if size > limit:
        raise ValidationError(
            {"file": _("The selected file must be smaller than %(limit)s") % {"limit": filesizeformat(limit)}}
        )
    kind = detect(upload)
    if kind is None:
        raise ValidationError(
            {"file": _("The selected file must be a %(types)s") % {"types": ACCEPTED_LABELS}}
        )
    return kind.content_type


def document_add(
    *,
    offender_id: int,
    kind: str,
    title: str,
    upload: UploadedFile | None,
    by: Staff,
    placement_id: int | None = None,
) -> Document:
    """Attach a document to the person (or to one of their placements). The file's type is judged
    by its content and its size checked before anything is stored; it is kept under a random name."""
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Enter a title for the document")
    elif len(title) > TITLE_LIMIT:
        errors.update(text_length_errors({"title": title}, limit=TITLE_LIMIT))
    if kind not in Document.Kind.values:
        errors["kind"] = _("Select what kind of document this is")
    try:
        content_type = check_upload(upload)
    except ValidationError as error:
        errors.update({field: messages[0] for field, messages in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    assert upload is not None  # check_upload refused no file
    with transaction.atomic():
        offender = _person_for(by, offender_id)
        placement = None
        if placement_id is not None:
            placement = locked(Placement.objects.filter(offender=offender), placement_id, _("placement"))
        document = Document(
            offender=offender,
            placement=placement,
            kind=kind,
            title=title,
            content_type=content_type,
            size=upload.size or 0,
            uploaded_by=by,
        )
        # The file is written first (the row names it); if the row then fails, it goes again.
        document.file.save("upload", upload, save=False)
        try:
            document.save()
        except Exception:
            document.file.storage.delete(document.file.name)
            raise
        return document


def documents_delete_files(names: Iterable[str]) -> None:
    """Delete stored files (after erasure has cleared the rows naming them, once it commits)."""
    storage = Document._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # a file already gone, or the store unreachable: the row is cleared anyway
            logger.exception("Could not delete a document's file")
