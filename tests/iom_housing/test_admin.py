"""The admin: scheme managers (and superusers) only, every model registered, no query per row."""

from datetime import date, timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aftercare.models import DepositFund, Landlord
from agencies.models import Agency, ApiClient, HomeVisit, StaffMembership, VisitCorrection
from alerts.models import Alert, AlertNotice, AlertsChanged, JobRun
from audit.models import AccessLogEntry
from iom_housing.access import Role
from moveon.models import MoveOnAction, MoveOnPlan
from outbox.models import OutboxMessage
from placements.areas import ENGLISH_AREAS, known_areas
from placements.models import (
    Bedspace,
    EndingCorrection,
    LicenceAgreement,
    LicenceBreachEnding,
    LicenceTerm,
    LicenceWarning,
    LicenceWording,
    LocalAuthority,
    PersonCondition,
    Placement,
    Property,
    PropertyExclusion,
    SharingOverride,
    SupportAgency,
    SupportPlan,
    Transfer,
    VoidPeriod,
)
from referrals.models import IdempotencyKey, Offender, OffenderEvent, Referral, ReferralEvent, WaitingReferral
from reports.models import Funding, PublishedRelease, ReportDownload, ReportExport, UnitCost
from tests.factories import (
    AgencyFactory,
    AlertFactory,
    BedspaceFactory,
    FundingFactory,
    HomeVisitFactory,
    LicenceTermFactory,
    MoveOnActionFactory,
    OffenderEventFactory,
    OffenderFactory,
    PlacementFactory,
    PropertyExclusionFactory,
    PropertyFactory,
    ReferralFactory,
    ReportExportFactory,
    StaffMembershipFactory,
    SupportAgencyFactory,
    UnitCostFactory,
    UserFactory,
    VoidPeriodFactory,
)
from tests.helpers import api_client_with_scopes, pass_second_factor, user_with_role

User = get_user_model()
pytestmark = pytest.mark.django_db

PROJECT_APPS = ("agencies", "referrals", "placements", "alerts", "reports", "moveon")
REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


def _label(model) -> str:
    return model._meta.label


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


# Each builder makes `n` rows with the relations their changelist shows filled in, so that a column
# reading a relation without select_related/prefetch_related would add queries as rows are added.


def _offenders(n):
    officer = user_with_role(Role.IOM_OFFICER)
    offenders = OffenderFactory.create_batch(n)
    for offender in offenders:
        offender.responsible_officers.add(officer)
    return offenders


def _visits(n):
    visits = HomeVisitFactory.create_batch(n)
    for visit in visits:
        visit.other_agencies.add(AgencyFactory(), AgencyFactory())
    return visits


def _placements(n):
    return [PlacementFactory(with_term=True, referral=ReferralFactory()) for _ in range(n)]


def _properties(n):
    return [BedspaceFactory().property for _ in range(n)]


def _bedspaces(n):
    return [VoidPeriodFactory().bedspace for _ in range(n)]


def _support_plans(n):
    plans = [SupportAgencyFactory().support_plan for _ in range(n)]
    for plan in plans:
        SupportAgencyFactory(support_plan=plan, ended_on=timezone.localdate())
    return plans


def _alerts(n):
    return [
        AlertFactory(offender=placement.offender, placement=placement, agency=AgencyFactory())
        for placement in PlacementFactory.create_batch(n)
    ]


def _transfers(n):
    transfers = []
    for _ in range(n):
        on = timezone.localdate() - timedelta(days=5)
        moved_from = PlacementFactory(
            status="ended",
            starts_on=on - timedelta(days=15),
            arrived_on=on - timedelta(days=15),
            ends_on=on,
            free_from=on,
            departed_on=on,
            departure_reason="transferred",
            destination="",
        )
        moved_to = PlacementFactory(
            offender=moved_from.offender, status="active", starts_on=on, arrived_on=on
        )
        transfers.append(
            Transfer.objects.create(
                from_placement=moved_from,
                to_placement=moved_to,
                moved_on=moved_to.starts_on,
                reason=Transfer.Reason.REPAIR,
                details="The boiler failed.",
                created_by=UserFactory(),
            )
        )
    return transfers


def _sharing_overrides(n):
    return [
        SharingOverride.objects.create(
            placement=placement,
            change="booking",
            starts_on=placement.starts_on,
            ends_on=placement.starts_on + timedelta(days=28),
            conflicts=["Resident A has a history of violence to other residents."],
            reason="Separate entrances and a member of staff on site.",
            decided_by=UserFactory(),
        )
        for placement in PlacementFactory.create_batch(n)
    ]


def _published_releases(n):
    import uuid

    made = timezone.now()
    return [
        PublishedRelease.objects.create(
            kind="month",
            start=date(2020 + i // 12, i % 12 + 1, 1),
            end=date(2020 + i // 12, i % 12 + 1, 28),
            area="",
            year_start=date(2020, 4, 1),
            batch=uuid.uuid4(),
            made_at=made,
            data_as_at=made,
            threshold=5,
            tables={},
        )
        for start in [PublishedRelease.objects.count()]
        for i in range(start, start + n)
    ]


def _users(n):
    return [user_with_role(Role.AGENCY_WORKER) for _ in range(n)]


def _move_on_actions(n):
    """Actions with owners and named owners, on plans of their own."""
    return [MoveOnActionFactory(owner_agency=AgencyFactory(), owner_user=UserFactory()) for _ in range(n)]


BUILDERS = {
    MoveOnPlan: lambda n: [action.plan for action in _move_on_actions(n)],
    MoveOnAction: _move_on_actions,
    ApiClient: lambda n: [api_client_with_scopes(name=f"Case system {i}") for i in range(n)],
    Agency: lambda n: [membership.agency for membership in StaffMembershipFactory.create_batch(n)],
    StaffMembership: lambda n: StaffMembershipFactory.create_batch(n),
    HomeVisit: _visits,
    VisitCorrection: lambda n: [
        VisitCorrection.objects.create(
            visit=visit,
            corrected_by=UserFactory(),
            reason="Wrong hours",
            changes={"support_hours": ["1", "2"]},
        )
        for visit in HomeVisitFactory.create_batch(n)
    ],
    Offender: _offenders,
    OffenderEvent: lambda n: OffenderEventFactory.create_batch(n, recorded_by=UserFactory()),
    Referral: lambda n: ReferralFactory.create_batch(n),
    Property: _properties,
    # Real areas (the admin's list shows them all: the 22 Welsh ones of the migration too).
    LocalAuthority: lambda n: list(known_areas([code for code, _name in ENGLISH_AREAS[:n]]).values()),
    Bedspace: _bedspaces,
    PropertyExclusion: lambda n: PropertyExclusionFactory.create_batch(n, created_by=UserFactory()),
    VoidPeriod: lambda n: VoidPeriodFactory.create_batch(n, created_by=UserFactory()),
    Placement: _placements,
    Transfer: _transfers,
    SharingOverride: _sharing_overrides,
    PublishedRelease: _published_releases,
    LicenceTerm: lambda n: LicenceTermFactory.create_batch(n, created_by=UserFactory()),
    SupportPlan: _support_plans,
    SupportAgency: lambda n: SupportAgencyFactory.create_batch(n),
    Alert: _alerts,
    Funding: lambda n: FundingFactory.create_batch(n),
    DepositFund: lambda n: [
        DepositFund.objects.create(name=f"Fund {start + i}", starting_amount=1000, starts_on=date(2026, 4, 1))
        for start in [DepositFund.objects.count()]
        for i in range(n)
    ],
    Landlord: lambda n: [
        Landlord.objects.create(name=f"Landlord {start + i}")
        for start in [Landlord.objects.count()]
        for i in range(n)
    ],
    UnitCost: lambda n: UnitCostFactory.create_batch(n),
    ReportExport: lambda n: ReportExportFactory.create_batch(n),
    ReportDownload: lambda n: [
        ReportDownload.objects.create(
            user=UserFactory(),
            audience="published",
            start=date(2026, 1, 1),
            end=date(2026, 3, 31),
            format="pdf",
        )
        for _ in range(n)
    ],
    User: _users,
}


def test_every_project_model_and_the_user_model_is_registered():
    project_models = {model for name in PROJECT_APPS for model in apps.get_app_config(name).get_models()}
    # After a stay, only the register-like records are edited here: deposits, their returns and
    # follow-up checks move money or record outcomes, so only their pages' services change them.
    project_models |= {DepositFund, Landlord}
    # The licence wording has its own pages with its versions; agreements, a person's conditions,
    # warnings and breach endings are written by the licence services only; so are corrections of
    # an ending (by `placement_ending_correct`, with why).
    # The services' and jobs' own bookkeeping is hidden: the API's idempotency keys and its
    # referral events feed, the alert emails sent and when the scheduled jobs ran; and what the
    # database's triggers keep (the referrals waiting for a bedspace, when alerts last changed).
    project_models -= {IdempotencyKey, ReferralEvent, AlertNotice, JobRun, WaitingReferral, AlertsChanged}
    project_models -= {
        LicenceWording,
        LicenceAgreement,
        PersonCondition,
        LicenceWarning,
        LicenceBreachEnding,
        EndingCorrection,
    }
    assert set(admin.site._registry) == project_models | {User}
    assert set(BUILDERS) == set(admin.site._registry)


def test_site_is_named_for_the_scheme():
    assert str(admin.site.site_header) == "IOM Housing administration"


# Scheme managers use every page

# Only the services (or scheduled jobs) write these: read, never edited here.
READ_ONLY = {ReportDownload, ReportExport, Transfer, SharingOverride, PublishedRelease}


@pytest.mark.parametrize("model", REGISTERED, ids=_label)
def test_scheme_manager_opens_every_changelist_and_add_page(scheme_manager_client, model):
    assert scheme_manager_client.get(_url(model, "changelist")).status_code == 200
    expected = 403 if model in READ_ONLY else 200
    assert scheme_manager_client.get(_url(model, "add")).status_code == expected


@pytest.mark.parametrize("model", REGISTERED, ids=_label)
def test_scheme_manager_opens_every_change_page(scheme_manager_client, model):
    (obj,) = BUILDERS[model](1)
    response = scheme_manager_client.get(_url(model, "change", obj.pk))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is (model not in READ_ONLY)


def test_scheme_manager_without_staff_flag_sees_every_model_on_the_index(
    scheme_manager_client, scheme_manager
):
    assert not scheme_manager.is_staff
    response = scheme_manager_client.get(reverse("admin:index"))
    assert response.status_code == 200
    listed = {model["object_name"] for app in response.context["app_list"] for model in app["models"]}
    assert listed == {model.__name__ for model in admin.site._registry}


def test_superuser_uses_the_admin(admin_client):
    assert admin_client.get(reverse("admin:index")).status_code == 200
    assert admin_client.get(_url(Offender, "changelist")).status_code == 200


# Everyone else is refused


@pytest.mark.parametrize(
    "client_fixture", ["iom_officer_client", "agency_worker_client", "opcc_client", "client"]
)
@pytest.mark.parametrize(
    "url", [reverse("admin:index"), _url(Offender, "changelist")], ids=["index", "changelist"]
)
def test_other_roles_and_anonymous_users_are_refused(request, client_fixture, url):
    response = request.getfixturevalue(client_fixture).get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_staff_flag_does_not_let_an_iom_officer_in(client, iom_officer):
    iom_officer.is_staff = True
    iom_officer.save()
    client.force_login(iom_officer)
    assert client.get(reverse("admin:index")).status_code == 302
    assert client.get(_url(Offender, "changelist")).status_code == 302


def test_scheme_manager_with_inactive_membership_is_refused(client, scheme_manager):
    StaffMembership.objects.filter(user=scheme_manager).update(active=False)
    client.force_login(scheme_manager)
    assert client.get(reverse("admin:index")).status_code == 302


def test_admin_login_accepts_a_scheme_manager_without_staff_flag(client, scheme_manager):
    response = client.post(
        reverse("admin:login"), {"username": scheme_manager.username, "password": "a-long-test-password"}
    )
    assert response.status_code == 302
    # Then the second factor, as everywhere on the site.
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("two_factor_verify"))
    pass_second_factor(client, scheme_manager)
    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_login_refuses_an_iom_officer_with_staff_flag(client, iom_officer):
    iom_officer.is_staff = True
    iom_officer.save()
    response = client.post(
        reverse("admin:login"), {"username": iom_officer.username, "password": "a-long-test-password"}
    )
    assert response.status_code == 200
    assert "scheme manager account" in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302


# Searches


def _found(client, model, term):
    response = client.get(_url(model, "changelist"), {"q": term})
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_offender_search_by_name_and_pnc_id(scheme_manager_client):
    wanted = OffenderFactory(first_name="Dai", last_name="Llewellyn", pnc_id="2004/0123456X")
    OffenderFactory(first_name="Gareth", last_name="Morgan")
    for term in ("Llewellyn", "dai llewellyn", "2004/0123456X", wanted.crn):
        assert _found(scheme_manager_client, Offender, term) == [wanted], term


def test_referral_search_by_agency_reference_and_offender_name(scheme_manager_client):
    wanted = ReferralFactory(external_ref="PROB-7781", offender__last_name="Llewellyn")
    ReferralFactory(offender__last_name="Morgan")
    assert _found(scheme_manager_client, Referral, "PROB-7781") == [wanted]
    assert _found(scheme_manager_client, Referral, "Llewellyn") == [wanted]


def test_property_search_by_postcode_and_placement_search_by_public_id(scheme_manager_client):
    wanted = PlacementFactory(bedspace__property__postcode="SY25 6AB")
    PlacementFactory()
    assert _found(scheme_manager_client, Property, "SY25") == [wanted.bedspace.property]
    assert _found(scheme_manager_client, Placement, str(wanted.public_id)) == [wanted]
    assert _found(scheme_manager_client, Placement, "not-a-uuid") == []


def test_autocomplete_finds_a_placement_by_the_persons_name(scheme_manager_client):
    wanted = PlacementFactory(offender__last_name="Llewellyn")
    PlacementFactory(offender__last_name="Morgan")
    response = scheme_manager_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "agencies", "model_name": "homevisit", "field_name": "placement", "term": "llew"},
    )
    assert [result["id"] for result in response.json()["results"]] == [str(wanted.pk)]


# Users, agencies and roles in one place


def test_scheme_manager_creates_a_user_with_agency_and_role(scheme_manager_client):
    agency = AgencyFactory()
    response = scheme_manager_client.post(
        _url(User, "add"),
        {
            "username": "new.worker",
            "usable_password": "true",
            "password1": "a-new-long-password-42",
            "password2": "a-new-long-password-42",
            "membership-TOTAL_FORMS": "1",
            "membership-INITIAL_FORMS": "0",
            "membership-MIN_NUM_FORMS": "0",
            "membership-MAX_NUM_FORMS": "1",
            "membership-0-agency": agency.pk,
            "membership-0-role": Role.AGENCY_WORKER,
            "membership-0-job_title": "Drug worker",
            "membership-0-active": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="new.worker")
    assert (user.membership.agency, user.membership.role) == (agency, Role.AGENCY_WORKER)
    assert not user.is_staff


def test_user_change_page_shows_the_membership_and_the_list_shows_role(scheme_manager_client, agency_worker):
    response = scheme_manager_client.get(_url(User, "change", agency_worker.pk))
    assert "membership-0-role" in response.content.decode()
    listing = scheme_manager_client.get(_url(User, "changelist"), {"q": agency_worker.username})
    assert str(Role.AGENCY_WORKER.label) in listing.content.decode()


def test_only_superusers_grant_superuser_or_staff(scheme_manager_client, admin_client, agency_worker):
    url = _url(User, "change", agency_worker.pk)
    manager_form = scheme_manager_client.get(url).context["adminform"].form
    assert {"is_superuser", "is_staff", "user_permissions", "groups"}.isdisjoint(manager_form.fields)
    assert "is_superuser" in admin_client.get(url).context["adminform"].form.fields


def test_scheme_manager_cannot_change_a_superuser(scheme_manager_client, admin_user):
    url = _url(User, "change", admin_user.pk)
    assert scheme_manager_client.post(url, {"username": "taken-over"}).status_code == 403
    assert scheme_manager_client.post(_url(User, "delete", admin_user.pk), {"post": "yes"}).status_code == 403
    admin_user.refresh_from_db()
    assert admin_user.username != "taken-over"


# Inlines and database rules through the admin


def _management(prefix, total=1):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_scheme_manager_adds_a_property_with_bedspaces(scheme_manager_client):
    response = scheme_manager_client.post(
        _url(Property, "add"),
        {
            "name": "Ty Gwyn",
            "provider": "Tai Ceredigion",
            "active": "on",
            "address_line_1": "1 Heol y Wig",
            "town": "Aberystwyth",
            "postcode": "SY23 2LN",
            "local_authority": "W06000008",
            "weekly_cost": "160.00",
            "restriction": Property.Restriction.NONE,
            "turnaround_days": "2",
            **_management("bedspaces", total=2),
            "bedspaces-0-label": "Flat 1",
            "bedspaces-0-active": "on",
            "bedspaces-1-label": "Flat 2",
            "bedspaces-1-active": "on",
            **_management("exclusions", total=0),
        },
    )
    assert response.status_code == 302
    assert sorted(Property.objects.get(name="Ty Gwyn").bedspaces.values_list("label", flat=True)) == [
        "Flat 1",
        "Flat 2",
    ]


def test_scheme_manager_adds_an_offender_with_needs_ticked(scheme_manager_client, scheme_manager):
    response = scheme_manager_client.post(
        _url(Offender, "add"),
        {
            "first_name": "Dai",
            "last_name": "Llewellyn",
            "aliases": "Dave Lewis",
            "date_of_birth": "1990-04-01",
            "gender": "male",
            "ethnicity": "white_british",
            "pnc_id": "2004/0123456X",
            "iom_category": Offender.IomCategory.FIXED,
            "risk_of_serious_harm": Offender.RiskOfSeriousHarm.HIGH,
            "needs": ["accommodation", "alcohol"],
            **_management("events", total=0),
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    offender = Offender.objects.get(pnc_id="2004/0123456X")
    assert (offender.needs, offender.aliases) == (["accommodation", "alcohol"], ["Dave Lewis"])
    log = AccessLogEntry.objects.get()  # in the access log, as a change made on a page would be
    assert (log.user, log.action, log.offender_ids) == (scheme_manager, "alter", [offender.pk])
    assert (log.model, log.object_ref) == ("referrals.Offender", str(offender.public_id))
    # The index's "Recent actions" names them again.
    assert "Dai Llewellyn" in scheme_manager_client.get(reverse("admin:index")).content.decode()
    index = AccessLogEntry.objects.latest("pk")
    assert (index.action, index.offender_ids, index.url) == ("consult", [offender.pk], "/admin/")


def test_bulk_delete_of_properties_from_the_changelist(scheme_manager_client):
    unused, also_unused = PropertyFactory.create_batch(2)
    kept = BedspaceFactory().property
    url = _url(Property, "changelist")
    selected = {"action": "delete_selected", "_selected_action": [unused.pk, also_unused.pk]}
    assert scheme_manager_client.post(url, selected).status_code == 200  # the confirmation page
    assert scheme_manager_client.post(url, {**selected, "post": "yes"}).status_code == 302
    assert list(Property.objects.all()) == [kept]


def _void_inline_post(bedspace, starts_on, ends_on):
    return {
        "property": bedspace.property_id,
        "label": bedspace.label,
        "active": "on",
        **_management("void_periods"),
        "void_periods-0-starts_on": starts_on.isoformat(),
        "void_periods-0-ends_on": ends_on.isoformat(),
        "void_periods-0-reason": VoidPeriod.Reason.REPAIRS,
    }


def test_void_period_added_inline_records_who_added_it(scheme_manager_client, scheme_manager):
    bedspace = BedspaceFactory()
    start = timezone.localdate()
    response = scheme_manager_client.post(
        _url(Bedspace, "change", bedspace.pk), _void_inline_post(bedspace, start, start + timedelta(days=5))
    )
    assert response.status_code == 302
    assert bedspace.void_periods.get().created_by == scheme_manager


def test_overlapping_void_period_is_a_form_error_not_a_server_error(scheme_manager_client):
    existing = VoidPeriodFactory()
    response = scheme_manager_client.post(
        _url(VoidPeriod, "add"),
        {
            "bedspace": existing.bedspace_id,
            "starts_on": (existing.starts_on + timedelta(days=1)).isoformat(),
            "ends_on": (existing.ends_on + timedelta(days=1)).isoformat(),
            "reason": VoidPeriod.Reason.DAMAGE,
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert VoidPeriod.objects.count() == 1


# No query per row


@pytest.mark.parametrize("model", REGISTERED, ids=_label)
def test_changelist_query_count_is_the_same_for_2_and_20_rows(scheme_manager_client, model):
    url = _url(model, "changelist")
    counts = []
    for rows in (2, 18):
        BUILDERS[model](rows)
        scheme_manager_client.get(url)  # session and content-type caches warm, as on a busy site
        with CaptureQueriesContext(connection) as queries:
            response = scheme_manager_client.get(url)
        assert response.status_code == 200
        assert len(response.context["cl"].result_list) >= (2 if rows == 2 else 20)
        counts.append(len(queries))
    assert counts[0] == counts[1], [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize(
    "model", [IdempotencyKey, ReferralEvent, AlertNotice, JobRun, OutboxMessage], ids=_label
)
def test_the_services_own_bookkeeping_is_not_in_the_admin(scheme_manager_client, model):
    """Internal tables (the API's idempotency keys and events feed, the alert emails sent, the
    scheduled jobs' runs, the outbox) are written by the services and jobs only: not shown."""
    assert not admin.site.is_registered(model)
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    assert scheme_manager_client.get(url).status_code == 404


# The database's rules, said as sentences: the admin's forms validate each constraint with its
# `violation_error_message`, never Django's "Constraint “…” is violated."


def test_every_constraint_says_what_to_put_right():
    from django.db.models import BaseConstraint

    default = str(BaseConstraint.default_violation_error_message)
    bare = [
        f"{model._meta.label}.{constraint.name}"
        for model in apps.get_models()
        if model.__module__.split(".")[0] in {*PROJECT_APPS, "aftercare", "casefiles", "audit"}
        for constraint in model._meta.constraints
        if str(constraint.violation_error_message) == default
    ]
    assert not bare, bare


def _errors_shown(response) -> list[str]:
    form = response.context["adminform"].form
    return [str(error) for errors in form.errors.values() for error in errors]


def test_funding_ending_before_it_starts_is_a_sentence_at_the_top_of_the_admin_form(scheme_manager_client):
    response = scheme_manager_client.post(
        _url(Funding, "add"),
        {
            "name": "Grant",
            "funder": "PCC",
            "kind": "grant",
            "amount": "100",
            "starts_on": "2026-04-01",
            "ends_on": "2026-03-01",
            "notes": "",
        },
    )
    assert response.status_code == 200
    assert _errors_shown(response) == ["The end date must be the same as or after the start date."]
    assert "is violated" not in response.content.decode()
    assert not Funding.objects.exists()


def test_unit_costs_out_of_order_are_a_sentence_in_the_admin(scheme_manager_client):
    response = scheme_manager_client.post(
        _url(UnitCost, "add"),
        {"key": "recall", "name": "A recall", "low": "300", "central": "200", "high": "400", "unit": "recall",
         "source": "MoJ", "source_date": "2024-10-31", "notes": ""},
    )  # fmt: skip
    assert _errors_shown(response) == ["The figures must be in order: low, then central, then high."]


def test_a_second_bedspace_with_the_same_label_is_a_sentence_in_the_admin(scheme_manager_client):
    existing = BedspaceFactory(label="Flat 1")
    response = scheme_manager_client.post(
        _url(Bedspace, "add"),
        {"property": existing.property_id, "label": "Flat 1", "active": "on", **_management("void_periods")},
    )
    assert response.status_code == 200
    assert _errors_shown(response) == [
        "This property already has a bedspace with this label. Give each bedspace its own label."
    ]


def test_an_overlapping_void_period_says_which_rule_it_breaks(scheme_manager_client):
    existing = VoidPeriodFactory()
    response = scheme_manager_client.post(
        _url(VoidPeriod, "add"),
        {
            "bedspace": existing.bedspace_id,
            "starts_on": (existing.starts_on + timedelta(days=1)).isoformat(),
            "ends_on": (existing.ends_on + timedelta(days=1)).isoformat(),
            "reason": VoidPeriod.Reason.DAMAGE,
        },
    )
    assert _errors_shown(response) == [
        "This bedspace already has a void period over some of these dates. Change or end that one instead."
    ]


def test_a_second_person_with_the_same_pnc_id_is_a_sentence_in_the_admin(scheme_manager_client):
    OffenderFactory(pnc_id="2004/0123456X")
    response = scheme_manager_client.post(
        _url(Offender, "add"),
        {
            "first_name": "Dai",
            "last_name": "Llewellyn",
            "date_of_birth": "1990-04-01",
            "gender": "male",
            "ethnicity": "white_british",
            "pnc_id": "2004/0123456X",
            "iom_category": Offender.IomCategory.FIXED,
            "risk_of_serious_harm": Offender.RiskOfSeriousHarm.HIGH,
            **_management("events", total=0),
        },
    )
    assert response.status_code == 200
    assert _errors_shown(response) == [
        "Another person already has this PNC ID. Search for them instead of recording them twice."
    ]
