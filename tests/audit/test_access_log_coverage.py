"""Every URL of the site either logs access to the people it shows or is listed here as showing
no one: a new page that shows personal data without writing an access-log row fails the suite.

The check walks the URL configuration (as tests/test_access_matrix.py does), GETs each URL in the
scene of that test as a user who may read it, and for a URL listed as personal asserts that a row
naming the scene's person was written. A URL listed as not personal must not show the person's
name or identifiers at all, so a page cannot be waved through by listing it in the wrong place.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AccessLogEntry
from referrals.models import Offender, ReferralEvent
from tests.conftest import fetch_token
from tests.factories import api_client_with_scopes
from tests.test_access_matrix import MANAGER, OFFICER, OWN, _routes, _url, scene  # noqa: F401

pytestmark = pytest.mark.django_db

# URL name → who reads it. Each GET must write an access-log row naming the person.
PERSONAL = {
    "placements:dashboard": OFFICER,
    "placements:alert-acknowledge": OFFICER,
    "placements:property-detail": OFFICER,  # the occupancy calendar names who is in each bedspace
    "placements:exclusion-add": OFFICER,
    "placements:find-bedspace": OFFICER,
    "placements:placement-detail": OFFICER,
    "placements:placement-confirm": OFFICER,
    "placements:placement-arrive": OFFICER,
    "placements:placement-not-arrived": OFFICER,
    "placements:placement-cancel": OFFICER,
    "placements:placement-renew": OFFICER,
    "placements:placement-end": OFFICER,
    "placements:support-plan": OFFICER,
    "referrals:referral-list": OFFICER,
    "referrals:my-referrals": OWN,
    "referrals:referral-detail": OFFICER,
    "referrals:referral-start-review": OFFICER,
    "referrals:referral-accept": OFFICER,
    "referrals:referral-decline": OFFICER,
    "referrals:referral-withdraw": OFFICER,
    "referrals:offender-list": OFFICER,
    "referrals:offender-detail": OFFICER,
    "referrals:offender-event-add": OFFICER,
    "agencies:caseload": OWN,
    "agencies:visit-record": OWN,
    "agencies:visit-detail": OFFICER,
    "agencies:visit-correct": OFFICER,
    "audit:access-log": MANAGER,
    "audit:access-log-csv": MANAGER,
    "audit:retention-review": MANAGER,
    "audit:subject-access": MANAGER,
    # The API, read by the referring agency's case system: a disclosure to it.
    "api:referral-list": "api",
    "api:referral-detail": "api",
    "api:referral-by-ref": "api",
    "api:referral-events": "api",
    "api:visit-list": "api",
    "api:visit-detail": "api",
    "api:visit-placements": "api",
    "placements:alert-list": OFFICER,
}

# Lists whose default filter leaves the scene's (accepted) referral out.
QUERY = {"referrals:referral-list": "?status=accepted"}

# URL name → why a GET shows no one.
NOT_PERSONAL = {
    "home": "the start page",
    "healthz": "a health check",
    # Walked as the OPCC analyst: counts only, suppressed. (The officers' named version is
    # recorded in reports.ReportDownload, not yet in the access log: see the note.)
    "reports:report": "the pseudonymised evaluation report",
    "reports:download": "the pseudonymised evaluation report as a file",
    "reports:export-detail": "a background report's progress",
    "reports:export-download": "the pseudonymised report file",
    "two_factor_setup": "setting up one's own authenticator",
    "two_factor_verify": "the sign-in code form",
    "session_keep_alive": "POST only: keeps one's own session",
    "login": "the sign-in form",
    "logout": "POST only",
    "password_change": "the user's own password",
    "password_change_done": "a confirmation",
    "placements:property-list": "properties and counts, no names",
    "placements:void-add": "a bedspace",
    "placements:void-end": "a bedspace",
    "placements:place": "POST only (logged when it books)",
    "referrals:referral-new": "an empty form (logged when it matches or records someone)",
    "audit:retention": "lists only records due; the scene's person is not due",
    "oauth-token": "POST only",
    "api:referral-withdraw": "POST only (logged when it withdraws)",
    "api:schema": "the API's description",
    "api:docs": "the API's description",
    "admin:index": "the admin's index (its record pages are Django admin views)",
}


def test_every_url_is_classified_as_logging_access_or_showing_no_one():
    routes = set(_routes())
    assert not routes - set(PERSONAL) - set(NOT_PERSONAL), "classify these URLs"
    assert not (set(PERSONAL) | set(NOT_PERSONAL)) - routes, "rows for URLs that no longer exist"
    assert not set(PERSONAL) & set(NOT_PERSONAL)


def _reader(users, role, agency_of_scene):
    if role == "api":
        http = Client()
        api_client = api_client_with_scopes(agency_of_scene)
        token = fetch_token(http, api_client, "referrals:read visits:write")
        http.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token['access_token']}"
        http.api_client = api_client
        return http
    http = Client()
    http.force_login(users[role])
    return http


def test_each_page_showing_people_logs_who_read_whose_record(scene):  # noqa: F811
    users, by_segment = scene
    person = Offender.objects.get(public_id=by_segment["offenders"])
    referral = person.referrals.get()
    ReferralEvent.objects.create(
        referral=referral, kind="accepted", occurred_at=timezone.now() - timedelta(minutes=1)
    )
    agency = users[OWN].membership.agency
    routes = _routes()
    missing = []
    readers = {role: _reader(users, role, agency) for role in set(PERSONAL.values())}
    for name, role in PERSONAL.items():
        http = readers[role]
        url = _url(routes[name], by_segment) + QUERY.get(name, "")
        before = AccessLogEntry.objects.count()
        response = http.get(url)
        assert response.status_code == 200, f"{name}: {response.status_code} at {url}"
        rows = list(AccessLogEntry.objects.order_by("-pk")[: AccessLogEntry.objects.count() - before])
        if not any(person.pk in row.offender_ids for row in rows):
            missing.append(f"{name} ({url})")
            continue
        row = rows[0]
        if role == "api":
            assert row.api_client == http.api_client and row.user is None
            assert row.action == AccessLogEntry.Action.DISCLOSE
        else:
            assert row.user == users[role]
        assert row.url == url.split("?")[0]
    assert not missing, "pages showing the person without an access-log row naming them: " + ", ".join(
        missing
    )


def test_pages_listed_as_showing_no_one_show_no_one(scene):  # noqa: F811
    users, by_segment = scene
    person = Offender.objects.get(public_id=by_segment["offenders"])
    secrets = [person.last_name, person.pnc_id, person.crn]
    routes = _routes()
    shown = []
    readers = {role: _reader(users, role, None) for role in (OFFICER, MANAGER)}
    for name in NOT_PERSONAL:
        for role, http in readers.items():
            content = http.get(_url(routes[name], by_segment)).content.decode(errors="replace")
            shown += [f"{name} as {role}: {secret}" for secret in secrets if secret and secret in content]
    assert not shown, shown
