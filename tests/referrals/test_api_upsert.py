"""The upsert by the agency's reference (PUT /api/v1/referrals/by-ref/<ref>): one validation, one
row lock and one serialisation of each state it shows, and racing creates by one reference give
the loser what a replay would (docs/adr/011-api-upsert-and-erasure-fields.md)."""

from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from referrals import api as referrals_api
from referrals.models import Offender, Referral
from tests.factories import AgencyFactory
from tests.helpers import at_the_same_moment
from tests.referrals.test_api_writes import JSON, LIST, body

pytestmark = pytest.mark.django_db

URL = f"{LIST}by-ref/PROB-77"


@pytest.fixture
def api(api_client_for, probation):
    return api_client_for(probation)


def put(api, data, **headers):
    return api.put(URL, data, content_type=JSON, **headers)


@contextmanager
def counted():
    """What one request did: validations of the body, SELECT … FOR UPDATE statements,
    serialisations of a referral, and ETag digests."""
    counts = {"validations": 0, "row_locks": 0, "serialisations": 0, "etags": 0}
    validate = referrals_api.ReferralCreateSerializer.is_valid
    represent = referrals_api.ReferralSerializer.to_representation
    etag_of = referrals_api.etag_of

    def is_valid(self, *args, **kwargs):
        counts["validations"] += 1
        return validate(self, *args, **kwargs)

    def to_representation(self, instance):
        counts["serialisations"] += 1
        return represent(self, instance)

    def digest(*args, **kwargs):
        counts["etags"] += 1
        return etag_of(*args, **kwargs)

    with (
        mock.patch.object(referrals_api.ReferralCreateSerializer, "is_valid", is_valid),
        mock.patch.object(referrals_api.ReferralSerializer, "to_representation", to_representation),
        mock.patch.object(referrals_api, "etag_of", digest),
        CaptureQueriesContext(connection) as queries,
    ):
        yield counts
    counts["row_locks"] = sum(1 for query in queries if "FOR UPDATE" in query["sql"])


def test_creating_by_reference_validates_once_and_serialises_once(api):
    with counted() as counts:
        response = put(api, body())
    assert response.status_code == 201, response.content
    assert counts == {"validations": 1, "row_locks": 1, "serialisations": 1, "etags": 1}


@pytest.mark.parametrize("urgency", [Referral.Urgency.ROUTINE, Referral.Urgency.URGENT])
def test_changing_by_reference_validates_locks_and_serialises_once(api, urgency):
    assert put(api, body()).status_code == 201
    with counted() as counts:
        response = put(api, body(urgency=urgency))
    assert (response.status_code, response.json()["urgency"]) == (200, urgency)
    assert counts == {"validations": 1, "row_locks": 1, "serialisations": 1, "etags": 1}


def test_an_if_match_is_compared_on_the_locked_row_and_an_unchanged_answer_reused(api):
    etag = put(api, body())["ETag"]
    with counted() as counts:
        response = put(api, body(), HTTP_IF_MATCH=etag)
    assert (response.status_code, response["ETag"]) == (200, etag)
    assert counts == {"validations": 1, "row_locks": 1, "serialisations": 1, "etags": 1}


def test_a_change_under_an_if_match_serialises_the_referral_before_and_after(api):
    etag = put(api, body())["ETag"]
    with counted() as counts:
        response = put(api, body(urgency=Referral.Urgency.URGENT), HTTP_IF_MATCH=etag)
    assert (response.status_code, response.json()["urgency"]) == (200, "urgent")
    # Two states, each serialised once: the one the If-Match is compared with, and the answer.
    assert counts == {"validations": 1, "row_locks": 1, "serialisations": 2, "etags": 2}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second_urgency", [Referral.Urgency.ROUTINE, Referral.Urgency.URGENT])
def test_two_racing_creates_by_one_reference_give_the_loser_what_a_replay_would(
    api_client_for, second_urgency
):
    api = api_client_for(AgencyFactory(name="Probation", kind="probation"))
    token = api.defaults["HTTP_AUTHORIZATION"]
    sent = [body(), body(urgency=second_urgency)]
    clients = [Client(HTTP_AUTHORIZATION=token), Client(HTTP_AUTHORIZATION=token)]

    responses = at_the_same_moment(*(lambda c=c, b=b: put(c, b) for c, b in zip(clients, sent, strict=True)))

    statuses = [getattr(response, "status_code", response) for response in responses]
    assert sorted(statuses, key=str) == [200, 201], [getattr(r, "content", r) for r in responses]
    assert Referral.objects.count() == 1 and Offender.objects.count() == 1
    winner, loser = responses[statuses.index(201)], responses[statuses.index(200)]
    assert loser.json()["id"] == winner.json()["id"]
    # The loser came second: it is answered as its request sent again now is.
    replay = put(api, sent[statuses.index(200)])
    assert (replay.status_code, replay.json(), replay["ETag"]) == (200, loser.json(), loser["ETag"])
    if second_urgency == Referral.Urgency.ROUTINE:  # the same body twice: the winner's answer
        assert (loser.json(), loser["ETag"]) == (winner.json(), winner["ETag"])
    connection.close()
