"""The people, referral and caseload lists as CSV: every row the filters choose, safe in a
spreadsheet, and each download an export in the access log naming everyone in it."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLogEntry
from placements.models import Placement
from tests.clock import london
from tests.factories import (
    OffenderFactory,
    PlacementFactory,
    ReferralFactory,
    SupportAgencyFactory,
    SupportPlanFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pinned(time_machine):
    time_machine.move_to(london(2026, 12, 2, 10), tick=False)  # a Wednesday


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.content.decode())))


def _export() -> AccessLogEntry:
    return AccessLogEntry.objects.filter(action=AccessLogEntry.Action.EXPORT).latest("pk")


def test_the_people_list_downloads_every_match_of_its_filters(iom_officer_client, iom_officer):
    sion = OffenderFactory(first_name="Siôn", last_name="Carter", pnc_id="2008/3749382C")
    OffenderFactory(first_name="Rhys", last_name="Pritchard")
    evil = OffenderFactory(first_name='=HYPERLINK("x")', last_name="Carter")
    rows = _csv(iom_officer_client.get(reverse("referrals:offender-list-csv"), {"q": "carter"}))
    assert rows[0][:3] == ["Last name", "First name", "Date of birth"]
    assert sorted(row[1] for row in rows[1:]) == ['\'=HYPERLINK("x")', "Siôn"]
    assert "2008/3749382C" in [row[3] for row in rows[1:]]
    entry = _export()
    assert sorted(entry.offender_ids) == sorted([sion.pk, evil.pk]) and entry.user == iom_officer
    page = iom_officer_client.get(reverse("referrals:offender-list"), {"q": "carter"}).content.decode()
    assert reverse("referrals:offender-list-csv") + "?q=carter" in page


def test_the_referral_list_downloads_with_its_filters(iom_officer_client):
    waiting = ReferralFactory(external_ref="PROB-1")
    ReferralFactory(status="accepted")
    rows = _csv(iom_officer_client.get(reverse("referrals:referral-list-csv")))
    assert [row[2] for row in rows[1:]] == ["PROB-1"]
    assert rows[1][3] == timezone.localdate(waiting.submitted_at).isoformat() and rows[1][6] == "Submitted"
    assert _export().offender_ids == [waiting.offender_id]


def test_an_agency_downloads_its_caseload(agency, agency_worker_client):
    today = timezone.localdate()
    placement = PlacementFactory(
        status=Placement.Status.ACTIVE,
        starts_on=today - timedelta(days=3),
        arrived_on=today - timedelta(days=3),
    )
    SupportAgencyFactory(support_plan=SupportPlanFactory(placement=placement), agency=agency)
    ReferralFactory(offender=placement.offender, referring_agency=agency, status="accepted")
    rows = _csv(agency_worker_client.get(reverse("agencies:caseload-csv")))
    assert len(rows) == 2 and rows[1][0] == placement.offender.full_name
    # Arrived Sunday 29 November, a visit every 7 days and none yet: due Sunday 6 December, this week.
    assert rows[1][4:8] == ["2026-11-29", "", "2026-12-06", "Visit due this week"]
    assert _export().offender_ids == [placement.offender_id]


def test_agency_workers_cannot_download_the_people_or_referral_lists(agency_worker_client):
    assert agency_worker_client.get(reverse("referrals:offender-list-csv")).status_code == 403
    assert agency_worker_client.get(reverse("referrals:referral-list-csv")).status_code == 403
