"""Hostile bodies to every write of the API never answer 500: deep nesting, lone surrogates, NUL
bytes, huge numbers and wrong types are a problem+json 400 naming the field (or, for the token
endpoint, OAuth's own error body). The cases a penetration test found answering 500 are pinned;
hypothesis then changes one or two fields of a valid body at a time."""

import itertools
import json
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agencies.models import HomeVisit
from iom_housing.api.parsers import MAX_JSON_DEPTH
from referrals.models import Ethnicity, Gender, Need, Offender, Referral
from tests.agencies.helpers import supported_placement
from tests.factories import (
    AgencyFactory,
    ReferralFactory,
)
from tests.helpers import API_CLIENT_SECRET, api_client_with_scopes

pytestmark = pytest.mark.django_db

JSON = "application/json"
PROBLEM = "application/problem+json"
DEEP = 100_000  # 100 kB of brackets, as the penetration test sent


def referral_body() -> dict:
    return {
        "person": {
            "first_name": "Sam",
            "last_name": "Quayle",
            "date_of_birth": "1985-04-02",
            "gender": Gender.values[0],
            "ethnicity": Ethnicity.values[0],
            "iom_category": Offender.IomCategory.values[0],
            "risk_of_serious_harm": Offender.RiskOfSeriousHarm.values[0],
        },
        "urgency": Referral.Urgency.ROUTINE,
        "needs": [Need.values[0]],
        "risk_summary": "None known.",
        "reason": "Released without an address.",
    }


def visit_body(placement) -> dict:
    return {
        "placement": str(placement.public_id),
        "visited_at": (timezone.localtime() - timedelta(hours=2)).isoformat(),
        "kind": HomeVisit.Kind.HOME,
        "staff_names": "Rhian Evans",
        "outcome": HomeVisit.Outcome.values[0],
        "drug_test": HomeVisit.DrugTest.values[0],
        "engagement": HomeVisit.Engagement.GOOD,
        "support_hours": "1.50",
    }


@pytest.fixture
def world(api_client_for):
    """A client of an agency with a waiting referral (by id and by its reference) and a placement it supports."""
    agency = AgencyFactory(name="Probation", code="probation")
    referral = ReferralFactory(referring_agency=agency, external_ref="P-1")
    placement = supported_placement(agency, arrived_days_ago=5, with_term=True)
    return api_client_for(agency), referral, placement


def writes(referral, placement) -> list[tuple[str, str, dict]]:
    """Every write operation: method, address and a valid body."""
    referrals = "/api/v1/referrals/"
    details = {name: value for name, value in referral_body().items() if name != "person"}
    return [
        ("post", referrals, referral_body()),
        ("put", f"{referrals}by-ref/P-2", referral_body()),
        ("put", f"{referrals}{referral.public_id}/", details),
        ("patch", f"{referrals}{referral.public_id}/", {"urgency": Referral.Urgency.URGENT}),
        ("post", f"{referrals}{referral.public_id}/withdraw/", {"notes": "No longer needed."}),
        ("post", "/api/v1/visits/", visit_body(placement)),
    ]


def send(api, method: str, path: str, body: bytes | str, key: str = "fuzz"):
    return getattr(api, method)(path, body, content_type=JSON, HTTP_IDEMPOTENCY_KEY=key)


def raw(data) -> str:
    """JSON with every non-ASCII character escaped: a lone surrogate goes as `\\ud800`, as a client's
    encoder sends it (it has no UTF-8 bytes of its own)."""
    return json.dumps(data, ensure_ascii=True)


def problem(response) -> dict:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert response["Content-Type"] == PROBLEM
    return response.json()


@pytest.mark.parametrize(
    "body",
    ["[" * DEEP, '{"a":' * (DEEP // 5), "[" * (MAX_JSON_DEPTH + 2) + "]" * (MAX_JSON_DEPTH + 2)],
    ids=["lists", "objects", "just-too-deep"],
)
def test_deeply_nested_json_is_a_400_on_every_write(world, body):
    api, referral, placement = world
    for method, path, _ in writes(referral, placement):
        assert "nested more than 32 levels" in problem(send(api, method, path, body))["detail"], path
    nested_visit = {**visit_body(placement), "notes": json.loads("[" * 20 + "]" * 20)}
    assert send(api, "post", "/api/v1/visits/", raw(nested_visit)).status_code == 400


def enum_fields() -> list[tuple[int, tuple[str, ...]]]:
    """(the write's index in `writes`, the path to a choice field in its body)."""
    person = ("gender", "ethnicity", "iom_category", "risk_of_serious_harm")
    referral = [("urgency",), ("needs", 0), *(("person", name) for name in person)]
    visit = [("kind",), ("outcome",), ("drug_test",), ("engagement",)]
    return [
        *((0, path) for path in referral),
        *((1, path) for path in referral),
        (2, ("urgency",)),
        (3, ("urgency",)),
        *((5, path) for path in visit),
    ]


@pytest.mark.parametrize("write, path", enum_fields())
def test_a_lone_surrogate_in_a_choice_is_a_400_naming_the_field(world, write, path):
    api, referral, placement = world
    method, address, body = writes(referral, placement)[write]
    *parents, last = path
    inner = body
    for step in parents:
        inner = inner[step]
    inner[last] = "\ud800"
    errors = problem(send(api, method, address, raw(body)))["errors"]
    assert errors == [
        {
            "field": ".".join(str(step) for step in path),
            "detail": "This is not valid Unicode text (it holds a lone surrogate).",
            "code": "invalid_unicode",
        }
    ]


def test_a_lone_surrogate_in_a_name_or_a_key_is_a_400_too(world):
    api, referral, placement = world
    body = referral_body()
    body["person"]["first_name"] = "Sam\udfff"
    body["\ud800"] = 1
    assert (
        problem(send(api, "post", "/api/v1/referrals/", raw(body)))["errors"][0]["code"] == "invalid_unicode"
    )


@pytest.mark.parametrize(
    "grant_type",
    [
        "device_code",
        "urn:ietf:params:oauth:grant-type:device_code",
        "password",
        "authorization_code",
        "\ud800",
    ],
)
def test_a_grant_other_than_client_credentials_is_the_oauth_error(client, grant_type):
    api_client = api_client_with_scopes(AgencyFactory())
    data = {
        "grant_type": grant_type,
        "client_id": api_client.application.client_id,
        "client_secret": API_CLIENT_SECRET,
    }
    body = urlencode(data, encoding="utf-8", errors="surrogatepass")
    response = client.post("/o/token/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"
    assert "no-store" in response["Cache-Control"]


def test_client_credentials_still_get_a_token(client):
    api_client = api_client_with_scopes(AgencyFactory())
    response = client.post(
        "/o/token/",
        {
            "grant_type": "client_credentials",
            "client_id": api_client.application.client_id,
            "client_secret": API_CLIENT_SECRET,
        },
    )
    assert response.status_code == 200 and response.json()["access_token"]


# Hypothesis: one or two fields of a valid body changed to a hostile JSON value ----------------

json_leaves = st.one_of(
    st.sampled_from(
        ["\x00", "a\x00b", "\ud800", "\udfff", "9" * 20, "9999-12-31", "0001-01-01", "x" * 11_000]
    ),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.text(max_size=20),
)
json_values = st.recursive(
    json_leaves,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


def _leaf_paths(body, prefix=()) -> list[tuple]:
    if isinstance(body, dict) and body:
        return [path for name, value in body.items() for path in _leaf_paths(value, (*prefix, name))]
    return [prefix]


def _replaced(body, path, value):
    if not path:
        return value
    head, *rest = path
    copy = dict(body) if isinstance(body, dict) else {}
    copy[head] = _replaced(copy.get(head), rest, value)
    return copy


FUZZ = settings(
    max_examples=12, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)


def _fuzz(api, method: str, path: str, body: dict, keys) -> list[str]:
    """Hypothesis's bodies for one write; the requests that answered 5xx, described."""
    failures = []

    @FUZZ
    @given(st.lists(st.tuples(st.sampled_from(_leaf_paths(body)), json_values), min_size=1, max_size=2))
    def attempt(changes):
        sent = body
        for where, value in changes:
            sent = _replaced(sent, where, value)
        # A new key each time: a body that was accepted must not turn the next into a replay.
        response = send(api, method, path, raw(sent), key=f"fuzz-{next(keys)}")
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {method.upper()} {path} {changes!r}")

    attempt()
    return failures


def test_no_hostile_value_in_any_field_of_any_write_answers_500(world):
    api, referral, placement = world
    keys = itertools.count()
    failures = [
        failure
        for method, path, body in writes(referral, placement)
        for failure in _fuzz(api, method, path, body, keys)
    ]
    assert not failures, "\n".join(failures)
