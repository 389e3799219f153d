"""The access log: append-only in the database, searchable by scheme managers, one person's
history downloadable as CSV."""

import csv
import io
from datetime import UTC, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from audit.access import access_record
from audit.models import AccessLogEntry
from iom_housing.access import Role
from tests.factories import OffenderFactory
from tests.helpers import user_with_role

pytestmark = pytest.mark.django_db


def _entry(**kwargs):
    return access_record(action=AccessLogEntry.Action.CONSULT, **kwargs)


def test_the_database_refuses_to_change_or_delete_an_entry():
    entry = _entry(offender_ids=[1])
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AccessLogEntry.objects.filter(pk=entry.pk).update(action="erase")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AccessLogEntry.objects.filter(pk=entry.pk).delete()
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_accesslogentry")
    assert AccessLogEntry.objects.get(pk=entry.pk).action == "consult"


def test_reading_a_person_records_the_reader_the_person_and_a_reason_code(iom_officer_client, iom_officer):
    person = OffenderFactory()
    url = reverse("referrals:offender-detail", args=[person.public_id])
    iom_officer_client.get(url + "?reason=safeguarding")
    iom_officer_client.get(url + "?reason=Because+I+was+curious")  # free text is never stored
    first, second = AccessLogEntry.objects.order_by("pk")
    assert (first.user, first.offender_ids, first.action, first.reason) == (
        iom_officer,
        [person.pk],
        "consult",
        "safeguarding",
    )
    assert first.model == "referrals.Offender" and first.object_ref == str(person.public_id)
    assert first.url == url  # no query string: a search by name must not put the name in the log
    assert second.reason == ""


def test_a_search_writes_one_row_listing_everyone_it_returned(iom_officer_client):
    people = OffenderFactory.create_batch(3, last_name="Pritchard")
    OffenderFactory(last_name="Other")
    iom_officer_client.get(reverse("referrals:offender-list") + "?q=Pritchard")
    [entry] = AccessLogEntry.objects.all()
    assert sorted(entry.offender_ids) == sorted(p.pk for p in people)
    assert entry.url == reverse("referrals:offender-list")


def test_a_search_that_finds_no_one_writes_nothing(iom_officer_client):
    iom_officer_client.get(reverse("referrals:offender-list") + "?q=Nobody")
    assert not AccessLogEntry.objects.exists()


def test_a_change_through_a_page_is_logged_as_an_alteration(iom_officer_client):
    person = OffenderFactory()
    url = reverse("referrals:offender-event-add", args=[person.public_id])
    today = timezone.localdate()
    response = iom_officer_client.post(
        url,
        {
            "kind": "licence_warning",
            "occurred_on_0": today.day,
            "occurred_on_1": today.month,
            "occurred_on_2": today.year,
        },
    )
    assert response.status_code == 302, response.content
    assert AccessLogEntry.objects.get().action == "alter"


def test_managers_search_the_log_by_user_person_and_date(scheme_manager_client):
    reader, other = user_with_role(Role.IOM_OFFICER), user_with_role(Role.IOM_OFFICER)
    # Surnames no factory makes (Faker's en_GB names include Evans, which a user on the page may have).
    person, someone_else = OffenderFactory(last_name="Llewellyn"), OffenderFactory(last_name="Trevithick")
    _entry(user=reader, offender_ids=[person.pk])
    _entry(user=other, offender_ids=[someone_else.pk])
    url = reverse("audit:access-log")
    by_user = scheme_manager_client.get(url, {"user": reader.pk}).content.decode()
    assert "Llewellyn" in by_user and "Trevithick" not in by_user
    by_person = scheme_manager_client.get(url, {"person": str(someone_else.public_id)}).content.decode()
    assert "Trevithick" in by_person and "Llewellyn" not in by_person
    tomorrow = (timezone.localdate() + timedelta(days=1)).strftime("%d/%m/%Y")
    assert "No entries match" in scheme_manager_client.get(url, {"date_from": tomorrow}).content.decode()


def test_the_log_shows_utc_times_reason_names_and_rows_naming_no_one(scheme_manager_client, settings):
    settings.TIME_ZONE = "Asia/Tokyo"  # nine hours from UTC all year
    named = _entry(user=user_with_role(Role.IOM_OFFICER), offender_ids=[OffenderFactory().pk], reason="audit")
    _entry(user=user_with_role(Role.OPCC_ANALYST), model="reports.Report", reason="evaluation")
    html = scheme_manager_client.get(reverse("audit:access-log")).content.decode()
    assert named.at.astimezone(UTC).strftime("%H:%M:%S") in html
    assert "Audit or complaint" in html and "Scheme evaluation" in html and "No one named" in html


@pytest.mark.parametrize("rows", [2, 20])
def test_the_access_log_page_takes_a_fixed_number_of_queries(
    scheme_manager_client, django_assert_num_queries, rows
):
    reader = user_with_role(Role.IOM_OFFICER)
    people = OffenderFactory.create_batch(3)
    for _ in range(rows):
        _entry(user=reader, offender_ids=[p.pk for p in people])
    # session, user and role; the users for the filter; count; the page with users and clients;
    # the people named; the open-alerts count in the header (when alerts last changed, and the
    # count, not yet cached); the row this reading writes (and its savepoint)
    with django_assert_num_queries(11):
        response = scheme_manager_client.get(reverse("audit:access-log"))
    assert response.status_code == 200


def test_one_persons_access_history_downloads_as_csv_and_the_download_is_logged(
    scheme_manager_client, scheme_manager
):
    person = OffenderFactory()
    reader = user_with_role(Role.IOM_OFFICER, username="reader1")
    _entry(
        user=reader, offender_ids=[person.pk], model="referrals.Offender", object_ref=str(person.public_id)
    )
    _entry(user=reader, offender_ids=[OffenderFactory().pk])
    response = scheme_manager_client.get(reverse("audit:access-log-csv", args=[person.public_id]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) == 2 and rows[1][1] == "reader1" and rows[1][3] == "consult"
    export = AccessLogEntry.objects.order_by("-pk").first()
    assert (export.user, export.action, export.offender_ids) == (scheme_manager, "export", [person.pk])
