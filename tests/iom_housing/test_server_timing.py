"""The Server-Timing header the load benchmark reads (iom_housing.timing.ServerTimingMiddleware)."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import OffenderFactory

HEADER = re.compile(r'sql;dur=(\d+\.\d);desc="(\d+) queries", total;dur=(\d+\.\d)')


def test_no_server_timing_header_by_default(iom_officer_client):
    response = iom_officer_client.get("/dashboard/")

    assert response.status_code == 200
    assert "Server-Timing" not in response


def test_server_timing_counts_every_query_and_stays_within_the_total(settings, iom_officer_client):
    settings.SERVER_TIMING = True
    OffenderFactory.create_batch(3)

    with CaptureQueriesContext(connection) as queries:
        response = iom_officer_client.get("/offenders/")

    assert response.status_code == 200
    sql_ms, count, total_ms = HEADER.fullmatch(response["Server-Timing"]).groups()
    assert int(count) == len(queries) > 0
    assert 0 < float(sql_ms) <= float(total_ms)


def test_server_timing_is_on_redirects_and_api_answers_too(settings, client):
    settings.SERVER_TIMING = True

    assert HEADER.fullmatch(client.get("/dashboard/")["Server-Timing"])  # to the sign-in page
    assert HEADER.fullmatch(client.get("/api/v1/referrals/")["Server-Timing"])  # 401
