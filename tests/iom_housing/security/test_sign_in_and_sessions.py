"""Sign-in and sessions: two-factor authentication, lockout, time-outs, ending sessions, password
rules; and the security events each of them logs."""

import json
import logging
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from iom_housing import settings as project_settings
from iom_housing.access import Role
from iom_housing.models import UserSession
from iom_housing.security.log import JsonLinesFormatter
from iom_housing.security.signals import SESSION_LAST_SEEN, SESSION_STARTED
from tests.factories import AgencyFactory, ReferralFactory
from tests.helpers import force_login_password_only, user_with_role

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "a-long-test-password"


def code(device, offset: int = 0) -> str:
    return f"{totp(device.bin_key, t0=device.t0, step=device.step, drift=offset):06d}"


def events(security_log, name: str) -> list[dict]:
    return [record.security for record in security_log.records if record.getMessage() == name]


@pytest.fixture
def officer(db):
    return user_with_role(Role.IOM_OFFICER, AgencyFactory(kind="police"), username="pat")


@pytest.fixture
def device(officer):
    return TOTPDevice.objects.create(user=officer, name="Authenticator app", confirmed=True)


# Two-factor authentication ------------------------------------------------------------------


def test_after_the_password_every_page_but_two_factor_and_sign_out_asks_for_the_code(client, officer, device):
    force_login_password_only(client, officer)
    for path in ("/", "/dashboard/", "/referrals/", "/offenders/", "/admin/", "/api/v1/referrals/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("two_factor_verify")), path
    assert client.get(reverse("two_factor_verify")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_without_an_authenticator_the_user_is_sent_to_set_one_up(client, officer):
    force_login_password_only(client, officer)
    response = client.get("/dashboard/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("two_factor_setup") + "?next=%2Fdashboard%2F"
    page = response.content.decode()
    assert "<svg" in page and 'role="img"' in page  # the QR code, drawn on the server
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    key = page.split('id="manual-key">')[1].split("<")[0]
    assert key.replace(" ", "") in device.config_url
    # The code field lets the phone fill and paste the code.
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    assert "onpaste" not in page


def test_enrolment_confirms_the_device_and_signs_in_with_a_new_session_key(client, officer, security_log):
    force_login_password_only(client, officer)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=officer)
    before = client.session.session_key
    response = client.post(reverse("two_factor_setup"), {"code": code(device), "next": "/referrals/"})
    assert response["Location"] == "/referrals/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.session.session_key != before
    assert client.get("/referrals/").status_code == 200
    assert events(security_log, "2fa_enrolled")[0]["user_id"] == officer.pk


def test_a_wrong_code_is_refused_beside_the_field_and_logged(client, officer, device, security_log):
    force_login_password_only(client, officer)
    response = client.post(reverse("two_factor_verify"), {"code": "abc"})
    assert "Enter the 6-digit code" in response.content.decode()
    wrong = f"{(int(code(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("two_factor_verify"), {"code": wrong})
    assert response.status_code == 200
    assert "The code is not correct" in response.content.decode()
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert events(security_log, "2fa_code_refused")
    # django-otp then makes the user wait before the next try (1, 2, 4… seconds).
    response = client.post(reverse("two_factor_verify"), {"code": code(device)})
    assert "Wait a minute" in response.content.decode()


def test_a_code_works_once(client, officer, device, security_log):
    force_login_password_only(client, officer)
    this_code = code(device)
    response = client.post(reverse("two_factor_verify"), {"code": f"{this_code[:3]} {this_code[3:]}"})
    assert response.status_code == 302  # spaces as the app shows them are fine
    assert events(security_log, "sign_in_2fa")

    other = Client()
    force_login_password_only(other, officer)
    response = other.post(reverse("two_factor_verify"), {"code": this_code})
    assert "already been used" in response.content.decode()
    assert DEVICE_ID_SESSION_KEY not in other.session


def test_sign_in_is_password_then_code(client, officer, device):
    response = client.post(reverse("login"), {"username": "pat", "password": PASSWORD, "next": "/offenders/"})
    assert response["Location"] == "/offenders/"
    response = client.get("/offenders/")
    assert response["Location"] == reverse("two_factor_verify") + "?next=%2Foffenders%2F"
    response = client.post(reverse("two_factor_verify"), {"code": code(device), "next": "/offenders/"})
    assert response["Location"] == "/offenders/"
    assert client.get("/offenders/").status_code == 200


def test_two_factor_pages_send_on_a_user_who_has_passed_it(iom_officer_client):
    assert iom_officer_client.get(reverse("two_factor_verify"))["Location"] == reverse("home")
    assert iom_officer_client.get(reverse("two_factor_setup"))["Location"] == reverse("home")


def test_with_two_factor_off_every_page_says_so(client, officer, settings):
    settings.REQUIRE_2FA = False
    force_login_password_only(client, officer)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert "Two-factor authentication is turned off" in response.content.decode()
    assert "Two-factor authentication is turned off" in client.get(reverse("login")).content.decode()
    settings.REQUIRE_2FA = True
    assert "turned off" not in client.get(reverse("login")).content.decode()


def test_a_scheme_manager_resets_a_lost_authenticator_which_ends_its_sessions(
    scheme_manager_client, officer, device, security_log, django_capture_on_commit_callbacks
):
    officer_client = Client()
    officer_client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = scheme_manager_client.post(
            reverse("admin:auth_user_changelist"),
            {"action": "reset_two_factor", admin.helpers.ACTION_CHECKBOX_NAME: [officer.pk]},
        )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert officer_client.get("/dashboard/")["Location"].startswith(reverse("login"))
    assert events(security_log, "2fa_removed")[0]["subject_user_id"] == officer.pk


# Lockout (django-axes) -------------------------------------------------------------------------


def _sign_in(client, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": "pat", "password": password}, REMOTE_ADDR=address)


def test_lockout_after_the_limit_by_username_and_address_until_the_cool_off(
    client, officer, settings, security_log
):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert _sign_in(client, "wrong").status_code == 200
    response = _sign_in(client, "wrong")
    assert response.status_code == 429
    assert "You cannot sign in for now" in response.content.decode()
    assert "try again in 15 minutes" in response.content.decode()
    # Locked out from that address even with the right password…
    assert _sign_in(client, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    # …but the officer, elsewhere, still signs in: an attacker cannot lock them out.
    assert _sign_in(Client(), PASSWORD, address="10.9.9.9").status_code == 302
    # After the cool-off the address may try again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _sign_in(client, PASSWORD).status_code == 302
    assert len(events(security_log, "sign_in_failed")) >= 5
    locked = events(security_log, "locked_out")
    assert locked and locked[0]["attempted_username"] == "pat" and locked[0]["ip"] == "10.0.0.1"


def test_failed_sign_in_is_logged_without_the_password(client, officer, security_log):
    _sign_in(client, "my-secret-guess")
    (event,) = events(security_log, "sign_in_failed")
    assert event["attempted_username"] == "pat"
    assert "my-secret-guess" not in json.dumps(event)


# Passwords -------------------------------------------------------------------------------------


def test_passwords_are_hashed_with_argon2():
    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.parametrize("password", ["short-pass1", "password1234", "123456789012"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_long_uncommon_password_is_accepted():
    validate_password("correct horse battery staple")


# Sessions --------------------------------------------------------------------------------------


def test_sign_in_gives_a_new_session_key(client, officer, settings):
    settings.REQUIRE_2FA = False
    client.get(reverse("login"))
    session = client.session
    session["something"] = "before sign-in"
    session.save()
    before = session.session_key
    _sign_in(client, PASSWORD)
    assert client.session.session_key != before
    assert not UserSession.objects.filter(session_key=before).exists()
    assert UserSession.objects.get(session_key=client.session.session_key).user_id == officer.pk


def _age_session(client, *, started_ago=0, idle=0):
    session = client.session
    now = int(time.time())
    session[SESSION_STARTED] = now - started_ago
    session[SESSION_LAST_SEEN] = now - idle
    session.save()


def test_idle_time_out_signs_out(iom_officer_client, security_log):
    _age_session(iom_officer_client, started_ago=31 * 60, idle=29 * 60)
    assert iom_officer_client.get("/dashboard/").status_code == 200
    _age_session(iom_officer_client, started_ago=32 * 60, idle=31 * 60)
    response = iom_officer_client.get("/dashboard/")
    assert response["Location"] == reverse("login") + "?next=/dashboard/"
    assert "_auth_user_id" not in iom_officer_client.session
    page = iom_officer_client.get(response["Location"]).content.decode()
    assert "not done anything for 30 minutes" in page
    assert events(security_log, "session_expired")[0]["reason"] == "idle"


def test_absolute_time_out_signs_out_however_active(iom_officer_client, security_log):
    _age_session(iom_officer_client, started_ago=12 * 3600 - 60, idle=0)
    assert iom_officer_client.get("/dashboard/").status_code == 200
    _age_session(iom_officer_client, started_ago=12 * 3600 + 1, idle=0)
    assert iom_officer_client.get("/dashboard/")["Location"].startswith(reverse("login"))
    assert events(security_log, "session_expired")[0]["reason"] == "absolute"


def test_activity_and_stay_signed_in_move_the_idle_time_out_on(iom_officer_client):
    _age_session(iom_officer_client, idle=10 * 60)
    iom_officer_client.get("/dashboard/")
    assert time.time() - iom_officer_client.session[SESSION_LAST_SEEN] < 5
    _age_session(iom_officer_client, idle=29 * 60)
    response = iom_officer_client.post(reverse("session_keep_alive"), HTTP_ACCEPT="application/json")
    assert response.json() == {"idle_timeout_seconds": 1800}
    assert time.time() - iom_officer_client.session[SESSION_LAST_SEEN] < 5


def test_pages_carry_the_time_out_warning_and_its_script(iom_officer_client):
    page = iom_officer_client.get("/dashboard/").content.decode()
    assert 'id="session-timeout-dialog"' in page and 'data-idle-seconds="1800"' in page
    assert "js/session-timeout.js" in page
    assert "session-timeout" not in Client().get(reverse("login")).content.decode()


def test_deactivating_a_user_ends_their_sessions_at_once(
    officer, security_log, django_capture_on_commit_callbacks
):
    phone, desk = Client(), Client()
    phone.force_login(officer)
    desk.force_login(officer)
    assert UserSession.objects.filter(user=officer).count() == 2
    officer.is_active = False
    with django_capture_on_commit_callbacks(execute=True):
        officer.save()
    assert not UserSession.objects.filter(user=officer).exists()
    assert phone.get("/dashboard/")["Location"].startswith(reverse("login"))
    assert events(security_log, "user_deactivated")[0]["subject_user_id"] == officer.pk


def test_a_scheme_manager_ends_any_users_sessions(scheme_manager_client, officer, security_log):
    officer_client = Client()
    officer_client.force_login(officer)
    response = scheme_manager_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "end_sessions", admin.helpers.ACTION_CHECKBOX_NAME: [officer.pk]},
        follow=True,
    )
    assert "1 session ended." in response.content.decode()
    assert officer_client.get("/dashboard/")["Location"].startswith(reverse("login"))
    assert events(security_log, "sessions_ended")[0]["subject_user_id"] == officer.pk


# Security events -------------------------------------------------------------------------------


def test_sign_in_and_sign_out_are_logged(client, officer, security_log, settings):
    settings.REQUIRE_2FA = False
    _sign_in(client, PASSWORD)
    client.post(reverse("logout"))
    (signed_in,) = events(security_log, "sign_in")
    assert signed_in["username"] == "pat" and signed_in["ip"] == "10.0.0.1"
    assert events(security_log, "sign_out")[0]["user_id"] == officer.pk


def test_refused_access_is_logged_for_403_and_for_a_record_out_of_scope(agency_worker_client, security_log):
    assert agency_worker_client.get(reverse("placements:dashboard")).status_code == 403
    (refused,) = events(security_log, "access_refused")
    assert refused["status"] == 403 and refused["rule"] == "can_user_manage_placements"
    other = ReferralFactory()
    url = reverse("referrals:referral-detail", args=[other.public_id])
    assert agency_worker_client.get(url).status_code == 404
    not_theirs = events(security_log, "access_refused")[1]
    assert not_theirs["status"] == 404 and not_theirs["lookup"] == {"public_id": str(other.public_id)}
    assert not_theirs["path"] == url


def test_role_changes_are_logged_with_who_made_them(
    scheme_manager_client, scheme_manager, officer, security_log
):
    membership = officer.membership
    response = scheme_manager_client.post(
        reverse("admin:auth_user_change", args=[officer.pk]),
        {
            "username": officer.username,
            "first_name": officer.first_name,
            "last_name": officer.last_name,
            "email": officer.email,
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "09:00:00",
            "membership-TOTAL_FORMS": "1",
            "membership-INITIAL_FORMS": "1",
            "membership-MIN_NUM_FORMS": "0",
            "membership-MAX_NUM_FORMS": "1",
            "membership-0-id": membership.pk,
            "membership-0-user": officer.pk,
            "membership-0-agency": membership.agency_id,
            "membership-0-role": Role.SCHEME_MANAGER,
            "membership-0-active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    (changed,) = events(security_log, "role_changed")
    assert changed["subject_user_id"] == officer.pk
    assert changed["change"] == {"role": [Role.IOM_OFFICER, Role.SCHEME_MANAGER]}
    assert changed["user_id"] == scheme_manager.pk and changed["path"]


def test_security_events_are_json_lines(officer):
    record = logging.LogRecord("security", logging.WARNING, __file__, 1, "locked_out", None, None)
    record.security = {"attempted_username": "pat", "ip": "10.0.0.1"}
    line = JsonLinesFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["event"] == "locked_out" and entry["level"] == "WARNING" and entry["ip"] == "10.0.0.1"
    assert entry["time"].endswith("+00:00")
