"""Erasing a person clears their case notes and corrections and deletes their documents' files."""

import pytest

from audit.models import CaseNoteHistory, DocumentHistory
from audit.services import offender_erase
from casefiles.models import CaseNote, CaseNoteCorrection, Document
from casefiles.services import document_add, note_add, note_correct
from iom_housing.db import ERASED
from tests.casefiles.helpers import upload

pytestmark = pytest.mark.django_db(transaction=True)


def test_erasure_clears_notes_and_deletes_document_files(scene, document_storage):
    note = note_add(offender_id=scene.person.pk, text="Disclosed a new address", by=scene.own)
    note_correct(note_id=note.pk, text="Disclosed a new address in Aberaeron", reason="Town", by=scene.own)
    document = document_add(
        offender_id=scene.person.pk,
        kind="risk_assessment",
        title="Risk of Siôn",
        upload=upload(),
        by=scene.officer,
    )
    stored = document.file.name
    assert document_storage.exists(stored)

    offender_erase(offender_id=scene.person.pk, reason="Retention period over", by=scene.manager)

    note.refresh_from_db()
    assert note.text == ERASED
    correction = CaseNoteCorrection.objects.get()
    assert (correction.reason, correction.text_before, correction.text_after) == (ERASED, ERASED, ERASED)
    document.refresh_from_db()
    assert (document.title, document.file.name, document.kind) == (ERASED, "", "risk_assessment")
    assert document.erased_at is not None
    assert not document_storage.exists(stored)
    # Their change history held the text before erasure: it goes too.
    assert not CaseNoteHistory.objects.filter(pgh_obj_id=note.pk).exclude(text=ERASED).exists()
    assert not DocumentHistory.objects.filter(pgh_obj_id=document.pk).exclude(title=ERASED).exists()
    assert CaseNote.objects.count() == 1 and Document.objects.count() == 1
