"""The referrals API for agencies' case systems: client-credentials tokens and their scopes, each
agency seeing only its own referrals, keyset paging that survives concurrent changes, ETags,
problem details and a fixed number of queries per page."""

import base64
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken

from agencies.models import ApiClient
from placements.models import DepartureReason, Destination, Placement
from referrals.models import Referral
from tests.factories import LicenceTermFactory, PlacementFactory, ReferralFactory
from tests.helpers import API_CLIENT_SECRET, api_client_with_scopes, fetch_token, user_with_role

pytestmark = pytest.mark.django_db

LIST = "/api/v1/referrals/"


def detail(referral) -> str:
    return f"{LIST}{referral.public_id}/"


def _token_request(api_client, secret=API_CLIENT_SECRET, **data):
    credentials = base64.b64encode(f"{api_client.application.client_id}:{secret}".encode()).decode()
    return Client().post(
        "/o/token/", {"grant_type": "client_credentials", **data}, HTTP_AUTHORIZATION=f"Basic {credentials}"
    )


def _ids(response) -> list[str]:
    return [row["id"] for row in response.json()["results"]]


# Tokens --------------------------------------------------------------------------------------


def test_token_from_the_token_endpoint_expires_in_an_hour_and_carries_the_scopes(probation):
    api_client = api_client_with_scopes(probation, scopes=["referrals:read", "referrals:write"])
    token = fetch_token(Client(), api_client, "referrals:read")
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 3600
    assert token["scope"] == "referrals:read"


def test_a_client_asking_for_no_scope_gets_read_only(probation):
    api_client = api_client_with_scopes(probation)
    assert fetch_token(Client(), api_client)["scope"] == "referrals:read"


def test_a_client_cannot_ask_for_a_scope_it_was_not_given(probation):
    api_client = api_client_with_scopes(probation, scopes=["referrals:read"])
    response = _token_request(api_client, scope="referrals:write")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_a_wrong_secret_gets_no_token(probation):
    response = _token_request(api_client_with_scopes(probation), secret="not-the-secret")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_a_stopped_client_gets_no_token_and_its_tokens_stop_working(probation_api):
    ReferralFactory(referring_agency=probation_api.api_client.agency)
    assert probation_api.get(LIST).status_code == 200
    ApiClient.objects.filter(pk=probation_api.api_client.pk).update(active=False)
    assert probation_api.get(LIST).status_code == 401
    assert _token_request(probation_api.api_client).status_code == 401


def test_no_token_is_401_with_a_bearer_challenge_as_problem_details():
    response = Client().get(LIST)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    problem = response.json()
    assert (problem["status"], problem["title"], problem["instance"]) == (401, "Unauthorized", LIST)


def test_an_expired_token_is_401(probation_api):
    AccessToken.objects.filter(application=probation_api.api_client.application).update(
        expires=timezone.now() - timedelta(seconds=1)
    )
    response = probation_api.get(LIST)
    assert response.status_code == 401
    assert "expired" in response["WWW-Authenticate"]


def test_a_token_without_referrals_read_is_403(api_client_for, probation):
    visits_only = api_client_for(probation, scopes=["visits:write"])
    response = visits_only.get(LIST)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["required_scopes"] == ["referrals:read"]


def test_a_scope_taken_away_after_the_token_was_issued_stops_working(probation_api):
    ApiClient.objects.filter(pk=probation_api.api_client.pk).update(scopes=["visits:write"])
    assert probation_api.get(LIST).status_code == 403


def test_a_read_token_cannot_write(api_client_for, probation):
    reader = api_client_for(probation, scopes=["referrals:read"])
    assert reader.post(LIST, {}, content_type="application/json").status_code == 403


# Scoping -------------------------------------------------------------------------------------


def test_a_client_sees_only_the_referrals_its_agency_made(probation_api, probation):
    own = ReferralFactory(referring_agency=probation)
    # Another agency's referral of the same person is theirs, not probation's.
    others = ReferralFactory(offender=own.offender)
    assert _ids(probation_api.get(LIST)) == [str(own.public_id)]
    assert probation_api.get(detail(own)).status_code == 200
    response = probation_api.get(detail(others))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_staff_browse_with_their_roles_scoping(client, probation):
    own = ReferralFactory(referring_agency=probation)
    other = ReferralFactory()
    client.force_login(user_with_role("iom_officer"))
    assert set(_ids(client.get(LIST))) == {str(own.public_id), str(other.public_id)}
    client.force_login(user_with_role("agency_worker", probation))
    assert _ids(client.get(LIST)) == [str(own.public_id)]
    assert client.get(detail(other)).status_code == 404
    client.force_login(user_with_role("opcc_analyst"))
    assert client.get(LIST).status_code == 403


# What a referral shows -----------------------------------------------------------------------


def test_a_referral_shows_the_person_and_its_outcome(probation_api, probation):
    today = timezone.localdate()
    referral = ReferralFactory(
        referring_agency=probation,
        status=Referral.Status.ACCEPTED,
        offender__pnc_id="2004/0123456X",
        offender__crn="X123456",
    )
    PlacementFactory(
        referral=referral,
        offender=referral.offender,
        status=Placement.Status.CANCELLED,
        cancellation_reason="Bedspace flooded",
    )
    placement = PlacementFactory(
        referral=referral,
        offender=referral.offender,
        status=Placement.Status.ENDED,
        starts_on=today - timedelta(days=40),
        arrived_on=today - timedelta(days=40),
        ends_on=today - timedelta(days=2),
        departed_on=today - timedelta(days=2),
        departure_reason=DepartureReason.PLANNED_MOVE_ON,
        destination=Destination.SOCIAL_RENT,
    )
    LicenceTermFactory(
        placement=placement, number=1, starts_on=placement.starts_on, ends_on=today - timedelta(days=12)
    )
    LicenceTermFactory(
        placement=placement, number=2, starts_on=today - timedelta(days=12), ends_on=placement.ends_on
    )

    body = probation_api.get(detail(referral)).json()

    offender = referral.offender
    assert body["id"] == str(referral.public_id)
    assert body["external_ref"] == referral.external_ref
    assert body["person"] == {
        "id": str(offender.public_id),
        "first_name": offender.first_name,
        "last_name": offender.last_name,
        "date_of_birth": offender.date_of_birth.isoformat(),
        "pnc_id": "2004/0123456X",
        "crn": "X123456",
    }
    outcome = body["outcome"]
    assert outcome["decision"] == "accepted"
    assert outcome["decline_reason"] == ""
    assert outcome["placement"]["status"] == "ended"
    assert outcome["placement"]["starts_on"] == placement.starts_on.isoformat()
    assert [term["number"] for term in outcome["placement"]["licence_terms"]] == [1, 2]
    assert outcome["placement"]["departed_on"] == placement.departed_on.isoformat()
    assert (outcome["placement"]["departure_reason"], outcome["placement"]["destination"]) == (
        "planned_move_on",
        "social_rent",
    )


def test_a_declined_referral_shows_the_reason_and_an_open_one_no_decision(probation_api, probation):
    declined = ReferralFactory(
        referring_agency=probation,
        status=Referral.Status.DECLINED,
        decline_reason=Referral.DeclineReason.NO_SUITABLE_PROPERTY,
    )
    waiting = ReferralFactory(referring_agency=probation)
    outcome = probation_api.get(detail(declined)).json()["outcome"]
    assert (outcome["decision"], outcome["decline_reason"], outcome["placement"]) == (
        "declined",
        "no_suitable_property",
        None,
    )
    assert probation_api.get(detail(waiting)).json()["outcome"]["decision"] is None


def test_a_referral_is_never_deleted_through_the_api(probation_api, probation):
    referral = ReferralFactory(referring_agency=probation)
    assert probation_api.delete(detail(referral)).status_code == 405


# ETags ---------------------------------------------------------------------------------------


def test_responses_carry_an_etag_that_changes_with_the_referral(probation_api, probation):
    referral = ReferralFactory(referring_agency=probation)
    first = probation_api.get(detail(referral))["ETag"]
    assert first.startswith('"') and first.endswith('"')
    assert probation_api.get(detail(referral))["ETag"] == first
    assert probation_api.get(LIST)["ETag"]
    referral.urgency = Referral.Urgency.URGENT
    referral.save()
    assert probation_api.get(detail(referral))["ETag"] != first


# Filters and errors --------------------------------------------------------------------------


def test_filters_by_status_reference_and_time_of_change(probation_api, probation):
    old = ReferralFactory(referring_agency=probation, external_ref="PROB-1")
    Referral.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=3))
    declined = ReferralFactory(
        referring_agency=probation, status=Referral.Status.DECLINED, decline_reason="duplicate"
    )
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert _ids(probation_api.get(LIST, {"external_ref": "PROB-1"})) == [str(old.public_id)]
    assert _ids(probation_api.get(LIST, {"status": "declined"})) == [str(declined.public_id)]
    assert _ids(probation_api.get(LIST, {"updated_since": since})) == [str(declined.public_id)]


def test_bad_filters_are_problem_details_naming_each_field(probation_api):
    response = probation_api.get(LIST, {"status": "lost", "updated_since": "yesterday", "cursor": "%%%"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400
    assert {error["field"] for error in problem["errors"]} == {"status", "updated_since"}


def test_a_cursor_the_api_did_not_give_out_is_refused(probation_api):
    response = probation_api.get(LIST, {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["cursor"]


# Paging --------------------------------------------------------------------------------------


def _read_all(api, url, between_pages=()):
    """Follow `next` to the end, calling the next of `between_pages` after each page."""
    seen, changes = [], iter(between_pages)
    while url:
        body = api.get(url).json()
        seen += [(row["id"], row["updated_at"]) for row in body["results"]]
        url = body["next"]
        if url:
            next(changes, lambda: None)()
    return seen, body["cursor"]


def test_cursor_paging_while_rows_change_skips_and_repeats_nothing(probation_api, probation):
    referrals = ReferralFactory.create_batch(7, referring_agency=probation)
    # Rows changed in the same instant: the id breaks the tie.
    Referral.objects.filter(pk__in=[r.pk for r in referrals]).update(updated_at=timezone.now())
    read_first, read_later = referrals[0], referrals[6]
    added = []

    def add_one():
        added.append(ReferralFactory(referring_agency=probation))

    def change(referral):
        def save():
            referral.refresh_from_db()
            referral.urgency = Referral.Urgency.URGENT
            referral.save()

        return save

    seen, cursor = _read_all(
        probation_api, f"{LIST}?page_size=2", [add_one, change(read_first), change(read_later)]
    )

    ids = [public_id for public_id, _ in seen]
    assert len(seen) == len(set(seen)), "a version of a row was read twice"
    final = {str(r.public_id): r.updated_at for r in Referral.objects.filter(referring_agency=probation)}
    assert set(ids) == set(final), "a row was skipped"
    # Unchanged rows once each; a row changed after it was read comes round again, changed.
    assert ids.count(str(read_first.public_id)) == 2
    assert ids.count(str(read_later.public_id)) == 1
    assert all(ids.count(public_id) == 1 for public_id in final if public_id != str(read_first.public_id))
    assert len(added) == 1

    # The last cursor resumes: only what changed since comes back.
    assert probation_api.get(LIST, {"cursor": cursor}).json()["results"] == []
    change(referrals[3])()
    assert _ids(probation_api.get(LIST, {"cursor": cursor})) == [str(referrals[3].public_id)]


# Queries -------------------------------------------------------------------------------------


def _referrals_with_placements(agency, n):
    for referral in ReferralFactory.create_batch(n, referring_agency=agency, status=Referral.Status.ACCEPTED):
        PlacementFactory(referral=referral, offender=referral.offender, with_term=True)


@pytest.mark.parametrize("rows", [2, 20])
def test_a_page_of_referrals_takes_a_fixed_number_of_queries(
    probation_api, probation, django_assert_num_queries, rows
):
    _referrals_with_placements(probation, rows)
    # token, its client and agency, the referrals with their people, placements, licence terms;
    # the access-log row
    with django_assert_num_queries(6):
        response = probation_api.get(LIST)
    assert len(response.json()["results"]) == rows


# Schema and docs -----------------------------------------------------------------------------


def test_the_schema_describes_client_credentials_and_scopes(probation_api):
    response = probation_api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    flow = schema["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/o/token/"
    assert set(flow["scopes"]) == {
        "referrals:read",
        "referrals:write",
        "visits:write",
        "followups:write",
        "moveon:read",
        "moveon:write",
    }
    operation = schema["paths"]["/api/v1/referrals/"]["get"]
    assert {"oauth2": ["referrals:read"]} in operation["security"]
    assert {"401", "403"} <= set(operation["responses"])


def test_the_docs_are_served_from_this_site_not_a_cdn(client):
    client.force_login(user_with_role("iom_officer"))
    page = client.get("/api/docs/").content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist" in page
    assert "cdn" not in page.lower()


def test_an_unknown_api_address_is_a_problem_not_a_page(probation_api, client):
    response = probation_api.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404
    assert client.get("/nothing-here/")["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "since",
    [
        "0421-03-03T17:46:20.802823-19:10",  # an offset ISO allows but PostgreSQL does not (schemathesis)
        "2026-03-03T17:46:20+23:59",
    ],
)
def test_a_time_of_change_with_a_far_offset_is_read_in_utc(probation_api, probation, since):
    referral = ReferralFactory(referring_agency=probation)
    response = probation_api.get(LIST, {"updated_since": since})
    assert response.status_code == 200
    assert _ids(response) == [str(referral.public_id)]


def test_a_time_of_change_too_near_year_one_to_shift_is_a_400(probation_api):
    response = probation_api.get(LIST, {"updated_since": "0001-01-01T00:10:00+01:00"})
    assert response.status_code == 400
    assert {error["field"] for error in response.json()["errors"]} == {"updated_since"}
