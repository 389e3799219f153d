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


def test_the_subject_access_export_holds_the_notes_their_corrections_and_the_documents(scene):
    import json

    from django.urls import reverse

    from tests.helpers import signed_in_client

    note = note_add(offender_id=scene.person.pk, text="Asked about work", by=scene.own)
    note_correct(note_id=note.pk, text="Asked about college", reason="Misheard", by=scene.own)
    document = document_add(
        offender_id=scene.person.pk,
        kind="licence_agreement",
        title="Signed licence",
        upload=upload(),
        by=scene.officer,
    )
    url = reverse("audit:subject-access", args=[scene.person.public_id])
    response = signed_in_client(scene.manager).post(url, {"file_format": "json"})
    items = {item["key"]: item for item in json.loads(response.content)["items"]}
    noted = items[f"case-note-{note.pk}"]["data"]
    assert noted["text"] == "Asked about college"
    assert [(c["text_before"], c["reason"]) for c in noted["corrections"]] == [
        ("Asked about work", "Misheard")
    ]
    listed = items[f"document-{document.pk}"]["data"]
    assert (listed["title"], listed["kind"]) == (
        "Signed licence",
        "licence_agreement",
    ) and "file" not in listed
    # And the PDF version renders with them.
    assert signed_in_client(scene.manager).post(url, {"file_format": "pdf"}).content.startswith(b"%PDF")
