"""The move-on API: an agency's case system reads the actions it owns for people it supports
(`moveon:read`), adds them with an Idempotency-Key and updates them (`moveon:write`), within its
scope; bad input is a problem+json 400 naming the field."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts import sweeps
from alerts.models import Alert
from audit.models import AccessLogEntry
from moveon.models import MoveOnAction
from tests.clock import london
from tests.factories import MoveOnActionFactory, MoveOnPlanFactory
from tests.moveon.helpers import supported_case

pytestmark = pytest.mark.django_db

ACTIONS = "/api/v1/moveon/actions/"
JSON = "application/json"


@pytest.fixture(autouse=True)
def _pinned(time_machine):
    time_machine.move_to(london(2026, 12, 3, 10, 30), tick=False)


def today():
    return timezone.localdate()


@pytest.fixture
def case():
    return supported_case()


@pytest.fixture
def api(api_client_for, case):
    return api_client_for(case.agency)


def problem_fields(response) -> set[str]:
    assert response["Content-Type"].startswith("application/problem+json"), response.content
    return {error["field"] for error in response.json()["errors"]}


def owned(case, n=1, **fields):
    plan = getattr(case.placement, "move_on_plan", None) or MoveOnPlanFactory(placement=case.placement)
    fields.setdefault("owner_agency", case.agency)
    return [MoveOnActionFactory(plan=plan, opened_on=case.placement.arrived_on, **fields) for _ in range(n)]


def test_the_client_reads_only_the_actions_its_agency_owns(api, case):
    [mine] = owned(case)
    owned(case, owner_agency=None)  # the IOM team's
    other = supported_case()
    owned(other, owner_agency=other.agency)
    response = api.get(ACTIONS)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(mine.public_id)]
    row = response.json()["results"][0]
    assert row["placement"] == str(case.placement.public_id)
    assert row["owner_agency"] == case.agency.code
    entry = AccessLogEntry.objects.latest("pk")
    assert entry.api_client == api.api_client and case.placement.offender_id in entry.offender_ids


def test_the_list_keeps_its_queries_whatever_its_length(api, case):
    owned(case, 2)
    with CaptureQueriesContext(connection) as two:
        assert api.get(ACTIONS).status_code == 200
    owned(case, 18)
    with CaptureQueriesContext(connection) as twenty:
        assert api.get(ACTIONS).status_code == 200
    assert len(two) == len(twenty)


def test_an_action_of_someone_the_agency_no_longer_supports_is_not_found(api, case):
    [mine] = owned(case)
    case.placement.support_plan.support_agencies.update(ended_on=today())
    assert api.get(f"{ACTIONS}{mine.public_id}/").status_code == 404
    assert api.get(ACTIONS).json()["results"] == []


def test_adding_is_idempotent(api, case):
    body = {"placement": str(case.placement.public_id), "kind": "housing_register", "due_on": "2026-12-18"}
    first = api.post(ACTIONS, body, content_type=JSON, HTTP_IDEMPOTENCY_KEY="add-1")
    assert first.status_code == 201, first.content
    again = api.post(ACTIONS, body, content_type=JSON, HTTP_IDEMPOTENCY_KEY="add-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    action = MoveOnAction.objects.get()
    assert (action.owner_agency, action.api_client, action.opened_on) == (
        case.agency,
        api.api_client,
        today(),
    )
    reused = api.post(ACTIONS, body | {"kind": "benefits"}, content_type=JSON, HTTP_IDEMPOTENCY_KEY="add-1")
    assert reused.status_code == 422


def test_adding_needs_an_idempotency_key_and_names_bad_fields(api, case):
    body = {"placement": str(case.placement.public_id), "kind": "wales_s62"}
    assert problem_fields(api.post(ACTIONS, body, content_type=JSON)) == {"Idempotency-Key"}
    response = api.post(ACTIONS, body, content_type=JSON, HTTP_IDEMPOTENCY_KEY="add-2")
    assert response.status_code == 400
    assert problem_fields(response) == {"local_authority"}
    response = api.post(ACTIONS, body | {"kind": "cake"}, content_type=JSON, HTTP_IDEMPOTENCY_KEY="add-3")
    assert problem_fields(response) == {"kind"}
    assert not MoveOnAction.objects.exists()


def test_a_client_cannot_add_for_a_placement_its_agency_does_not_support(api):
    stranger = supported_case()
    body = {"placement": str(stranger.placement.public_id), "kind": "benefits"}
    response = api.post(ACTIONS, body, content_type=JSON, HTTP_IDEMPOTENCY_KEY="add-4")
    assert response.status_code == 400
    assert not MoveOnAction.objects.exists()


def test_updating_to_done_clears_the_overdue_alert_and_a_repeat_changes_nothing(api, case):
    [action] = owned(case, due_on=today() - timedelta(days=1))
    sweeps.run_sweep("moveon_overdue")
    url = f"{ACTIONS}{action.public_id}/"
    body = {"status": "done", "outcome_on": "2026-12-03", "result": "successful", "outcome": "Band 2"}
    first = api.patch(url, body, content_type=JSON)
    assert first.status_code == 200, first.content
    assert first.json()["status"] == "done"
    assert not Alert.objects.filter(kind=Alert.Kind.MOVEON_OVERDUE).exclude(status="resolved").exists()
    again = api.patch(url, body, content_type=JSON)
    assert again.json()["version"] == first.json()["version"]


def test_an_update_is_refused_by_field(api, case):
    [action] = owned(case)
    response = api.patch(f"{ACTIONS}{action.public_id}/", {"status": "done"}, content_type=JSON)
    assert response.status_code == 400
    assert problem_fields(response) >= {"outcome_on"}


def test_another_agencys_action_is_not_there_to_update(api, case):
    other = supported_case()
    [theirs] = owned(other, owner_agency=other.agency)
    response = api.patch(f"{ACTIONS}{theirs.public_id}/", {"notes": "Ours"}, content_type=JSON)
    assert response.status_code == 404


def test_reading_needs_moveon_read_and_writing_moveon_write(api_client_for, case):
    [action] = owned(case)
    reader = api_client_for(case.agency, scopes=["moveon:read"])
    assert reader.get(ACTIONS).status_code == 200
    assert reader.patch(f"{ACTIONS}{action.public_id}/", {"notes": "x"}, content_type=JSON).status_code == 403
    visits_only = api_client_for(case.agency, scopes=["visits:write"])
    assert visits_only.get(ACTIONS).status_code == 403
