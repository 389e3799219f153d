"""Case notes on a person: who may read, write and correct them, the timeline and the history."""

import pytest
from django.urls import reverse

from audit.models import CaseNoteCorrectionHistory, CaseNoteHistory
from casefiles.models import CaseNote, CaseNoteCorrection
from casefiles.services import note_add, note_correct
from iom_housing.services import TEXT_LIMIT
from tests.factories import OffenderFactory
from tests.helpers import page_queries, signed_in_client, user_with_role

pytestmark = pytest.mark.django_db


def _add_url(scene):
    return reverse("casefiles:note-add", args=[scene.person.public_id])


def _person_url(scene):
    return reverse("referrals:offender-detail", args=[scene.person.public_id])


def _correct_url(scene, note):
    return reverse("casefiles:note-correct", args=[scene.person.public_id, note.public_id])


@pytest.mark.parametrize(
    ("role", "expected"),
    [("officer", 200), ("own", 200), ("other", 404), ("manager", 403), ("opcc", 403)],
)
def test_who_may_open_the_note_form(scene, role, expected):
    assert signed_in_client(getattr(scene, role)).get(_add_url(scene)).status_code == expected


def test_anonymous_is_sent_to_sign_in(client, scene):
    response = client.get(_add_url(scene))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("role", ["officer", "own"])
def test_an_officer_or_a_supporting_worker_writes_a_note(scene, role):
    user = getattr(scene, role)
    response = signed_in_client(user).post(_add_url(scene), {"text": "  Seen at the property; doing well.  "})
    assert response.status_code == 302
    note = CaseNote.objects.get()
    assert (note.offender, note.author, note.text) == (
        scene.person,
        user,
        "Seen at the property; doing well.",
    )
    assert note.agency == user.membership.agency


@pytest.mark.parametrize(
    ("role", "sees"),
    [("officer", True), ("manager", True), ("own", True), ("colleague", True)],
)
def test_the_note_is_on_the_person_page_and_timeline_for_those_who_see_the_person(scene, role, sees):
    note_add(offender_id=scene.person.pk, text="Asked about the bus pass", by=scene.officer)
    response = signed_in_client(getattr(scene, role)).get(_person_url(scene))
    assert response.status_code == 200
    assert [n.text for n in response.context["case_notes"]] == ["Asked about the bus pass"]
    entries = [e for e in response.context["timeline"] if e.title == "Case note"]
    assert [(e.description, e.by) for e in entries] == [
        ("Asked about the bus pass", "Ffion " + scene.officer.last_name)
    ]


def test_another_agency_and_the_opcc_see_neither_the_person_nor_the_notes(scene):
    note_add(offender_id=scene.person.pk, text="Private", by=scene.officer)
    assert signed_in_client(scene.other).get(_person_url(scene)).status_code == 404
    assert signed_in_client(scene.opcc).get(_person_url(scene)).status_code == 403


def test_another_agency_cannot_write_a_note_by_calling_the_service(scene):
    with pytest.raises(Exception) as refused:
        note_add(offender_id=scene.person.pk, text="Sneaky", by=scene.other)
    assert "not found" in str(refused.value)
    assert not CaseNote.objects.exists()


def test_a_manager_reads_notes_but_does_not_write_them(scene):
    with pytest.raises(Exception, match="cannot add"):
        note_add(offender_id=scene.person.pk, text="Hello", by=scene.manager)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "Enter the note"),
        ("   ", "Enter the note"),
        ("x" * (TEXT_LIMIT + 5), "5 characters too long"),
    ],
)
def test_an_empty_or_overlong_note_is_refused_by_its_field(scene, text, error):
    response = signed_in_client(scene.own).post(_add_url(scene), {"text": text})
    assert response.status_code == 200
    assert error in " ".join(response.context["form"].errors["text"])
    assert not CaseNote.objects.exists()


def test_a_note_at_the_limit_is_kept(scene):
    signed_in_client(scene.own).post(_add_url(scene), {"text": "x" * TEXT_LIMIT})
    assert len(CaseNote.objects.get().text) == TEXT_LIMIT


def test_the_author_corrects_their_note_and_the_text_before_is_kept(scene):
    note = note_add(offender_id=scene.person.pk, text="Seen on Tuesday", by=scene.own)
    http = signed_in_client(scene.own)
    page = http.get(_correct_url(scene, note))
    assert page.status_code == 200 and page.context["form"]["text"].value() == "Seen on Tuesday"
    response = http.post(_correct_url(scene, note), {"text": "Seen on Wednesday", "reason": "Wrong day"})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.text == "Seen on Wednesday" and note.corrected_at is not None
    correction = CaseNoteCorrection.objects.get()
    assert (correction.text_before, correction.text_after, correction.reason, correction.corrected_by) == (
        "Seen on Tuesday",
        "Seen on Wednesday",
        "Wrong day",
        scene.own,
    )
    # The change history holds both versions of the note, and the correction.
    texts = list(
        CaseNoteHistory.objects.filter(pgh_obj_id=note.pk).order_by("pgh_id").values_list("text", flat=True)
    )
    assert texts == ["Seen on Tuesday", "Seen on Wednesday"]
    assert CaseNoteCorrectionHistory.objects.filter(pgh_obj_id=correction.pk, pgh_label="insert").exists()
    # The timeline shows the note as it reads now, marked as corrected.
    timeline = http.get(_person_url(scene)).context["timeline"]
    assert [(e.title, e.description) for e in timeline if e.title.startswith("Case note")] == [
        ("Case note (corrected)", "Seen on Wednesday")
    ]


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"text": "Changed", "reason": ""}, "reason", "Enter why the note is being corrected"),
        ({"text": "Original", "reason": "No change"}, "text", "unchanged"),
        ({"text": "", "reason": "Typo"}, "text", "Enter the note"),
        ({"text": "y" * (TEXT_LIMIT + 1), "reason": "Typo"}, "text", "1 character too long"),
        ({"text": "Changed", "reason": "r" * (TEXT_LIMIT + 2)}, "reason", "2 characters too long"),
    ],
)
def test_a_correction_needs_a_reason_and_a_change(scene, data, field, error):
    note = note_add(offender_id=scene.person.pk, text="Original", by=scene.own)
    response = signed_in_client(scene.own).post(_correct_url(scene, note), data)
    assert response.status_code == 200
    assert error in " ".join(response.context["form"].errors[field])
    note.refresh_from_db()
    assert note.text == "Original" and not CaseNoteCorrection.objects.exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [("own", 200), ("colleague", 403), ("officer", 403), ("manager", 403), ("other", 404), ("opcc", 403)],
)
def test_only_the_author_may_correct_a_note(scene, role, expected):
    note = note_add(offender_id=scene.person.pk, text="Original", by=scene.own)
    http = signed_in_client(getattr(scene, role))
    assert http.get(_correct_url(scene, note)).status_code == expected
    http.post(_correct_url(scene, note), {"text": "Rewritten", "reason": "Mine now"})
    note.refresh_from_db()
    assert note.text == ("Rewritten" if role == "own" else "Original")


def test_the_correct_link_is_shown_to_the_author_only(scene):
    note = note_add(offender_id=scene.person.pk, text="Original", by=scene.own)
    link = _correct_url(scene, note)
    assert link in signed_in_client(scene.own).get(_person_url(scene)).content.decode()
    assert link not in signed_in_client(scene.colleague).get(_person_url(scene)).content.decode()
    assert link not in signed_in_client(scene.officer).get(_person_url(scene)).content.decode()


def test_a_worker_whose_agency_no_longer_sees_the_person_cannot_correct(scene):
    note = note_add(offender_id=scene.person.pk, text="Original", by=scene.own)
    membership = scene.own.membership
    membership.agency = user_with_role("agency_worker").membership.agency
    membership.save()
    with pytest.raises(Exception, match="not found"):
        note_correct(note_id=note.pk, text="Changed", reason="Typo", by=scene.own)


def test_a_note_of_another_person_is_not_found_under_this_one(scene):
    elsewhere = note_add(offender_id=OffenderFactory().pk, text="Original", by=scene.officer)
    url = reverse("casefiles:note-correct", args=[scene.person.public_id, elsewhere.public_id])
    assert signed_in_client(scene.officer).get(url).status_code == 404


def test_the_person_page_makes_the_same_number_of_queries_for_2_or_20_notes(scene):
    http = signed_in_client(scene.own)
    for number in range(2):
        note_add(offender_id=scene.person.pk, text=f"Note {number}", by=scene.own)
    few = page_queries(http, _person_url(scene))
    for number in range(18):
        note_add(
            offender_id=scene.person.pk, text=f"Note {number}", by=scene.officer if number % 2 else scene.own
        )
    assert page_queries(http, _person_url(scene)) == few
