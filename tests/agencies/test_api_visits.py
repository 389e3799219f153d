"""Recording home visits through the API: the placements an agency supports, the same rules as the
site's form, idempotent retries, scopes, agency scoping and throttling."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from agencies.models import HomeVisit
from iom_housing.access import Role
from placements.models import Alert, Placement
from tests.factories import (
    AgencyFactory,
    HomeVisitFactory,
    PlacementFactory,
    SupportAgencyFactory,
    SupportPlanFactory,
)
from tests.helpers import user_with_role

pytestmark = pytest.mark.django_db

VISITS = "/api/v1/visits/"
PLACEMENTS = "/api/v1/visits/placements/"
JSON = "application/json"


@pytest.fixture
def ddas(db):
    return AgencyFactory(name="Drug and alcohol service", code="ddas", kind="drug_alcohol")


@pytest.fixture
def api(api_client_for, ddas):
    return api_client_for(ddas)


def in_residence(agency=None, days_ago=10, **fields) -> Placement:
    today = timezone.localdate()
    placement = PlacementFactory(
        status=Placement.Status.ACTIVE,
        starts_on=today - timedelta(days=days_ago),
        arrived_on=today - timedelta(days=days_ago),
        with_term=True,
        **fields,
    )
    if agency is not None:
        SupportAgencyFactory(support_plan=SupportPlanFactory(placement=placement), agency=agency)
    return placement


def body(placement, **overrides) -> dict:
    visited = timezone.localtime() - timedelta(hours=2)
    return {
        "placement": str(placement.public_id),
        "visited_at": visited.isoformat(),
        "kind": HomeVisit.Kind.HOME,
        "staff_names": "Rhian Evans",
        "outcome": HomeVisit.Outcome.values[0],
        "support_hours": "1.50",
        "engagement": HomeVisit.Engagement.GOOD,
    } | overrides


def post(api, data, key="visit-1"):
    return api.post(VISITS, data, content_type=JSON, HTTP_IDEMPOTENCY_KEY=key)


def problem_fields(response) -> set[str]:
    assert response["Content-Type"].startswith("application/problem+json"), response.content
    return {error["field"] for error in response.json()["errors"]}


# The placements an agency supports ---------------------------------------------------------------


def test_the_client_lists_the_placements_its_agency_supports_with_the_address(api, ddas):
    mine = in_residence(ddas)
    in_residence(AgencyFactory())  # supported by another agency only
    in_residence()  # no support plan

    response = api.get(PLACEMENTS)

    assert response.status_code == 200
    [row] = response.json()
    assert row["id"] == str(mine.public_id)
    assert row["person"]["last_name"] == mine.offender.last_name
    assert row["address"]["postcode"] == mine.bedspace.property.postcode
    assert row["visit_every_days"] == 7
    assert row["last_visit_at"] is None
    assert row["visit_state"] == "overdue"  # arrived 10 days ago, never visited


@pytest.mark.parametrize("rows", [2, 12])
def test_supported_placements_take_a_fixed_number_of_queries(api, ddas, django_assert_num_queries, rows):
    for _ in range(rows):
        in_residence(ddas)
    # token, its client and agency; the ids of the placements supported today; those placements
    # with person, property, last visit and frequency; the access-log row
    with django_assert_num_queries(5):
        assert len(api.get(PLACEMENTS).json()) == rows


# Recording a visit -----------------------------------------------------------------------------


def test_a_client_records_a_visit_which_the_site_shows_as_from_its_case_system(api, ddas, iom_officer_client):
    placement = in_residence(ddas)

    response = post(api, body(placement))

    assert response.status_code == 201, response.content
    data = response.json()
    assert response["Location"] == f"{data['id']}/"
    visit = HomeVisit.objects.get()
    assert (visit.agency, visit.recorded_by, visit.recorded_by_client) == (ddas, None, api.api_client)
    assert str(visit.support_hours) == "1.50"
    assert data["placement"] == str(placement.public_id) and data["agency"] == "ddas"
    assert api.get(f"{VISITS}{data['id']}/").json() == data
    assert [row["id"] for row in api.get(VISITS).json()["results"]] == [data["id"]]
    page = iom_officer_client.get(visit.get_absolute_url()).content.decode()
    assert f"{api.api_client.application.name}, over the API" in page


def test_a_retry_with_the_same_key_records_nothing_more(api, ddas):
    placement = in_residence(ddas)
    first = post(api, body(placement) | {"visited_at": None})
    assert first.status_code == 400  # a failed request stores nothing against its key
    data = body(placement)

    created = post(api, data)
    again = post(api, data)

    assert created.status_code == again.status_code == 201
    assert again.json() == created.json() and again["Idempotent-Replayed"] == "true"
    assert HomeVisit.objects.count() == 1
    reused = post(api, data | {"staff_names": "Someone else"})
    assert reused.status_code == 422
    assert HomeVisit.objects.count() == 1


def test_a_create_without_an_idempotency_key_is_refused(api, ddas):
    response = api.post(VISITS, body(in_residence(ddas)), content_type=JSON)
    assert response.status_code == 400
    assert problem_fields(response) == {"Idempotency-Key"}


def test_a_joint_visit_names_the_other_agencies_by_code(api, ddas):
    probation = AgencyFactory(code="probation")
    response = post(api, body(in_residence(ddas), other_agencies=["probation"]))
    assert response.status_code == 201, response.content
    assert response.json()["other_agencies"] == ["probation"]
    assert list(HomeVisit.objects.get().other_agencies.all()) == [probation]


def test_a_concern_alerts_the_iom_team(api, ddas):
    placement = in_residence(ddas)
    response = post(api, body(placement, concern_raised=True, concern="Visitors at night."))
    assert response.status_code == 201
    alert = Alert.objects.get()
    assert (alert.kind, alert.placement) == (Alert.Kind.VISIT_CONCERN, placement)


# The same rules as the site's form ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"visited_at": (timezone.now() + timedelta(days=1)).isoformat()}, {"visited_at"}),
        ({"visited_at": (timezone.now() - timedelta(days=30)).isoformat()}, {"visited_at"}),
        ({"support_hours": "30"}, {"support_hours"}),
        ({"staff_names": "  "}, {"staff_names"}),
        ({"concern_raised": True, "concern": ""}, {"concern"}),
        ({"kind": "carrier-pigeon", "outcome": ""}, {"kind", "outcome"}),
        ({"placement": "00000000-0000-0000-0000-000000000000"}, {"placement"}),
        ({"other_agencies": ["nobody"]}, {"other_agencies"}),
        ({"visited_at": "last Tuesday"}, {"visited_at"}),
        # An offset ISO allows but PostgreSQL does not (found by schemathesis): a 400, not a 500.
        ({"visited_at": "0421-03-03T17:46:20-19:10"}, {"visited_at"}),
        ({"visited_at": "0001-01-01T00:10:00+01:00"}, {"visited_at"}),
    ],
)
def test_bad_visits_are_refused_naming_each_field(api, ddas, overrides, fields):
    response = post(api, body(in_residence(ddas)) | overrides)
    assert response.status_code == 400
    assert problem_fields(response) == fields
    assert not HomeVisit.objects.exists()


def test_a_placement_the_agency_does_not_support_is_refused(api):
    response = post(api, body(in_residence(AgencyFactory())))
    assert response.status_code == 400
    assert problem_fields(response) == {"placement"}
    assert "not on the support plan" in response.content.decode()


def test_a_person_who_has_not_arrived_cannot_be_visited(api, ddas):
    placement = PlacementFactory(status=Placement.Status.CONFIRMED, with_term=True)
    SupportAgencyFactory(support_plan=SupportPlanFactory(placement=placement), agency=ddas)
    response = post(api, body(placement))
    assert response.status_code == 400
    assert problem_fields(response) == {"placement"}


# Scopes and scoping ----------------------------------------------------------------------------


def test_a_token_without_visits_write_may_neither_read_nor_record(api_client_for, ddas):
    referrals_only = api_client_for(ddas, scopes=["referrals:read", "referrals:write"])
    placement = in_residence(ddas)
    assert referrals_only.get(PLACEMENTS).status_code == 403
    assert referrals_only.get(VISITS).status_code == 403
    response = post(referrals_only, body(placement))
    assert response.status_code == 403
    assert response.json()["required_scopes"] == ["visits:write"]
    assert not HomeVisit.objects.exists()


def test_another_agencys_visits_are_invisible(api, ddas):
    placement = in_residence(ddas)
    theirs = HomeVisitFactory(placement=placement, agency=AgencyFactory())
    joint = HomeVisitFactory(placement=placement, agency=AgencyFactory())
    joint.other_agencies.add(ddas)

    assert api.get(f"{VISITS}{theirs.public_id}/").status_code == 404
    assert [row["id"] for row in api.get(VISITS).json()["results"]] == [str(joint.public_id)]


def test_visits_changed_since_a_time_with_a_far_offset_are_listed(api, ddas):
    visit = HomeVisitFactory(placement=in_residence(ddas), agency=ddas)
    # An offset ISO allows but PostgreSQL does not (found by schemathesis): read in UTC, not a 500.
    response = api.get(VISITS, {"updated_since": "0421-03-03T17:46:20.802823-19:10"})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(visit.public_id)]


def test_no_token_is_401():
    assert Client().get(VISITS).status_code == 401


def test_staff_read_visits_through_the_api_but_record_them_on_the_site(client, ddas):
    worker = user_with_role(Role.AGENCY_WORKER, ddas)
    placement = in_residence(ddas)
    visit = HomeVisitFactory(placement=placement, agency=ddas, recorded_by=worker)
    client.force_login(worker)
    assert [row["id"] for row in client.get(VISITS).json()["results"]] == [str(visit.public_id)]
    assert [row["id"] for row in client.get(PLACEMENTS).json()] == [str(placement.public_id)]
    assert client.post(VISITS, body(placement), content_type=JSON).status_code == 403


@pytest.mark.parametrize("rows", [2, 12])
def test_a_page_of_visits_takes_a_fixed_number_of_queries(api, ddas, django_assert_num_queries, rows):
    placement = in_residence(ddas)
    for _ in range(rows):
        HomeVisitFactory(placement=placement, agency=ddas).other_agencies.add(AgencyFactory())
    # token, its client and agency, the visits with their placement and recorder, joint agencies,
    # the access-log row
    with django_assert_num_queries(5):
        assert len(api.get(VISITS).json()["results"]) == rows


# Throttling ------------------------------------------------------------------------------------


def test_a_client_over_its_rate_gets_429_with_retry_after(api, settings, api_client_for):
    settings.API_THROTTLE_RATE = "3/minute"
    answers = [api.get(VISITS).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    response = api.get(VISITS)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response["Content-Type"].startswith("application/problem+json")
    other = api_client_for(AgencyFactory())  # the limit is per client
    assert other.get(VISITS).status_code == 200
