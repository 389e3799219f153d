"""Every URL of the site against every role: a test walks the URL configuration and fails when a
URL has no row here, so a new page cannot ship unguarded.

Person-specific URLs use the records of a person the "own" agency referred and supports, so a
worker of another agency gets 404 there (the record's existence does not leak), not 403.
"""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from aftercare.models import Deposit, DepositFund, Landlord
from aftercare.services import follow_ups_schedule
from alerts.models import Alert
from casefiles.services import document_add, note_add
from iom_housing.access import Role
from placements.models import Placement
from referrals.models import Referral
from tests.factories import (
    AgencyFactory,
    AlertFactory,
    BedspaceFactory,
    FundingFactory,
    HomeVisitFactory,
    MoveOnActionFactory,
    PlacementFactory,
    ReferralFactory,
    ReportExportFactory,
    SupportAgencyFactory,
    SupportPlanFactory,
    UnitCostFactory,
    VoidPeriodFactory,
)
from tests.helpers import user_with_role

pytestmark = pytest.mark.django_db

ANON, OFFICER, OWN, OTHER, MANAGER, OPCC = (
    "anonymous",
    "officer",
    "own agency",
    "other agency",
    "manager",
    "opcc",
)
ROLES = (ANON, OFFICER, OWN, OTHER, MANAGER, OPCC)
LOGIN = "login"  # a redirect to the sign-in page


def row(anon=LOGIN, officer=200, own=403, other=403, manager=200, opcc=403) -> dict:
    return {ANON: anon, OFFICER: officer, OWN: own, OTHER: other, MANAGER: manager, OPCC: opcc}


OFFICERS_ONLY = row()
PERSON_RECORD = row(own=200, other=404)  # readable by agency workers, scoped to their people
AGENCY_PERSON_ACTION = row(own=200, other=404)
RECORD_VISIT = row(own=200, other=404, manager=403)  # managers read and correct visits, not record them
EVERYONE_SIGNED_IN = row(own=200, other=200, opcc=200)
MANAGERS_ONLY = row(officer=403)

MATRIX = {
    "home": row(anon=200, officer=302, own=302, other=302, manager=302, opcc=302),
    "healthz": row(anon=200, own=200, other=200, opcc=200),
    "login": row(anon=200, own=200, other=200, opcc=200),
    # The header's language link: back to the page (here "/", no `next`), for everyone.
    "language": row(anon=302, officer=302, own=302, other=302, manager=302, opcc=302),
    "logout": row(anon=405, officer=405, own=405, other=405, manager=405, opcc=405),  # POST only
    # Signed in and past the second factor already, so both two-factor pages send the user on.
    "two_factor_verify": row(officer=302, own=302, other=302, manager=302, opcc=302),
    "two_factor_setup": row(officer=302, own=302, other=302, manager=302, opcc=302),
    "session_keep_alive": row(anon=405, officer=405, own=405, other=405, manager=405, opcc=405),  # POST only
    "password_change": EVERYONE_SIGNED_IN,
    "password_change_done": EVERYONE_SIGNED_IN,
    "placements:dashboard": OFFICERS_ONLY,
    # Agency workers see their own agency's missed visits there (scoped by iom_housing.access.alert_scope).
    "alerts:list": row(own=200, other=200),
    "alerts:acknowledge": OFFICERS_ONLY,
    "alerts:acknowledge-many": row(officer=405, manager=405),  # POST only
    "placements:property-list": OFFICERS_ONLY,
    "placements:property-detail": OFFICERS_ONLY,
    "placements:void-add": OFFICERS_ONLY,
    # The stock is the scheme managers': officers see it and change none of it.
    "placements:property-add": MANAGERS_ONLY,
    "placements:property-change": MANAGERS_ONLY,
    "placements:bedspace-add": MANAGERS_ONLY,
    "placements:bedspace-change": MANAGERS_ONLY,
    "placements:void-end": OFFICERS_ONLY,
    "placements:exclusion-add": OFFICERS_ONLY,
    "placements:find-bedspace": OFFICERS_ONLY,
    "placements:place": row(officer=405, manager=405),  # POST only
    # With no booking asked for, back to Find a bedspace.
    "placements:place-check": row(officer=302, manager=302),
    "placements:placement-detail": PERSON_RECORD,
    "placements:placement-confirm": OFFICERS_ONLY,
    "placements:placement-arrive": OFFICERS_ONLY,
    "placements:placement-not-arrived": OFFICERS_ONLY,
    "placements:placement-cancel": OFFICERS_ONLY,
    "placements:placement-renew": OFFICERS_ONLY,
    "placements:placement-end": OFFICERS_ONLY,
    "placements:placement-end-check": row(officer=302, manager=302),  # no answers yet: to step 1
    "placements:ending-correct": row(officer=302, manager=302),  # an active placement: back to it
    "placements:placement-transfer": row(manager=403),  # IOM officers only: a decision about a person
    "placements:support-plan": OFFICERS_ONLY,
    # The licence to occupy: its wording is the scheme managers'; agreements, a person's own
    # conditions, warnings and endings for a breach are recorded by the IOM team (agencies read
    # the conditions and warnings on the placement page).
    "placements:licence-wording": MANAGERS_ONLY,
    "placements:licence-wording-edit": MANAGERS_ONLY,
    "placements:licence-agreement": OFFICERS_ONLY,
    "placements:licence-agreement-record": OFFICERS_ONLY,
    "placements:condition-add": OFFICERS_ONLY,
    "placements:condition-remove": row(officer=405, manager=405),  # POST only
    "placements:warning-add": OFFICERS_ONLY,
    "placements:breach-end": OFFICERS_ONLY,
    # With no answers given yet, the check-answers step sends back to the first.
    "placements:breach-end-check": row(officer=302, manager=302),
    "referrals:referral-list": OFFICERS_ONLY,
    "referrals:referral-list-csv": OFFICERS_ONLY,
    # Referrals are made by agencies (officers for the police); managers and analysts do not refer.
    "referrals:referral-new": row(own=200, other=200, manager=403),
    "referrals:my-referrals": row(own=200, other=200, manager=403),
    "referrals:referral-detail": PERSON_RECORD,
    "referrals:referral-start-review": OFFICERS_ONLY,
    "referrals:referral-accept": OFFICERS_ONLY,
    "referrals:referral-decline": OFFICERS_ONLY,
    "referrals:referral-withdraw": OFFICERS_ONLY,
    "referrals:offender-list": OFFICERS_ONLY,
    "referrals:offender-list-csv": OFFICERS_ONLY,
    "referrals:offender-detail": PERSON_RECORD,
    "referrals:offender-event-add": OFFICERS_ONLY,
    "referrals:offender-sharing-risks": OFFICERS_ONLY,
    "agencies:caseload": row(own=200, other=200),
    "agencies:visits-due": row(own=200, other=200),
    "agencies:caseload-csv": row(own=200, other=200),
    "agencies:placement-visits": PERSON_RECORD,
    "agencies:visit-record": RECORD_VISIT,
    "agencies:visit-detail": PERSON_RECORD,
    "agencies:visit-correct": AGENCY_PERSON_ACTION,
    # The move-on plan: officers and managers set its dates; an agency supporting the person adds
    # and updates the actions it owns (another agency's worker finds nothing there).
    "moveon:plan-dates": OFFICERS_ONLY,
    "moveon:action-add": AGENCY_PERSON_ACTION,
    "moveon:action-progress": AGENCY_PERSON_ACTION,
    "moveon:action-edit": AGENCY_PERSON_ACTION,
    # The API answers 401 (not a sign-in redirect) without credentials; staff browse it by role.
    "oauth-token": row(anon=405, officer=405, own=405, other=405, manager=405, opcc=405),  # POST only
    "api:referral-list": row(anon=401, own=200, other=200, opcc=403),
    "api:referral-events": row(anon=401, own=200, other=200, opcc=403),
    "api:referral-detail": row(anon=401, own=200, other=404, opcc=403),
    "api:referral-by-ref": row(anon=401, own=200, other=404, opcc=403),
    # POST only: staff may read, so they get 405; clients write with `referrals:write`.
    "api:referral-withdraw": row(anon=401, officer=405, own=405, other=405, manager=405, opcc=403),
    "api:visit-list": row(anon=401, own=200, other=200, opcc=403),
    "api:visit-placements": row(anon=401, own=200, other=200, opcc=403),
    "api:visit-detail": row(anon=401, own=200, other=404, opcc=403),
    # Staff read the actions they may change (an agency worker its own); clients by `moveon:read`.
    "api:moveon-action-list": row(anon=401, own=200, other=200, opcc=403),
    "api:moveon-action-detail": row(anon=401, own=200, other=404, opcc=403),
    # OPCC analysts reach the reports and nothing else (their own password apart).
    "api:schema": row(anon=401, own=200, other=200, opcc=403),
    "api:docs": row(anon=401, own=200, other=200, opcc=403),
    # Data protection pages: scheme managers only.
    "audit:access-log": MANAGERS_ONLY,
    "audit:access-log-csv": MANAGERS_ONLY,
    "audit:retention": MANAGERS_ONLY,
    "audit:retention-review": MANAGERS_ONLY,
    "audit:subject-access": MANAGERS_ONLY,
    "reports:report": row(opcc=200),
    # Without a period the download shows the report's form.
    "reports:download": row(opcc=200),
    # A file made in the background is its requester's only (here the analyst's): 404 to others.
    "reports:export-detail": row(officer=404, manager=404, opcc=200),
    "reports:export-download": row(officer=404, manager=404, opcc=200),
    # The report's assumptions: read by whoever reads reports, changed by scheme managers only.
    "reports:assumptions": row(opcc=200),
    "reports:assumption-edit": MANAGERS_ONLY,
    # After a stay: rent deposits (officers and managers manage; agencies read their own people's)
    # and follow-up checks (officers and supporting agencies record; managers read the list).
    "aftercare:deposits": row(own=200, other=200),
    "aftercare:deposit-pay": OFFICERS_ONLY,
    "aftercare:deposit-return": OFFICERS_ONLY,
    "aftercare:fund-top-up": OFFICERS_ONLY,
    "aftercare:landlords": OFFICERS_ONLY,
    "aftercare:landlord-add": OFFICERS_ONLY,
    "aftercare:landlord-property-add": OFFICERS_ONLY,
    "aftercare:follow-ups": row(own=200, other=200),
    "aftercare:follow-up-record": row(own=200, other=404, manager=403),
    # Case notes and documents: written by officers and the person's agencies, read by managers
    # too; only a note's author corrects it (the scene's note is the own agency worker's).
    "casefiles:note-add": RECORD_VISIT,
    "casefiles:note-correct": row(officer=403, own=200, other=404, manager=403),
    "casefiles:offender-document-add": RECORD_VISIT,
    "casefiles:placement-document-add": RECORD_VISIT,
    "casefiles:document-download": PERSON_RECORD,
    "api:followup-list": row(anon=401, own=200, other=200, opcc=403),
    "api:followup-detail": row(anon=401, own=200, other=404, opcc=403),
    "api:followup-record": row(anon=401, officer=405, own=405, other=405, manager=405, opcc=403),
    # Choosing a password from an emailed link: anyone with the link (here none: "invalid link").
    "password_set": EVERYONE_SIGNED_IN | {ANON: 200},
    "password_set_done": EVERYONE_SIGNED_IN | {ANON: 200},
    # Managing the scheme: its hub, users and roles, funding (scheme managers only). The scene's
    # account is the other agency's worker, with an authenticator: switching it on (it is on) goes
    # back to its page.
    "manage-scheme": MANAGERS_ONLY,
    "agencies:staff-list": MANAGERS_ONLY,
    "agencies:staff-add": MANAGERS_ONLY,
    "agencies:staff-detail": MANAGERS_ONLY,
    "agencies:staff-change": MANAGERS_ONLY,
    "agencies:staff-switch-off": MANAGERS_ONLY,
    "agencies:staff-switch-on": row(officer=403, manager=302),
    "agencies:staff-reset-two-factor": MANAGERS_ONLY,
    "agencies:staff-password-link": MANAGERS_ONLY,
    "reports:funding": MANAGERS_ONLY,
    "reports:funding-add": MANAGERS_ONLY,
    "reports:funding-edit": MANAGERS_ONLY,
    # The admin site is one row: scheme managers only (others are sent to the admin sign-in).
    "admin:index": row(anon=302, officer=302, own=302, other=302, manager=200, opcc=302),
}


def _routes(patterns=None, namespace="", prefix="") -> dict[str, str]:
    """Every URL name with its route, e.g. "placements:placement-end" → "placements/<uuid:public_id>/end/"."""
    routes = {}
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                routes["admin:index"] = "admin/"
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            routes |= _routes(pattern.url_patterns, inner, prefix + str(pattern.pattern))
        else:
            routes[f"{namespace}{pattern.name}"] = prefix + str(pattern.pattern)
    return routes


def test_every_url_has_a_row_in_the_matrix():
    missing = sorted(set(_routes()) - set(MATRIX))
    assert not missing, f"URLs with no access rule in the matrix: {missing}"
    assert not sorted(set(MATRIX) - set(_routes())), "rows for URLs that no longer exist"


@pytest.fixture
def scene():
    today = timezone.localdate()
    own = AgencyFactory(name="Probation")
    referral = ReferralFactory(referring_agency=own, status=Referral.Status.ACCEPTED)
    bedspace = BedspaceFactory()
    placement = PlacementFactory(
        offender=referral.offender,
        referral=referral,
        bedspace=bedspace,
        status=Placement.Status.ACTIVE,
        starts_on=today - timedelta(days=10),
        arrived_on=today - timedelta(days=10),
        with_term=True,
    )
    SupportAgencyFactory(support_plan=SupportPlanFactory(placement=placement), agency=own)
    own_worker = user_with_role(Role.AGENCY_WORKER, own)
    move_on_action = MoveOnActionFactory(plan__placement=placement, owner_agency=own)
    visit = HomeVisitFactory(placement=placement, agency=own, recorded_by=own_worker)
    alert = AlertFactory(
        kind=Alert.Kind.VISIT_CONCERN, offender=referral.offender, placement=placement, visit=visit
    )
    void = VoidPeriodFactory(bedspace=bedspace, starts_on=today + timedelta(days=90))
    # An earlier stay of the same person, ended, with a follow-up check and a deposit.
    earlier = PlacementFactory(
        offender=referral.offender,
        bedspace=BedspaceFactory(),
        status=Placement.Status.ENDED,
        starts_on=today - timedelta(days=200),
        arrived_on=today - timedelta(days=200),
        departed_on=today - timedelta(days=100),
        ends_on=today - timedelta(days=100),
        free_from=today - timedelta(days=100),
        departure_reason="planned_move_on",
        destination="private_rent",
    )
    SupportAgencyFactory(support_plan=SupportPlanFactory(placement=earlier), agency=own)
    follow_ups_schedule(placement_ids=[earlier.pk])
    check = earlier.follow_up_checks.order_by("months").first()
    fund = DepositFund.objects.create(
        name="Fund", starting_amount=1000, starts_on=today - timedelta(days=365)
    )
    landlord = Landlord.objects.create(name="Harbour Lettings")
    deposit = Deposit.objects.create(
        fund=fund,
        placement=earlier,
        landlord=landlord,
        kind="cash",
        amount=400,
        paid_on=today - timedelta(days=101),
        address_line_1="4 Quay Street",
        town="Aberystwyth",
        postcode="SY23 1AA",
        paid_by=user_with_role(Role.IOM_OFFICER),
    )
    note = note_add(offender_id=referral.offender_id, text="Settling in", by=own_worker)
    document = document_add(
        offender_id=referral.offender_id,
        kind="risk_assessment",
        title="Risk assessment",
        upload=SimpleUploadedFile("risk.pdf", b"%PDF-1.4\n%%EOF\n"),
        by=own_worker,
    )
    opcc = user_with_role(Role.OPCC_ANALYST, AgencyFactory(kind="commissioner"))
    export = ReportExportFactory(requested_by=opcc)
    unit_cost = UnitCostFactory(key="custody-night")
    funding = FundingFactory()
    users = {
        OFFICER: user_with_role(Role.IOM_OFFICER, AgencyFactory(name="Police", kind="police")),
        OWN: own_worker,
        OTHER: user_with_role(Role.AGENCY_WORKER, AgencyFactory(name="Elsewhere")),
        MANAGER: user_with_role(Role.SCHEME_MANAGER),
        OPCC: opcc,
    }
    # The users pages' account (the other agency's worker) has an authenticator to reset.
    TOTPDevice.objects.create(user=users[OTHER], name="Authenticator app", confirmed=True)
    # The record each kind of URL argument names, by the path segment before it.
    by_segment = {
        "referrals": referral.public_id,
        "by-ref": referral.external_ref,
        "offenders": referral.offender.public_id,
        "placements": placement.public_id,
        "terms": 1,  # a placement's licence term is named by its number
        "alerts": alert.pk,
        "properties": bedspace.property_id,
        "bedspaces": bedspace.pk,
        "voids": void.pk,
        "visits": {"int": visit.pk, "uuid": visit.public_id},
        "access-log": referral.offender.public_id,
        "retention": referral.offender.public_id,
        "subject-access": referral.offender.public_id,
        "exports": export.pk,
        "assumptions": unit_cost.pk,
        "follow-ups": check.public_id,
        "deposits": deposit.public_id,
        "funds": fund.pk,
        "landlords": landlord.pk,
        "actions": move_on_action.public_id,
        "notes": note.public_id,
        "documents": document.public_id,
        "users": users[OTHER].pk,
        "funding": funding.pk,
        "language": "cy",
    }
    return users, by_segment


def _url(route: str, by_segment: dict) -> str:
    """The route with each argument filled in by the record the path segment before it names
    (`offenders/<uuid>/notes/<uuid>/`: the person, then their note)."""

    def value(match) -> str:
        segment = route[: match.start()].rstrip("/").split("/")[-1]
        record = by_segment.get(segment, "")
        return str(record[match[1]] if isinstance(record, dict) else record)

    return "/" + re.sub(r"<(\w+):[^>]+>", value, route)


def _status(response) -> int | str:
    if response.status_code == 302 and response["Location"].startswith(reverse("login")):
        return LOGIN
    return response.status_code


def test_each_role_gets_the_expected_answer_from_every_url(client, scene):
    users, by_segment = scene
    wrong = []
    routes = _routes()
    for name, expected in MATRIX.items():
        url = _url(routes[name], by_segment)
        for role in ROLES:
            client.logout()
            if role != ANON:
                client.force_login(users[role])
            got = _status(client.get(url))
            if got != expected[role]:
                wrong.append(f"{name} as {role}: expected {expected[role]}, got {got} ({url})")
    assert not wrong, "\n".join(wrong)
