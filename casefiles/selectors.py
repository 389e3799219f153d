"""Reads of case notes and documents, scoped to the user by `iom_housing.access.case_file_scope`
(the people they may see). Each list is one query whatever its length."""

from uuid import UUID

from django.db.models import QuerySet

from casefiles.models import CaseNote, Document
from iom_housing.access import Requester, case_file_scope
from placements.models import Placement
from referrals.models import Offender


def note_list(*, user: Requester, offender: Offender) -> QuerySet[CaseNote]:
    """The person's notes, newest first, with their authors and agencies."""
    return (
        CaseNote.objects.filter(case_file_scope(user), offender=offender)
        .select_related("author", "agency")
        .order_by("-created_at", "-pk")
    )


def note_get(*, user: Requester, offender: Offender, public_id: UUID) -> CaseNote:
    """One of the person's notes with its corrections, or CaseNote.DoesNotExist (a 404)."""
    return (
        CaseNote.objects.filter(case_file_scope(user), offender=offender)
        .select_related("author", "agency", "offender")
        .prefetch_related("corrections__corrected_by")
        .get(public_id=public_id)
    )


def _documents(user: Requester) -> QuerySet[Document]:
    return (
        Document.objects.filter(case_file_scope(user), erased_at__isnull=True)
        .select_related("uploaded_by", "placement__bedspace__property")
        .order_by("-uploaded_at", "-pk")
    )


def document_list(*, user: Requester, offender: Offender) -> QuerySet[Document]:
    """Every document about the person, their placements' included, newest first."""
    return _documents(user).filter(offender=offender)


def placement_document_list(*, user: Requester, placement: Placement) -> QuerySet[Document]:
    """The documents attached to one placement, newest first."""
    return _documents(user).filter(placement=placement)


def document_get(*, user: Requester, offender: Offender, public_id: UUID) -> Document:
    """One of the person's documents, or Document.DoesNotExist (a 404): one the user may not see,
    another person's, or one whose file erasure deleted."""
    return _documents(user).select_related("offender").get(offender=offender, public_id=public_id)
