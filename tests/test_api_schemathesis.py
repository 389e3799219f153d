"""Schemathesis drives every API operation with data generated from our OpenAPI schema (valid and
invalid) and checks each answer against the schema: never a 500, only documented status codes,
content types and bodies."""

import json

import pytest
import schemathesis
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings

from tests.conftest import fetch_token
from tests.factories import (
    AgencyFactory,
    PlacementFactory,
    ReferralFactory,
    SupportAgencyFactory,
    SupportPlanFactory,
    api_client_with_scopes,
)


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
    token = fetch_token(client, api_client, "referrals:read referrals:write visits:write")
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
