"""Schemathesis drives every API operation with data generated from our OpenAPI schema (valid and
invalid) and checks each answer against the schema: never a 500, only documented status codes,
content types and bodies. Then the bodies its generator does not make (nested too deep, a lone
surrogate in a choice) go to every write, and an unsupported grant to the token endpoint."""

import json

import pytest
import requests
import schemathesis
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings

from referrals.models import Referral
from tests.factories import (
    AgencyFactory,
    PlacementFactory,
    ReferralFactory,
    SupportAgencyFactory,
    SupportPlanFactory,
)
from tests.helpers import api_client_with_scopes, fetch_token


def _load_schema():
    document = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(document)))


schema = _load_schema()


@pytest.fixture
def bearer(transactional_db, live_server, client, settings):
    """The live server's address and a client of an agency with a referral and a supported placement, holding every scope."""
    settings.ALLOWED_HOSTS = ["*"]
    settings.API_THROTTLE_RATE = "100000/minute"
    agency = AgencyFactory(code="probation")
    ReferralFactory(referring_agency=agency, external_ref="P-1")
    placement = PlacementFactory(status="active", arrived_on=timezone.localdate(), with_term=True)
    SupportAgencyFactory(support_plan=SupportPlanFactory(placement=placement), agency=agency)
    api_client = api_client_with_scopes(agency)
    token = fetch_token(
        client, api_client, "referrals:read referrals:write visits:write moveon:read moveon:write"
    )
    return live_server.url, {"Authorization": f"Bearer {token['access_token']}"}


@schema.parametrize()
@settings(
    max_examples=5, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
def test_the_api_keeps_to_its_schema(case, bearer):
    base_url, token = bearer
    headers = dict(token)
    if case.method == "POST" and "Idempotency-Key" not in (case.headers or {}):
        headers["Idempotency-Key"] = "schemathesis"
    # Not checked: whether the answer is a 2xx or a 4xx. The schema cannot say every rule (a
    # referral's names are required, a cursor must be one we gave out), and an empty filter
    # (`?updated_since=`) means no filter. Everything else is: no 500, documented statuses,
    # content types, headers and bodies.
    case.call_and_validate(
        base_url=base_url,
        headers=headers,
        excluded_checks=[
            schemathesis.checks.negative_data_rejection,
            schemathesis.checks.positive_data_acceptance,
        ],
    )


# Bodies the schema's generator does not make: nested too deep, and a lone surrogate in a choice.
# Each is sent to every write operation, built from that operation's own request example, and must
# be a documented 400 problem (the same checks as above, plus the status).

WRITE_METHODS = ("POST", "PUT", "PATCH")


def _writes():
    for path, methods in schema.raw_schema["paths"].items():
        for method, operation in methods.items():
            if method.upper() in WRITE_METHODS and "requestBody" in operation:
                content = operation["requestBody"]["content"]["application/json"]
                [example] = content["examples"].values()
                yield path, method.upper(), content["schema"], example["value"]


def _resolve(node: dict) -> dict:
    while "$ref" in node:
        node = schema.raw_schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in node and len(node["allOf"]) == 1:
        return _resolve(node["allOf"][0])
    return node


def _choice_paths(node: dict, body, prefix=()) -> list[tuple]:
    """Where the example body holds a value of an enum (a choice): the paths to each."""
    node = _resolve(node)
    if "enum" in node or any("enum" in _resolve(option) for option in node.get("oneOf", [])):
        return [prefix]
    if isinstance(body, dict):
        properties = node.get("properties", {})
        return [
            path
            for name, value in body.items()
            if name in properties
            for path in _choice_paths(properties[name], value, (*prefix, name))
        ]
    if isinstance(body, list) and body and "items" in node:
        return _choice_paths(node["items"], body[0], (*prefix, 0))
    return []


def _with(body, path, value):
    if not path:
        return value
    copy = list(body) if isinstance(body, list) else dict(body)
    copy[path[0]] = _with(body[path[0]], path[1:], value)
    return copy


def _nested(depth: int):
    value = []
    for _ in range(depth):
        value = [value]
    return value


HOSTILE_BODIES = [
    (
        path,
        method,
        f"{method} {path} {'.'.join(map(str, where))} = lone surrogate",
        _with(example, where, "\ud800"),
    )
    for path, method, body_schema, example in _writes()
    for where in _choice_paths(body_schema, example)
] + [
    (path, method, f"{method} {path} nested 40 deep", {**example, "reason": _nested(40)})
    for path, method, _, example in _writes()
]


@pytest.mark.parametrize(
    "path, method, body",
    [(p, m, b) for p, m, _, b in HOSTILE_BODIES],
    ids=[i for _, _, i, _ in HOSTILE_BODIES],
)
def test_hostile_bodies_are_documented_400_problems(path, method, body, bearer):
    base_url, token = bearer
    referral = Referral.objects.get(external_ref="P-1")
    parameters = {"public_id": str(referral.public_id), "external_ref": "P-2"}
    operation = schema[path][method]
    needed = {name: value for name, value in parameters.items() if "{" + name + "}" in path}
    case = operation.Case(body=body, media_type="application/json", path_parameters=needed)
    response = case.call_and_validate(
        base_url=base_url,
        headers={**token, "Idempotency-Key": f"hostile-{method}-{path}"},
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )
    assert response.status_code == 400, response.content[:300]
    assert response.headers["content-type"] == ["application/problem+json"]


def test_there_is_a_hostile_body_for_every_choice_of_every_write():
    surrogates = {(path, method, name) for path, method, name, _ in HOSTILE_BODIES if "surrogate" in name}
    names = {name for _, _, name in surrogates}
    assert "POST /api/v1/referrals/ person.gender = lone surrogate" in names
    assert "POST /api/v1/visits/ outcome = lone surrogate" in names
    assert "PATCH /api/v1/referrals/{public_id}/ urgency = lone surrogate" in names


@pytest.mark.parametrize("grant_type", ["device_code", "urn:ietf:params:oauth:grant-type:device_code"])
def test_an_unsupported_grant_at_the_token_endpoint_is_the_oauth_error(grant_type, bearer):
    base_url, _ = bearer
    response = requests.post(f"{base_url}/o/token/", data={"grant_type": grant_type}, timeout=10)
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"
