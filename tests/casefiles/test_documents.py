"""Documents on a person or a placement: who may upload and download them, the checks on the file
(its content, not its name), random storage names, and the access log for each download."""

import os

import pytest
from django.urls import reverse

from audit.models import AccessLogEntry, DocumentHistory
from casefiles.models import Document
from casefiles.services import document_add
from tests.casefiles.helpers import JPEG_BYTES, PNG_BYTES, docx_bytes, odt_bytes, plain_zip_bytes, upload
from tests.factories import OffenderFactory, PlacementFactory
from tests.helpers import page_queries, signed_in_client

pytestmark = pytest.mark.django_db

ROLES = [("officer", 200), ("own", 200), ("colleague", 200), ("other", 404), ("manager", 403), ("opcc", 403)]


def _add_url(scene):
    return reverse("casefiles:offender-document-add", args=[scene.person.public_id])


def _placement_add_url(scene):
    return reverse("casefiles:placement-document-add", args=[scene.placement.public_id])


def _download_url(scene, document):
    return reverse("casefiles:document-download", args=[scene.person.public_id, document.public_id])


def _post(http, url, file=None, **data):
    return http.post(
        url, {"kind": "risk_assessment", "title": "Risk assessment March", **data, "file": file or upload()}
    )


def _document(scene, by=None, **kwargs):
    return document_add(
        offender_id=scene.person.pk,
        kind=kwargs.pop("kind", "risk_assessment"),
        title=kwargs.pop("title", "Risk assessment March"),
        upload=kwargs.pop("upload", upload()),
        by=by or scene.officer,
        **kwargs,
    )


@pytest.mark.parametrize(("role", "expected"), [(r, 403 if r == "manager" else e) for r, e in ROLES])
def test_who_may_open_the_upload_forms(scene, role, expected):
    http = signed_in_client(getattr(scene, role))
    assert http.get(_add_url(scene)).status_code == expected
    assert http.get(_placement_add_url(scene)).status_code == expected


@pytest.mark.parametrize("role", ["officer", "own"])
def test_an_officer_or_a_supporting_worker_uploads_a_document(scene, role, document_storage):
    user = getattr(scene, role)
    response = _post(signed_in_client(user), _add_url(scene))
    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.offender, document.placement, document.uploaded_by) == (scene.person, None, user)
    assert (document.content_type, document.size, document.kind) == (
        "application/pdf",
        len(upload().read()),
        "risk_assessment",
    )
    # Kept under a random name: nothing of the person, the title or the uploaded name.
    name = document.file.name
    assert name.endswith(".pdf") and len(name.split("/")[-1]) == 36
    for word in (scene.person.last_name, "Risk", "assessment", "upload"):
        assert word.lower() not in name.lower()
    assert document_storage.exists(name)
    with document_storage.open(name) as stored:
        assert stored.read().startswith(b"%PDF-")
    assert DocumentHistory.objects.filter(pgh_obj_id=document.pk, pgh_label="insert").exists()


def test_a_placement_document_is_on_the_placement_and_the_person_pages(scene):
    http = signed_in_client(scene.own)
    photo = upload(JPEG_BYTES, "kitchen.jpg", "image/jpeg")
    response = _post(
        http, _placement_add_url(scene), photo, kind="property_condition", title="Kitchen on arrival"
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.placement, document.offender, document.content_type) == (
        scene.placement,
        scene.person,
        "image/jpeg",
    )
    placement_page = http.get(scene.placement.get_absolute_url())
    assert [d.title for d in placement_page.context["documents"]] == ["Kitchen on arrival"]
    assert _download_url(scene, document) in placement_page.content.decode()
    person_page = http.get(scene.person.get_absolute_url())
    assert [d.title for d in person_page.context["documents"]] == ["Kitchen on arrival"]
    assert "Document added: Photo of the property&#x27;s condition" in person_page.content.decode()


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (PNG_BYTES, "photo.png", "image/png"),
        (JPEG_BYTES, "photo.jpeg", "image/jpeg"),
        (docx_bytes(), "agreement.docx", "application/octet-stream"),
        (odt_bytes(), "agreement.odt", ""),
        # The browser's type and the name are ignored: a PNG named .pdf is kept as a PNG.
        (PNG_BYTES, "report.pdf", "application/pdf"),
    ],
)
def test_each_accepted_type_is_kept_as_what_its_content_is(scene, content, name, content_type):
    document = _document(scene, upload=upload(content, name, content_type))
    kinds = {b"\x89P": "image/png", b"\xff\xd8": "image/jpeg"}
    if content[:2] in kinds:
        assert document.content_type == kinds[content[:2]]
    assert document.file.name.rsplit(".", 1)[-1] in ("png", "jpg", "docx", "odt")


@pytest.mark.parametrize(
    ("content", "name", "content_type", "error"),
    [
        (
            b"<html><script>alert(1)</script></html>",
            "risk.pdf",
            "application/pdf",
            "must be a PDF, PNG, JPEG",
        ),
        (b"MZ\x90\x00" + b"\x00" * 60, "photo.jpg", "image/jpeg", "must be a PDF, PNG, JPEG"),
        (
            plain_zip_bytes(),
            "agreement.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "must be a PDF",
        ),
        (b"", "empty.pdf", "application/pdf", "The selected file is empty"),
    ],
)
def test_a_bad_file_is_refused_by_the_file_field(scene, content, name, content_type, error, document_storage):
    response = _post(signed_in_client(scene.own), _add_url(scene), upload(content, name, content_type))
    assert response.status_code == 200
    assert error in " ".join(response.context["form"].errors["file"])
    assert not Document.objects.exists()
    # Nothing was written to the store either: the checks come before the file is kept.
    assert not os.path.isdir(document_storage.location) or not any(os.scandir(document_storage.location))


def test_a_file_over_the_size_limit_is_refused(scene, settings):
    settings.DOCUMENT_MAX_BYTES = 50
    big = upload(b"%PDF-1.4\n" + b"0" * 50, "big.pdf")
    response = _post(signed_in_client(scene.own), _add_url(scene), big)
    assert response.status_code == 200
    assert "must be smaller than 50" in " ".join(response.context["form"].errors["file"])
    assert not Document.objects.exists()
    # At the limit exactly, it is kept.
    response = _post(
        signed_in_client(scene.own), _add_url(scene), upload(b"%PDF-1.4\n" + b"0" * 41, "just.pdf")
    )
    assert response.status_code == 302


def test_no_file_a_missing_title_or_kind_are_field_errors(scene):
    response = signed_in_client(scene.own).post(_add_url(scene), {"kind": "", "title": ""})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["file"] == ["Select a file"]
    assert errors["title"] == ["Enter a title for the document"]
    assert errors["kind"] == ["Select what kind of document this is"]
    response = _post(signed_in_client(scene.own), _add_url(scene), title="t" * 201)
    assert "1 character too long" in " ".join(response.context["form"].errors["title"])


def test_another_persons_placement_cannot_take_this_persons_document(scene):
    elsewhere = PlacementFactory(offender=OffenderFactory())
    with pytest.raises(Exception, match="not found"):
        _document(scene, placement_id=elsewhere.pk)
    assert not Document.objects.exists()


def test_another_agency_cannot_upload_by_calling_the_service(scene):
    with pytest.raises(Exception, match="not found"):
        _document(scene, by=scene.other)


@pytest.mark.parametrize(
    ("role", "expected"),
    [("officer", 200), ("own", 200), ("colleague", 200), ("manager", 200), ("other", 404), ("opcc", 403)],
)
def test_who_may_download_and_each_download_is_logged(scene, role, expected):
    document = _document(scene)
    user = getattr(scene, role)
    before = AccessLogEntry.objects.count()
    response = signed_in_client(user).get(_download_url(scene, document))
    assert response.status_code == expected
    if expected != 200:
        assert not AccessLogEntry.objects.filter(model="casefiles.Document").exists()
        return
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Disposition"] == 'attachment; filename="risk-assessment-march.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    entry = AccessLogEntry.objects.order_by("-pk").first()
    assert AccessLogEntry.objects.count() == before + 1
    assert (entry.user, entry.action, entry.offender_ids, entry.model, entry.object_ref) == (
        user,
        AccessLogEntry.Action.EXPORT,
        [scene.person.pk],
        "casefiles.Document",
        str(document.public_id),
    )
    assert entry.url == _download_url(scene, document)


def test_every_download_writes_its_own_row(scene):
    document = _document(scene)
    http = signed_in_client(scene.own)
    for _ in range(3):
        assert http.get(_download_url(scene, document)).status_code == 200
    assert AccessLogEntry.objects.filter(model="casefiles.Document").count() == 3


def test_anonymous_download_is_sent_to_sign_in(client, scene):
    document = _document(scene)
    response = client.get(_download_url(scene, document))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_title_with_quotes_accents_and_slashes_makes_a_safe_filename(scene):
    document = _document(scene, title='Asesiad risg Siôn "final" ../../etc/passwd')
    response = signed_in_client(scene.officer).get(_download_url(scene, document))
    assert response["Content-Disposition"] == 'attachment; filename="asesiad-risg-sion-final-etcpasswd.pdf"'


def test_a_document_under_another_persons_address_is_not_found(scene):
    document = _document(scene)
    stranger = OffenderFactory()
    url = reverse("casefiles:document-download", args=[stranger.public_id, document.public_id])
    assert signed_in_client(scene.officer).get(url).status_code == 404


def test_a_file_missing_from_the_store_is_not_found(scene, document_storage):
    document = _document(scene)
    document_storage.delete(document.file.name)
    assert signed_in_client(scene.officer).get(_download_url(scene, document)).status_code == 404


def test_files_are_never_served_from_a_public_address(scene, client):
    document = _document(scene)
    for prefix in ("/media/", "/documents/", "/"):
        assert client.get(prefix + document.file.name).status_code in (302, 404)


def test_pages_make_the_same_number_of_queries_for_2_or_20_documents(scene):
    http = signed_in_client(scene.own)
    for number in range(2):
        _document(scene, title=f"Doc {number}", placement_id=scene.placement.pk if number else None)
    person, placement = (
        page_queries(http, scene.person.get_absolute_url()),
        page_queries(http, scene.placement.get_absolute_url()),
    )
    for number in range(18):
        _document(
            scene,
            title=f"Doc {number}",
            by=scene.own,
            placement_id=scene.placement.pk if number % 2 else None,
        )
    assert page_queries(http, scene.person.get_absolute_url()) == person
    assert page_queries(http, scene.placement.get_absolute_url()) == placement


def test_the_upload_form_is_a_govuk_file_upload_sent_as_multipart(scene):
    page = signed_in_client(scene.own).get(_add_url(scene)).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file"' in page and "govuk-file-upload" in page
    assert "10.0\xa0MB at most" in page or "10.0 MB at most" in page
