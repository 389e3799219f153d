"""Database connections sized by kind of server (iom_housing/settings.py, README "Database
connections"): runserver must not keep one for every browser connection it holds open."""

import http.client
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from django.db import connection

OTHER_CONNECTIONS = (
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


@pytest.mark.django_db(transaction=True)
def test_a_browser_connection_kept_alive_holds_no_database_connection_between_requests(live_server):
    # live_server is runserver's threaded server: one thread for each browser connection, kept as
    # long as the browser keeps the connection alive (minutes), each with its own database connection.
    # Counted against the connections open before (an earlier test of this worker may have left
    # one, in whatever order the tests run), and given a moment: the server closes its connection
    # when the response is finished, which can be just after the browser has read it.
    before = _other_connections()
    address = urlparse(live_server.url)
    browser = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        for _ in range(3):
            browser.request("GET", "/healthz")  # reads the database
            response = browser.getresponse()
            response.read()
            assert response.getheader("Connection") != "close"  # the same connection, kept alive
        deadline = time.monotonic() + 3
        while _other_connections() > before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _other_connections() <= before
    finally:
        browser.close()


def _other_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(OTHER_CONNECTIONS)
        return cursor.fetchone()[0]


def test_servers_with_a_fixed_number_of_workers_keep_their_connections():
    root = Path(__file__).resolve().parents[2]
    compose = yaml.safe_load((root / "docker-compose.yml").read_text())
    for name in ("web", "worker", "beat"):
        assert compose["services"][name]["environment"]["DB_CONN_MAX_AGE"] == "${DB_CONN_MAX_AGE:-60}"
    assert "ENV DB_CONN_MAX_AGE=60" in (root / "Dockerfile").read_text()
