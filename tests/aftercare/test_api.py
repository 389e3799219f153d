"""The follow-up API: an agency's case system reads the checks of the people it supported and
records one, idempotently; others' checks are 404, bad fields a problem naming the field."""

from datetime import date

import pytest
from django.urls import reverse

from aftercare.models import FollowUpCheck
from aftercare.services import follow_ups_schedule
from tests.aftercare.helpers import ended_placement
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to("2026-06-15 12:00+01:00")


@pytest.fixture
def scene(api_client_for):
    agency = AgencyFactory(code="probation")
    mine = ended_placement(date(2026, 3, 1), agency=agency)
    theirs = ended_placement(date(2026, 3, 1), agency=AgencyFactory())
    follow_ups_schedule(placement_ids=[mine.pk, theirs.pk])
    return api_client_for(agency), mine, theirs


def test_an_agency_reads_the_checks_due_of_the_people_it_supported(scene):
    http, mine, theirs = scene
    response = http.get(reverse("api:followup-list") + "?recorded=false&due_by=2026-06-15")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert (row["placement"], row["months"], row["due_on"]) == (str(mine.public_id), 3, "2026-06-01")
    other = FollowUpCheck.objects.filter(placement=theirs).first()
    assert http.get(reverse("api:followup-detail", args=[other.public_id])).status_code == 404


def test_recording_is_idempotent_and_a_bad_field_is_named(scene):
    http, mine, _ = scene
    check = FollowUpCheck.objects.get(placement=mine, months=3)
    url = reverse("api:followup-record", args=[check.public_id])
    bad = http.post(
        url,
        {"accommodation": "moved", "engaging": "yes"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-0",
    )
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in bad.json()["errors"]] == ["moved_to"]
    body = {"accommodation": "same", "engaging": "yes", "notes": "By phone"}
    first = http.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = http.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    check.refresh_from_db()
    assert check.recorded_by_api_client == http.api_client and check.recorded_by_agency.code == "probation"
    twice = http.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert twice.status_code == 400


def test_a_token_without_the_scope_is_refused(api_client_for):
    http = api_client_for(AgencyFactory(), scopes=["referrals:read"])
    assert http.get(reverse("api:followup-list")).status_code == 403
