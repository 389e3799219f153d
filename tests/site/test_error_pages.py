"""The error pages in production (DEBUG off): each has the service's header, says in plain words
what happened and offers a way back to the start page; the 400 and 500 pages are written without
the database."""

import re

import pytest
from django.db import OperationalError, connection
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("tests.site.error_urls"),
]

SCHEME = "Ceredigion IOM housing scheme"


def _title(response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
    assert match, "no <title>"
    return match[1]


def _assert_styled(response, status: int, heading: str) -> None:
    assert response.status_code == status
    html = response.content.decode()
    assert _title(response) == f"{heading} – {SCHEME} – IOM Housing"
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in html
    assert "govuk-service-navigation" in html  # the service's header
    assert f">{SCHEME}</a>" in html
    assert re.search(r'<a class="govuk-link" href="/" data-testid="way-back">Go to the start page</a>', html)
    assert "Traceback" not in html


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False
    settings.SCHEME_NAME = SCHEME


def test_page_not_found(client):
    _assert_styled(client.get("/no-such-page/"), 404, "Page not found")


def test_page_not_found_for_a_signed_in_officer_keeps_their_header(iom_officer_client):
    response = iom_officer_client.get("/no-such-page/")
    _assert_styled(response, 404, "Page not found")
    assert "Sign out" in response.content.decode()


def test_an_api_address_still_gets_problem_details(client):
    response = client.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_permission_denied(agency_worker_client):
    response = agency_worker_client.get(reverse("placements:dashboard"))
    _assert_styled(response, 403, "You do not have permission to see this page")
    assert "ask your scheme manager" in response.content.decode()


def test_server_error():
    client = Client(raise_request_exception=False)
    response = client.get("/test-errors/broken/")
    _assert_styled(response, 500, "Sorry, there is a problem with the service")
    assert "Try again later." in response.content.decode()
    # Written without the request, it cannot know who is signed in: it offers neither.
    assert "Sign in" not in response.content.decode() and "Sign out" not in response.content.decode()


def test_server_error_page_renders_with_the_database_down(iom_officer):
    client = Client(raise_request_exception=False)
    client.force_login(iom_officer)

    def refuse(execute, sql, params, many, context):
        raise OperationalError("the database is down")

    with connection.execute_wrapper(refuse):
        response = client.get("/test-errors/database-down/")
    _assert_styled(response, 500, "Sorry, there is a problem with the service")


def test_server_error_page_falls_back_to_plain_html_if_the_template_fails(monkeypatch):
    from iom_housing import views

    def broken_loader(name):
        raise RuntimeError("templates unreadable")

    monkeypatch.setattr(views.loader, "get_template", broken_loader)
    response = Client(raise_request_exception=False).get("/test-errors/broken/")
    assert response.status_code == 500
    assert "<h1>Sorry, there is a problem with the service</h1>" in response.content.decode()
    assert '<a href="/">Go to the start page</a>' in response.content.decode()


def test_bad_request():
    response = Client(raise_request_exception=False).get("/test-errors/suspicious/")
    _assert_styled(response, 400, "Sorry, the service could not understand your request")


@override_settings(ALLOWED_HOSTS=["testserver"])
def test_bad_request_from_a_disallowed_host_renders_without_the_request():
    response = Client(raise_request_exception=False).get("/", HTTP_HOST="attacker.example")
    _assert_styled(response, 400, "Sorry, the service could not understand your request")


def test_csrf_failure(iom_officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(iom_officer)
    response = client.post(reverse("password_change"), {"old_password": "x"})
    _assert_styled(response, 403, "Your form could not be sent")
    assert "Nothing you entered has been saved" in response.content.decode()
    assert "Sign out" in response.content.decode()  # the signed-in header, from the request
