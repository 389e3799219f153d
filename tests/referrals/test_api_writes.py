"""Writing referrals through the API: idempotent creates, upserts by the agency's reference,
optimistic concurrency with If-Match, withdrawal, scopes and agency scoping."""

import threading
import uuid

import pytest
from django.db import connection
from django.test import Client

from referrals.models import Ethnicity, Gender, IdempotencyKey, Offender, Referral
from tests.factories import AgencyFactory, ReferralFactory
from tests.helpers import in_two_threads

pytestmark = pytest.mark.django_db

LIST = "/api/v1/referrals/"
JSON = "application/json"


def detail(referral) -> str:
    return f"{LIST}{referral.public_id}/"


def body(**overrides) -> dict:
    person = {
        "first_name": "Sam",
        "last_name": "Quayle",
        "date_of_birth": "1985-04-02",
        "gender": Gender.values[0],
        "ethnicity": Ethnicity.values[0],
        "pnc_id": "2004/0123456X",
        "crn": "X123456",
        "iom_category": Offender.IomCategory.values[0],
        "risk_of_serious_harm": Offender.RiskOfSeriousHarm.values[0],
    }
    person |= overrides.pop("person", {})
    data = {
        "person": person,
        "urgency": Referral.Urgency.ROUTINE,
        "needs": [],
        "risk_summary": "None known.",
        "reason": "Released without an address.",
    }
    return data | overrides


@pytest.fixture
def api(api_client_for, probation):
    return api_client_for(probation)


def post(api, data, key="key-1"):
    return api.post(LIST, data, content_type=JSON, HTTP_IDEMPOTENCY_KEY=key)


def test_create_and_a_retry_replays_the_first_response(api, probation):
    first = post(api, body(external_ref="PROB-1"))
    assert first.status_code == 201, first.content
    again = post(api, body(external_ref="PROB-1"))
    assert (again.status_code, again.json()) == (201, first.json())
    assert again["Idempotent-Replayed"] == "true"
    assert Referral.objects.filter(referring_agency=probation).count() == 1
    assert first.json()["person"]["pnc_id"] == "2004/0123456X"


def test_a_post_without_an_idempotency_key_is_400_naming_the_header(api):
    response = api.post(LIST, body(), content_type=JSON)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == ["Idempotency-Key"]
    assert not Referral.objects.exists()


def test_the_same_key_with_another_body_is_422(api):
    assert post(api, body()).status_code == 201
    response = post(api, body(reason="Something else"))
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert Referral.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_creates_with_one_key_make_one_referral(api_client_for):
    api = api_client_for(AgencyFactory(name="Probation", kind="probation"))
    barrier = threading.Barrier(2)
    statuses, bodies = [], []

    def send():
        try:
            client = Client(HTTP_AUTHORIZATION=api.defaults["HTTP_AUTHORIZATION"])
            barrier.wait()
            response = post(client, body())
            statuses.append(response.status_code)
            bodies.append(response.json())
        finally:
            connection.close()

    in_two_threads(send)
    assert statuses == [201, 201]
    assert bodies[0] == bodies[1]
    assert Referral.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1


def test_the_person_is_matched_by_pnc_id_across_referrals(api, api_client_for):
    assert post(api, body(), key="a").status_code == 201
    drugs = api_client_for(AgencyFactory(name="Drugs service"))
    response = post(drugs, body(person={"first_name": "Samuel", "crn": ""}), key="b")
    assert response.status_code == 201, response.content
    assert Offender.objects.count() == 1
    assert Referral.objects.count() == 2


def test_a_possible_same_person_is_409_with_a_token_to_confirm_with(api, api_client_for):
    assert post(api, body(), key="a").status_code == 201
    drugs = api_client_for(AgencyFactory(name="Drugs service"))
    response = post(drugs, body(person={"pnc_id": "", "crn": ""}), key="b")
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "possible_same_person" and "matches" not in problem
    confirmed = post(
        drugs,
        body(person={"pnc_id": "", "crn": ""}, confirm_same_person=True, match_token=problem["match_token"]),
        key="b",
    )
    assert confirmed.status_code == 201, confirmed.content
    assert Offender.objects.count() == 1
    someone_else = post(drugs, body(person={"pnc_id": "", "crn": ""}, different_person=True), key="c")
    assert someone_else.status_code == 201 and Offender.objects.count() == 2


def test_bad_input_is_400_naming_each_field(api):
    response = post(api, body(urgency="whenever", person={"date_of_birth": "someday", "pnc_id": "nope"}))
    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"urgency", "person.date_of_birth"} <= fields
    response = post(api, body(person={"pnc_id": "nope"}), key="other")
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["person.pnc_id"]
    assert not Referral.objects.exists()


def test_upsert_by_reference_twice_makes_one_referral_and_changes_nothing(api, probation):
    url = f"{LIST}by-ref/PROB-9"
    created = api.put(url, body(), content_type=JSON)
    assert created.status_code == 201, created.content
    again = api.put(url, body(), content_type=JSON)
    assert (again.status_code, again.json()) == (200, created.json())
    assert again["ETag"] == created["ETag"]
    changed = api.put(url, body(urgency=Referral.Urgency.URGENT), content_type=JSON)
    assert (changed.status_code, changed.json()["urgency"]) == (200, "urgent")
    assert Referral.objects.filter(referring_agency=probation, external_ref="PROB-9").count() == 1
    assert api.get(url).json()["id"] == created.json()["id"]


def test_a_stale_if_match_is_412_and_changes_nothing(api, probation):
    referral = ReferralFactory(referring_agency=probation, urgency=Referral.Urgency.ROUTINE)
    etag = api.get(detail(referral))["ETag"]
    fresh = api.patch(detail(referral), {"needs": []}, content_type=JSON, HTTP_IF_MATCH=etag)
    assert fresh.status_code == 200, fresh.content
    Referral.objects.filter(pk=referral.pk).update(reason="Changed by someone else")
    stale = api.patch(detail(referral), {"urgency": "urgent"}, content_type=JSON, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale["Content-Type"] == "application/problem+json"
    referral.refresh_from_db()
    assert referral.urgency == Referral.Urgency.ROUTINE
    current = api.get(detail(referral))["ETag"]
    ok = api.patch(detail(referral), {"urgency": "urgent"}, content_type=JSON, HTTP_IF_MATCH=current)
    assert (ok.status_code, ok.json()["urgency"]) == (200, "urgent")


def test_a_decided_referral_cannot_be_changed(api, probation):
    referral = ReferralFactory(
        referring_agency=probation, status=Referral.Status.DECLINED, decline_reason="duplicate"
    )
    response = api.patch(detail(referral), {"urgency": "urgent"}, content_type=JSON)
    assert response.status_code == 409


def test_withdraw_is_a_status_change_and_delete_is_refused(api, probation):
    referral = ReferralFactory(referring_agency=probation)
    assert api.delete(detail(referral)).status_code == 405
    response = api.post(f"{detail(referral)}withdraw/", {}, content_type=JSON)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "withdrawn"
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.WITHDRAWN
    assert api.post(f"{detail(referral)}withdraw/", {}, content_type=JSON).status_code == 409


def test_writing_needs_the_write_scope(api_client_for, probation):
    reader = api_client_for(probation, scopes=["referrals:read"])
    referral = ReferralFactory(referring_agency=probation)
    response = post(reader, body())
    assert response.status_code == 403
    assert response.json()["required_scopes"] == ["referrals:write"]
    assert reader.post(f"{detail(referral)}withdraw/", content_type=JSON).status_code == 403
    assert reader.put(f"{LIST}by-ref/X", body(), content_type=JSON).status_code == 403
    assert not IdempotencyKey.objects.exists()


def test_another_agencys_referral_is_404(api):
    other = ReferralFactory(external_ref="THEIRS")
    assert api.patch(detail(other), {"urgency": "urgent"}, content_type=JSON).status_code == 404
    assert api.post(f"{detail(other)}withdraw/", {}, content_type=JSON).status_code == 404
    assert api.get(f"{LIST}by-ref/THEIRS").status_code == 404
    assert api.patch(f"{LIST}{uuid.uuid4()}/", {}, content_type=JSON).status_code == 404
    other.refresh_from_db()
    assert other.status == Referral.Status.SUBMITTED


@pytest.mark.parametrize("reference", ["a%00b", "tab%09here", "x" * 101])
def test_a_reference_no_agency_could_hold_is_a_404_not_an_error(api, reference):
    assert api.get(f"{LIST}by-ref/{reference}").status_code == 404
    assert api.put(f"{LIST}by-ref/{reference}", body(), content_type=JSON).status_code == 404
