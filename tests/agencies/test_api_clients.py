"""A scheme manager registers an agency's case system as an API client in the admin."""

import base64

import pytest
from django.test import Client
from django.urls import reverse

from agencies.models import ApiClient
from tests.factories import AgencyFactory
from tests.helpers import api_client_with_scopes

pytestmark = pytest.mark.django_db


def _token_status(client_id: str, secret: str) -> int:
    credentials = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return (
        Client()
        .post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {credentials}")
        .status_code
    )


def test_scheme_manager_registers_a_client_and_sees_its_secret_once(scheme_manager_client):
    agency = AgencyFactory(name="Probation")
    response = scheme_manager_client.post(
        reverse("admin:agencies_apiclient_add"),
        {"name": "Probation case sync", "agency": agency.pk, "scopes": ["referrals:read"], "active": "on"},
    )
    assert response.status_code == 200, response.context["adminform"].form.errors
    api_client = ApiClient.objects.select_related("application").get()
    assert (api_client.agency, api_client.scopes) == (agency, ["referrals:read"])
    assert api_client.application.client_type == "confidential"
    assert api_client.application.authorization_grant_type == "client-credentials"
    secret = response.context["client_secret"]
    assert secret in response.content.decode()
    assert api_client.application.client_secret != secret  # only a hash is kept
    assert _token_status(api_client.application.client_id, secret) == 200
    # Not in a message either (messages may travel in a cookie).
    change_page = scheme_manager_client.get(reverse("admin:agencies_apiclient_change", args=[api_client.pk]))
    assert secret not in change_page.content.decode()


def test_issuing_a_new_secret_stops_the_old_one(scheme_manager_client):
    api_client = api_client_with_scopes(scopes=["referrals:read"])
    client_id = api_client.application.client_id
    response = scheme_manager_client.post(
        reverse("admin:agencies_apiclient_change", args=[api_client.pk]),
        {
            "name": "Renamed",
            "agency": api_client.agency.pk,
            "scopes": ["referrals:read"],
            "active": "on",
            "new_secret": "on",
        },
    )
    assert response.status_code == 200
    new_secret = response.context["client_secret"]
    assert _token_status(client_id, "a-long-test-client-secret") == 401
    assert _token_status(client_id, new_secret) == 200
    assert ApiClient.objects.get().application.name == "Renamed"
