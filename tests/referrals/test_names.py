"""Welsh names and PNC IDs compared as officers type them (referrals/names.py): without accents or
case, a first name in its Welsh or English form, a PNC ID in its short form; in the duplicate
check, People search and the API's matching alike."""

import importlib
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from referrals import names
from referrals.models import Offender
from referrals.selectors import offender_list
from tests.clock import london
from tests.factories import OffenderFactory
from tests.referrals.test_agency_referrals import PERSON, _asked, submit
from tests.referrals.test_api_writes import body, post
from tests.referrals.test_offender_search import _plan

pytestmark = pytest.mark.django_db


# PNC IDs' two-digit years are read against "today".
@pytest.fixture(autouse=True)
def _pinned(time_machine):
    time_machine.move_to(london(2026, 12, 4), tick=False)


MIGRATION = importlib.import_module("referrals.migrations.0012_offender_folded_names")


def _sql_fold(values: list[str]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT iom_fold(v) FROM unnest(%s::text[]) WITH ORDINALITY AS t(v, n) ORDER BY n", [values]
        )
        return [row[0] for row in cursor.fetchall()]


def test_the_sql_fold_is_the_python_fold_letter_for_letter():
    # The migration's frozen copy is the module's: a letter added to one must be added to both.
    assert (MIGRATION.FOLD_FROM, MIGRATION.FOLD_TO) == (names.FOLD_FROM, names.FOLD_TO)
    letters = list(names.FOLD_FROM) + ["Siôn", "LLŶR", "Gwenllïan", "Ŵyn", "Sïan", "Zoë", "José", "ß", "Ø"]
    assert _sql_fold(letters) == [names.fold(value) for value in letters]


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20))
def test_the_sql_fold_agrees_with_python_on_any_text(text):
    assert _sql_fold([text]) == [names.fold(text)]


def test_folding_and_first_name_forms():
    assert names.fold("Siôn") == names.fold("SION") == "sion"
    assert names.fold("Llŷr") == "llyr"
    assert names.first_name_forms("Dafydd") == ["dafydd", "dai", "dave", "david", "dewi"]
    assert names.first_name_forms(" Siân ") == ["jane", "jean", "sian"]
    assert names.first_name_forms("Bethan") == ["bethan"]
    assert names.first_name_key("David") == names.first_name_key("dafydd") == "dafydd"


@pytest.mark.parametrize(
    ("typed", "full"),
    [
        ("08/3749382C", "2008/3749382C"),
        ("08/3749382c", "2008/3749382C"),
        ("04/123456X", "2004/0123456X"),
        ("2004/0123456X", "2004/0123456X"),
        ("2004/123456X", "2004/0123456X"),
        # Two digits of a year still to come are last century's.
        ("26/1A", "2026/0000001A"),
        ("27/1A", "1927/0000001A"),
        ("99/12X", "1999/0000012X"),
        # Not a PNC ID's shape: left for the validator to refuse.
        ("123/45X", "123/45X"),
        ("08-3749382C", "08-3749382C"),
    ],
)
def test_a_pnc_id_in_its_full_form(typed, full):
    assert names.pnc_full(typed, date(2026, 12, 4)) == full


# The duplicate check ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("recorded", "referred"),
    [
        (("Siôn", "Carter"), ("Sion", "Carter")),
        (("Sion", "Carter"), ("SIÔN", "carter")),
        (("Llŷr", "Ifans"), ("Llyr", "Ifans")),
        (("Dafydd", "Jones"), ("David", "Jones")),
        (("Gwenllïan", "Hughes"), ("Gwenllian", "Hughes")),
        (("Rhys", "Llŵyd"), ("rhys", "LLWYD")),
    ],
)
def test_the_same_person_is_asked_about_whatever_the_accents_case_or_welsh_form(
    agency, agency_worker, recorded, referred
):
    existing = OffenderFactory(
        **{**PERSON, "first_name": recorded[0], "last_name": recorded[1], "pnc_id": "", "crn": ""}
    )
    question = _asked(agency, agency_worker, person={"first_name": referred[0], "last_name": referred[1]})
    assert question.offender_ids == [existing.pk]


def test_another_name_or_date_of_birth_is_someone_new(agency, agency_worker):
    OffenderFactory(**{**PERSON, "first_name": "Siôn", "last_name": "Carter", "pnc_id": "", "crn": ""})
    # A name that only looks alike is not a variant; another day of birth is another person.
    for person in (
        {"first_name": "Siôna", "last_name": "Carter"},
        {"first_name": "Sion", "last_name": "Carter", "date_of_birth": date(1990, 5, 4)},
        {"first_name": "Sion", "last_name": "Cartwright"},
    ):
        referral = submit(agency, agency_worker, person=person)
        assert referral.offender.first_name == person["first_name"]
    assert Offender.objects.count() == 4


def test_a_short_pnc_id_is_recorded_in_full_and_finds_the_person_it_names(agency, agency_worker):
    referral = submit(agency, agency_worker, person={"pnc_id": "08/3749382c"})
    assert referral.offender.pnc_id == "2008/3749382C"
    # A referral under another name, by the short form: the record the identifier names.
    again = submit(
        agency, agency_worker, person={"first_name": "Someone", "last_name": "Else", "pnc_id": "08/3749382C"}
    )
    assert again.offender == referral.offender


def test_the_api_asks_about_the_same_person_typed_without_accents(api_client_for, probation):
    api = api_client_for(probation)
    OffenderFactory(first_name="Siôn", last_name="Quayle", date_of_birth=date(1985, 4, 2), pnc_id="", crn="")
    response = post(api, body(person={"first_name": "Sion", "pnc_id": "", "crn": ""}), key="welsh")
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "possible_same_person"


# People search ------------------------------------------------------------------------------------


def _found(client, q: str) -> list[str]:
    response = client.get(reverse("referrals:offender-list"), {"q": q})
    assert response.status_code == 200
    return sorted(f"{o.first_name} {o.last_name}" for o in response.context["page"].object_list)


def test_people_search_finds_welsh_names_as_officers_type_them(iom_officer_client):
    OffenderFactory(first_name="Siôn", last_name="Carter")
    OffenderFactory(first_name="Llŷr", last_name="Ifans", aliases=["Llŷr Bach"])
    OffenderFactory(first_name="Dafydd", last_name="Ellis")
    OffenderFactory(first_name="Bethan", last_name="Môn")
    assert _found(iom_officer_client, "Sion") == ["Siôn Carter"]
    assert _found(iom_officer_client, "SIÔN carter") == ["Siôn Carter"]
    assert _found(iom_officer_client, "llyr") == ["Llŷr Ifans"]
    assert _found(iom_officer_client, "bach") == ["Llŷr Ifans"]
    assert _found(iom_officer_client, "David") == ["Dafydd Ellis"]
    assert _found(iom_officer_client, "mon") == ["Bethan Môn"]
    assert _found(iom_officer_client, "John") == ["Siôn Carter"]


def test_people_search_finds_a_pnc_id_by_its_short_form(iom_officer_client):
    OffenderFactory(first_name="Rhys", last_name="Pritchard", pnc_id="2008/3749382C")
    assert _found(iom_officer_client, "08/3749382C") == ["Rhys Pritchard"]
    assert _found(iom_officer_client, "2008/3749382c") == ["Rhys Pritchard"]
    assert _found(iom_officer_client, "08/3749382") == []


def test_the_duplicate_check_reads_its_index(iom_officer):
    queryset = Offender.objects.alias(
        first_folded=names.Folded("first_name"), last_folded=names.Folded("last_name")
    ).filter(date_of_birth=date(1990, 5, 3), last_folded="carter", first_folded__in=["sion", "john"])
    # On an empty table the planner may read either index that leads with the date of birth (the
    # folded surname then filters a handful of rows); never the whole table.
    plan = _plan(queryset)
    assert "Seq Scan" not in plan
    assert "offender_born_last_name_idx" in plan or "offender_dob_idx" in plan
    assert "offender_first_folded_trgm_idx" in _plan(offender_list(user=iom_officer, q="sion"))
