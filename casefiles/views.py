"""Pages for case notes and documents, under the person's and the placement's pages, and the one
way a document's file leaves the service: the download, access-checked and logged. Thin: the
selectors read (scoped to the people the user may see), the services write."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit.access import access_record, logs_access
from audit.models import AccessLogEntry
from casefiles import selectors, services
from casefiles.filetypes import BY_CONTENT_TYPE
from casefiles.forms import DocumentForm, NoteCorrectionForm, NoteForm
from casefiles.models import Document
from iom_housing.access import (
    can_user_add_case_files,
    can_user_correct_case_note,
    can_user_view_case_files,
    require,
)
from iom_housing.pages import found_or_404
from placements.selectors import placement_get
from referrals.selectors import offender_get

readers = require(can_user_view_case_files)
writers = require(can_user_add_case_files)


def _offender_or_404(request, public_id):
    return found_or_404(offender_get, user=request.user, public_id=public_id)


def _form_page(request, form, *, title, caption, back_url, template="form_page.html", **context):
    return render(
        request,
        template,
        {"form": form, "title": title, "caption": caption, "back_url": back_url, **context},
    )


def _saved(request, form, service, *, message: str, success_url: str):
    """Call the service with the valid form's data; back to the page with its errors if refused."""
    try:
        service(form.cleaned_data)
    except ValidationError as error:
        form.add_service_error(error)
        return None
    messages.success(request, message)
    return redirect(success_url)


@writers
@logs_access
def note_add(request, public_id):
    offender = _offender_or_404(request, public_id)
    form = NoteForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        done = _saved(
            request,
            form,
            lambda data: services.note_add(offender_id=offender.pk, text=data["text"], by=request.user),
            message=_("Note saved"),
            success_url=offender.get_absolute_url() + "#case-notes",
        )
        if done:
            return done
    return _form_page(
        request,
        form,
        title=_("Add a case note"),
        caption=offender.full_name,
        back_url=offender.get_absolute_url(),
    )


@writers
@logs_access
def note_correct(request, public_id, note_id):
    offender = _offender_or_404(request, public_id)
    note = found_or_404(selectors.note_get, user=request.user, offender=offender, public_id=note_id)
    if not can_user_correct_case_note(request.user, note.author_id):
        raise PermissionDenied
    bound = request.method == "POST"
    form = NoteCorrectionForm(request.POST if bound else None, initial={"text": note.text})
    if form.is_valid():
        done = _saved(
            request,
            form,
            lambda data: services.note_correct(
                note_id=note.pk, text=data["text"], reason=data["reason"], by=request.user
            ),
            message=_("Note corrected"),
            success_url=offender.get_absolute_url() + "#case-notes",
        )
        if done:
            return done
    return _form_page(
        request,
        form,
        title=_("Correct a case note"),
        caption=offender.full_name,
        back_url=offender.get_absolute_url(),
        template="casefiles/note_correct.html",
        note=note,
    )


def _document_add(request, *, offender, placement, back_url: str):
    bound = request.method == "POST"
    form = DocumentForm(request.POST if bound else None, request.FILES if bound else None)
    if form.is_valid():
        # The file's type (by its content) and size are the service's to check: its refusal
        # comes back as the file field's error.
        done = _saved(
            request,
            form,
            lambda data: services.document_add(
                offender_id=offender.pk,
                placement_id=placement.pk if placement is not None else None,
                kind=data["kind"],
                title=data["title"],
                upload=data["file"],
                by=request.user,
            ),
            message=_("Document uploaded"),
            success_url=back_url + "#documents",
        )
        if done:
            return done
    return _form_page(
        request,
        form,
        title=_("Upload a document"),
        caption=str(placement.bedspace) if placement is not None else offender.full_name,
        back_url=back_url,
    )


@writers
@logs_access
def offender_document_add(request, public_id):
    offender = _offender_or_404(request, public_id)
    return _document_add(request, offender=offender, placement=None, back_url=offender.get_absolute_url())


@writers
@logs_access
def placement_document_add(request, public_id):
    placement = found_or_404(placement_get, user=request.user, public_id=public_id)
    return _document_add(
        request, offender=placement.offender, placement=placement, back_url=placement.get_absolute_url()
    )


def download_name(document: Document) -> str:
    """A filename safe in any browser and filesystem: the title in plain letters, digits and
    hyphens, and the extension of the type the content is (never the name it was uploaded with)."""
    kind = BY_CONTENT_TYPE.get(document.content_type)
    stem = slugify(document.title)[:80].strip("-") or "document"
    return stem + (kind.extension if kind else "")


@readers
@require_GET
def document_download(request, public_id, document_id):
    """The file, as an attachment, never shown in the page: the row in the access log is written
    before any byte leaves (an export of the person's data)."""
    offender = _offender_or_404(request, public_id)
    document = found_or_404(
        selectors.document_get, user=request.user, offender=offender, public_id=document_id
    )
    try:
        handle = document.file.open("rb")
    except OSError:
        raise Http404 from None
    with transaction.atomic():
        access_record(
            user=request.user,
            action=AccessLogEntry.Action.EXPORT,
            offender_ids=[offender.pk],
            model=Document._meta.label,
            object_ref=str(document.public_id),
            url=request.path,
            method=request.method,
        )
    response = FileResponse(
        handle, as_attachment=True, filename=download_name(document), content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
