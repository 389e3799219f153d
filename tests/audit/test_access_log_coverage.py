"""Every URL of the site either logs access to the people it shows or is listed here as showing
no one: a new page that shows personal data without writing an access-log row fails the suite.

The check walks the URL configuration (as tests/site/test_access_matrix.py does), GETs each URL in the
scene of that test as a user who may read it, and for a URL listed as personal asserts that a row
naming the scene's person was written. A URL listed as not personal must not show the person's
name or identifiers at all, so a page cannot be waved through by listing it in the wrong place.

The admin is walked the same way, model by model: each registered model is listed as about people
(its list, change, history and delete pages log) or not (they never show the person), and a model
whose foreign keys lead to a person must be listed as about people.
"""

from datetime import date, timedelta
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.models import HomeVisit, VisitCorrection
from alerts.models import Alert, AlertNotice
from audit.models import AccessLogEntry
from placements.models import SharingOverride, Transfer
from referrals.models import IdempotencyKey, Offender, ReferralEvent
from tests.factories import OffenderEventFactory, PlacementFactory, PropertyExclusionFactory, UserFactory
from tests.helpers import api_client_with_scopes, fetch_token
from tests.site.test_access_matrix import MANAGER, OFFICER, OWN, _routes, _url, scene  # noqa: F401

pytestmark = pytest.mark.django_db

# URL name → who reads it. Each GET must write an access-log row naming the person.
PERSONAL = {
    "placements:dashboard": OFFICER,
    "alerts:acknowledge": OFFICER,
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
    "placements:placement-transfer": OFFICER,
    "placements:support-plan": OFFICER,
    # Printing an agreement is an export of the person's record (tests/placements/test_licence_pages.py).
    "placements:licence-agreement": OFFICER,
    "placements:licence-agreement-record": OFFICER,
    "placements:condition-add": OFFICER,
    "placements:warning-add": OFFICER,
    "placements:breach-end": OFFICER,
    "referrals:referral-list": OFFICER,
    "referrals:referral-list-csv": OFFICER,
    "referrals:my-referrals": OWN,
    "referrals:referral-detail": OFFICER,
    "referrals:referral-start-review": OFFICER,
    "referrals:referral-accept": OFFICER,
    "referrals:referral-decline": OFFICER,
    "referrals:referral-withdraw": OFFICER,
    "referrals:offender-list": OFFICER,
    "referrals:offender-list-csv": OFFICER,
    "referrals:offender-detail": OFFICER,
    "referrals:offender-event-add": OFFICER,
    "referrals:offender-sharing-risks": OFFICER,
    "agencies:caseload": OWN,
    "agencies:visits-due": OWN,
    "agencies:caseload-csv": OWN,
    "agencies:placement-visits": OFFICER,
    "agencies:visit-record": OWN,
    "agencies:visit-detail": OFFICER,
    "agencies:visit-correct": OFFICER,
    "moveon:plan-dates": OFFICER,
    "moveon:action-add": OWN,
    "moveon:action-progress": OWN,
    "moveon:action-edit": OFFICER,
    "casefiles:note-add": OFFICER,
    "casefiles:note-correct": OWN,  # its author
    "casefiles:offender-document-add": OFFICER,
    "casefiles:placement-document-add": OFFICER,
    "casefiles:document-download": OFFICER,  # an export, logged by the view itself
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
    "api:moveon-action-list": "api",
    "api:moveon-action-detail": "api",
    "alerts:list": OFFICER,
    "aftercare:deposits": OFFICER,
    "aftercare:deposit-pay": OFFICER,
    "aftercare:deposit-return": OFFICER,
    "aftercare:follow-ups": OFFICER,
    "aftercare:follow-up-record": OFFICER,
    "api:followup-list": "api",
    "api:followup-detail": "api",
    # The officers' version of the report names everyone placed in the period.
    "reports:report": OFFICER,
    "reports:download": OFFICER,
}


def _last_month(**extra) -> str:
    """The report form's query for the 30 days up to yesterday, which the scene's stay is in."""
    today = timezone.localdate()
    query = {}
    for name, day in (("start", today - timedelta(days=30)), ("end", today - timedelta(days=1))):
        query |= {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}
    return "?" + urlencode(query | extra)


# Lists whose default filter leaves the scene's (accepted) referral out, and the report's period.
QUERY = {
    "referrals:referral-list": "?status=accepted",
    "referrals:referral-list-csv": "?status=accepted",
    "reports:report": _last_month(),
    "reports:download": _last_month(format="csv"),
}

# URL name → why a GET shows no one.
NOT_PERSONAL = {
    "home": "the start page",
    "healthz": "a health check",
    "reports:export-detail": "a background report's progress",
    "reports:assumptions": "the report's unit costs, no people",
    "reports:assumption-edit": "a unit cost, no people",
    # The scene's file is the OPCC analyst's (pseudonymised); a named one is logged when it is
    # downloaded (tests/reports/test_report_pages.py).
    "reports:export-download": "the pseudonymised report file",
    "two_factor_setup": "setting up one's own authenticator",
    "two_factor_verify": "the sign-in code form",
    "session_keep_alive": "POST only: keeps one's own session",
    "login": "the sign-in form",
    "language": "the language link: a redirect back",
    "logout": "POST only",
    "password_change": "the user's own password",
    "password_change_done": "a confirmation",
    "placements:property-list": "properties and counts, no names",
    "placements:void-add": "a bedspace",
    "placements:property-add": "a form",
    "placements:property-change": "a property's details",
    "placements:bedspace-add": "a form",
    "placements:bedspace-change": "a bedspace",
    "placements:void-end": "a bedspace",
    "placements:place": "POST only (logged when it books)",
    "placements:place-check": "with no booking asked for, a redirect to Find a bedspace",
    "alerts:acknowledge-many": "POST only (logged: tests/alerts/test_acknowledge_many.py)",
    "placements:licence-wording": "the scheme's licence wording",
    "placements:licence-wording-edit": "the scheme's licence wording",
    "placements:condition-remove": "POST only (logged when it removes one)",
    "placements:breach-end-check": "with no answers given, a redirect to the first step",
    "placements:placement-end-check": "with no answers given, a redirect to the first step",
    "placements:ending-correct": "an active placement: a redirect to it (logged: tests/placements/test_ending_checked.py)",
    "referrals:referral-new": "an empty form (logged when it matches or records someone)",
    "audit:retention": "lists only records due; the scene's person is not due",
    "oauth-token": "POST only",
    "api:referral-withdraw": "POST only (logged when it withdraws)",
    "api:followup-record": "POST only (logged when it records)",
    "aftercare:fund-top-up": "money, no one named",
    "aftercare:landlords": "landlords and their properties, no one on the scheme",
    "aftercare:landlord-add": "a form",
    "aftercare:landlord-property-add": "a form",
    "api:schema": "the API's description",
    "api:docs": "the API's description",
    "password_set": "an invalid link's page (no account)",
    "password_set_done": "a confirmation",
    "manage-scheme": "links to the managers' pages",
    "agencies:staff-list": "staff accounts, not people on the scheme",
    "agencies:staff-add": "a form",
    "agencies:staff-detail": "a member of staff's account",
    "agencies:staff-change": "a member of staff's role",
    "agencies:staff-switch-off": "a member of staff's account",
    "agencies:staff-switch-on": "an account already on: a redirect to its page",
    "agencies:staff-reset-two-factor": "a member of staff's account",
    "agencies:staff-password-link": "a member of staff's account",
    "reports:funding": "money, no people",
    "reports:funding-add": "a form",
    "reports:funding-edit": "money, no people",
    # Its "Recent actions" names records the user changed there: logged (tests/iom_housing/test_admin.py).
    "admin:index": "the admin's index (its model pages are walked below)",
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
        token = fetch_token(http, api_client, "referrals:read visits:write followups:write moveon:read")
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
    # A surname no page can show by chance (a factory's random one may be "Page" or "Green").
    Offender.objects.filter(public_id=by_segment["offenders"]).update(last_name="Tregarthen-Ysolde")
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


# The admin -----------------------------------------------------------------------------------

ADMIN_PAGES = ("changelist", "change", "history", "delete")

# Model → its admin pages that show the people its records are about.
ADMIN_PERSONAL = {
    "referrals.Offender": ADMIN_PAGES,
    "referrals.OffenderEvent": ADMIN_PAGES,
    "referrals.Referral": ADMIN_PAGES,
    "placements.Property": ("change", "delete"),  # the people it is unsuitable for (an inline)
    "placements.PropertyExclusion": ADMIN_PAGES,
    "placements.Placement": ADMIN_PAGES,
    "placements.LicenceTerm": ADMIN_PAGES,
    "placements.Transfer": ADMIN_PAGES,  # read-only: the move of a person between two placements
    "placements.SharingOverride": ADMIN_PAGES,  # read-only: an officer's override for a placement
    "placements.SupportPlan": ADMIN_PAGES,
    "placements.SupportAgency": ADMIN_PAGES,
    "alerts.Alert": ADMIN_PAGES,
    "agencies.HomeVisit": ADMIN_PAGES,
    "agencies.VisitCorrection": ADMIN_PAGES,
    "moveon.MoveOnPlan": ADMIN_PAGES,
    "moveon.MoveOnAction": ADMIN_PAGES,
}

# Model → why its records are about no one on the scheme. (A page of theirs that shows people all
# the same, such as a delete page listing what would go with an agency, must log them.)
ADMIN_NOT_PERSONAL = {
    "agencies.Agency": "agencies",
    "agencies.StaffMembership": "staff accounts and roles, not people on the scheme",
    "agencies.ApiClient": "agencies' case systems",
    "auth.User": "staff accounts, not people on the scheme",
    "placements.Bedspace": "bedspaces and their void periods",
    "placements.LocalAuthority": "the list of areas",
    "placements.VoidPeriod": "a bedspace out of use",
    "reports.Funding": "money",
    "aftercare.DepositFund": "money",
    "aftercare.Landlord": "landlords, not people on the scheme",
    "reports.UnitCost": "money",
    "reports.ReportDownload": "who downloaded which report",
    "reports.ReportExport": "report files (the people in one only as ids)",
    "reports.PublishedRelease": "published figures, suppressed so that they show no one",
}

# Form drop-downs that search people's records.
AUTOCOMPLETE = [
    {"app_label": "referrals", "model_name": "referral", "field_name": "offender"},
    {"app_label": "agencies", "model_name": "homevisit", "field_name": "placement"},
]


def _leads_to_a_person(model, seen=frozenset()) -> bool:
    """Whether a model's rows reach a person through their own foreign keys."""
    if model is Offender:
        return True
    return any(
        _leads_to_a_person(field.related_model, seen | {model})
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model not in seen | {model}
    )


def test_every_admin_model_is_classified_and_those_leading_to_a_person_as_personal():
    registered = {model._meta.label for model in admin.site._registry}
    assert registered == set(ADMIN_PERSONAL) | set(ADMIN_NOT_PERSONAL), "classify these admin models"
    assert not set(ADMIN_PERSONAL) & set(ADMIN_NOT_PERSONAL)
    leading = {model._meta.label for model in admin.site._registry if _leads_to_a_person(model)}
    assert not leading - set(ADMIN_PERSONAL), "these admin models lead to a person"


def _admin_url(model, page: str, obj) -> str:
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}"
    return reverse(name) if page == "changelist" else reverse(name, args=[obj.pk])


@pytest.fixture
def admin_scene(scene):  # noqa: F811
    """The scene, plus a record of every other kind the admin shows about the person."""
    users, by_segment = scene
    # A name no staff member, agency or property of the scene can share by chance.
    Offender.objects.filter(public_id=by_segment["offenders"]).update(last_name="Tregarthen-Ysolde")
    person = Offender.objects.get(public_id=by_segment["offenders"])
    referral = person.referrals.get()
    visit = HomeVisit.objects.get(pk=by_segment["visits"]["int"])
    OffenderEventFactory(offender=person)
    PropertyExclusionFactory(offender=person, property_id=by_segment["properties"])
    VisitCorrection.objects.create(
        visit=visit, corrected_by=users[OFFICER], reason="Hours", changes={"support_hours": ["1", "2"]}
    )
    ReferralEvent.objects.create(referral=referral, kind=ReferralEvent.Kind.SUBMITTED, data={})
    AlertNotice.objects.create(alert=Alert.objects.get(), recipient=UserFactory(), channel="digest")
    IdempotencyKey.objects.create(
        api_client=api_client_with_scopes(referral.referring_agency),
        key="retry-1",
        fingerprint="0" * 64,
        response_status=201,
        response_body={"id": str(referral.public_id), "person": {"last_name": person.last_name}},
    )
    moved_from = PlacementFactory(
        offender=person,
        status="ended",
        starts_on=date(2024, 1, 1),
        arrived_on=date(2024, 1, 1),
        ends_on=date(2024, 1, 15),
        free_from=date(2024, 1, 15),
        departed_on=date(2024, 1, 15),
        departure_reason="transferred",
        destination="",
    )
    moved_to = PlacementFactory(offender=person, status="ended", starts_on=date(2024, 1, 15),
                                arrived_on=date(2024, 1, 15), ends_on=date(2024, 2, 1), free_from=date(2024, 2, 1),
                                departed_on=date(2024, 2, 1), departure_reason="planned_move_on",
                                destination="family")  # fmt: skip
    Transfer.objects.create(
        from_placement=moved_from,
        to_placement=moved_to,
        moved_on=date(2024, 1, 15),
        reason="repair",
        details="Boiler",
    )
    SharingOverride.objects.create(
        placement=moved_to,
        change="transfer",
        starts_on=date(2024, 1, 15),
        ends_on=date(2024, 2, 1),
        conflicts=["Resident A has a history of violence to other residents."],
        reason="Separate entrances.",
        decided_by=UserFactory(),
    )
    assert Offender.objects.count() == 1
    return users, person


def test_each_admin_page_showing_people_logs_who_read_whose_record(admin_scene):
    """Every list, change, history and delete page of every model: those listed as about people
    must log the person; any other that shows them (a delete page listing the records that would
    go with an agency, say) must log them too."""
    users, person = admin_scene
    secrets = [person.last_name, person.pnc_id, person.crn]
    http = Client()
    http.force_login(users[MANAGER])
    urls = []
    for model in admin.site._registry:
        obj = model._default_manager.order_by("pk").first()
        personal = ADMIN_PERSONAL.get(model._meta.label, ())
        urls += [
            (_admin_url(model, page, obj), page in personal)
            for page in (ADMIN_PAGES if obj else ["changelist"])
        ]
    urls += [
        (reverse("admin:autocomplete") + "?" + urlencode({**query, "term": ""}), True)
        for query in AUTOCOMPLETE
    ]
    missing = []
    for url, personal in urls:
        before = AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = http.get(url)
        if response.status_code == 403:  # a page the admin refuses (deleting a read-only log)
            continue
        assert response.status_code == 200, f"{url}: {response.status_code}"
        shown = any(secret in response.content.decode(errors="replace") for secret in secrets if secret)
        rows = list(AccessLogEntry.objects.filter(pk__gt=before, user=users[MANAGER]))
        logged = any(person.pk in row.offender_ids for row in rows)
        if (personal or shown) and not logged:
            missing.append(url)
        elif logged:
            assert (rows[-1].url, rows[-1].action) == (url.split("?")[0], AccessLogEntry.Action.CONSULT)
    assert not missing, "admin pages showing the person without an access-log row naming them: " + ", ".join(
        missing
    )
