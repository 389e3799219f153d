"""What tests share besides factories and fixtures: users with a role, signing in (with or without
the second factor), API clients and their tokens, sending a form as a browser does, counting a
page's queries, two calls at the same moment, and changes made on an old basis.

Fixtures are in conftest.py, rows in factories.py; a helper only one folder uses stays in it."""

import base64
import re
import threading
from collections.abc import Callable

import pghistory
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import Agency
from iom_housing.access import Role
from iom_housing.basis import StaleBasis
from tests.factories import AgencyFactory, StaffMembershipFactory, UserFactory

# Users and signing in -----------------------------------------------------------------------------


def user_with_role(role: Role, agency: Agency | None = None, **user_fields):
    """A user with an active membership of `agency` (a new one if not given) in `role`."""
    membership = StaffMembershipFactory(
        role=role, agency=agency or AgencyFactory(), user=UserFactory(**user_fields)
    )
    return membership.user


# Django's own force_login, taken before conftest.py makes `Client.force_login` a whole sign-in
# (conftest imports this module first, before any test runs).
_force_login_with_password_only = Client.force_login


def force_login_password_only(client, user) -> None:
    """Signed in with the password only: the two-factor step still to come."""
    _force_login_with_password_only(client, user)


def pass_second_factor(client, user) -> TOTPDevice:
    """Marks the client's session as having passed two-factor authentication with the user's
    authenticator (made if they have none), as the code page does (django_otp.login)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def sign_in(client, user, backend=None) -> None:
    """A whole sign-in, password and second factor (what `client.force_login` does in the tests)."""
    _force_login_with_password_only(client, user, backend)
    pass_second_factor(client, user)


def signed_in_client(user) -> Client:
    """A test client of its own, signed in as `user`: two of them in one test are two people."""
    client = Client()
    sign_in(client, user)
    return client


# The API's clients ----------------------------------------------------------------------------------

ALL_API_SCOPES = [
    "referrals:read",
    "referrals:write",
    "visits:write",
    "followups:write",
    "moveon:read",
    "moveon:write",
]
API_CLIENT_SECRET = "a-long-test-client-secret"


def api_client_with_scopes(agency: Agency | None = None, scopes=ALL_API_SCOPES, **kwargs):
    """A registered API client of `agency` (a new one if not given); its secret is API_CLIENT_SECRET."""
    from agencies.services import api_client_register

    api_client, _secret = api_client_register(
        agency=agency or AgencyFactory(),
        name=kwargs.pop("name", "Case system"),
        scopes=list(scopes),
        secret=API_CLIENT_SECRET,
        **kwargs,
    )
    return api_client


def fetch_token(client, api_client, scope: str = "") -> dict:
    """A token from the real token endpoint by client credentials (HTTP Basic, as a client would)."""
    credentials = base64.b64encode(f"{api_client.application.client_id}:{API_CLIENT_SECRET}".encode())
    data = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
    response = client.post("/o/token/", data, HTTP_AUTHORIZATION=f"Basic {credentials.decode()}")
    assert response.status_code == 200, response.content
    return response.json()


# Pages ----------------------------------------------------------------------------------------------

# Sending a form as a browser does: read the page first, then post what it carried (the hidden
# basis of a form that changes a record, iom_housing/basis.py) with the answers.
_BASIS = re.compile(r'<input[^>]*\bname="basis"[^>]*>')
_VALUE = re.compile(r'\bvalue="([^"]*)"')


def date_fields(name: str, day) -> dict:
    """A date field's answers as its three boxes post them (day, month, year); blank for None."""
    if day is None:
        return {f"{name}_0": "", f"{name}_1": "", f"{name}_2": ""}
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def form_basis(response) -> str:
    """The basis a page's forms carry (the record's version when the page was shown)."""
    values = {_VALUE.search(tag).group(1) for tag in _BASIS.findall(response.content.decode())}
    assert len(values) == 1, f"expected one basis on the page, found {sorted(values)}"
    return values.pop()


def post_as_shown(client, url: str, data: dict | None = None):
    """GET the form's page, then POST `data` with the basis the page carried."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return client.post(url, {**(data or {}), "basis": form_basis(page)})


def page_queries(client, url) -> int:
    """The number of queries a page takes (it must answer 200): for the tests that pin a list
    page's queries whatever its number of rows. Asked for once first, as a user moving between
    pages would, so that what is cached (the header's alert count) is counted as it usually is."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


# Races and stale forms ------------------------------------------------------------------------------


def at_the_same_moment(*calls) -> list:
    """Run each call in its own thread (its own connection, its own transaction), released
    together by a barrier; return each call's result or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except BaseException as error:  # noqa: BLE001 - the test inspects whatever happened
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a booking hung (a deadlock?)"
    return outcomes


def in_two_threads(target: Callable[[], object]) -> None:
    """Run `target` in two threads at once (each with its own connection) and wait for both."""
    threads = [threading.Thread(target=target) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def as_user(user):
    """Changes made inside are recorded as `user`'s, as a signed-in request's are."""
    return pghistory.context(user=user.pk)


def stale(call) -> StaleBasis:
    """Call a change expecting it refused as made on a stale basis; return the refusal."""
    with pytest.raises(StaleBasis) as refused:
        call()
    return refused.value


# Refusals --------------------------------------------------------------------------------------------


def refused_writing_nothing(rows: Callable[[], object], service, **kwargs) -> ValidationError:
    """Call a service expecting a ValidationError; check `rows()` (all it could write) is as it was
    before; return the error."""
    before = rows()
    with pytest.raises(ValidationError) as error:
        service(**kwargs)
    assert rows() == before
    return error.value
