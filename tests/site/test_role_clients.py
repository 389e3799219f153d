"""The role fixtures (tests/conftest.py): each role's client is a client of its own, so a test that
takes two roles has two people signed in, past the second factor, and pytest-django's `client`
stays signed out."""

from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

ROLE_CLIENTS = {
    "iom_officer_client": "iom_officer",
    "scheme_manager_client": "scheme_manager",
    "agency_worker_client": "agency_worker",
    "opcc_client": "opcc_analyst",
}


def test_two_role_clients_in_one_test_stay_two_people(
    iom_officer_client, opcc_client, iom_officer, opcc_analyst
):
    assert iom_officer_client is not opcc_client
    for _ in range(2):  # asked in turn, each is still the person it signed in as
        assert iom_officer_client.get(reverse("home"))["Location"] == reverse("placements:dashboard")
        assert opcc_client.get(reverse("home"))["Location"] == reverse("reports:report")
    assert iom_officer_client.get(reverse("placements:dashboard")).wsgi_request.user == iom_officer
    assert opcc_client.get(reverse("reports:report")).wsgi_request.user == opcc_analyst


def test_every_role_client_is_its_own_user_and_client_stays_signed_out(request, client):
    clients = {name: request.getfixturevalue(name) for name in ROLE_CLIENTS}
    for name, role_client in clients.items():
        user = request.getfixturevalue(ROLE_CLIENTS[name])
        assert int(role_client.session[SESSION_KEY]) == user.pk, name
        assert DEVICE_ID_SESSION_KEY in role_client.session, name
    assert len({id(role_client) for role_client in clients.values()} | {id(client)}) == len(clients) + 1
    assert SESSION_KEY not in client.session
    assert client.get(reverse("placements:dashboard"))["Location"].startswith(reverse("login"))
