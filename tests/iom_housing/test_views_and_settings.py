"""The site-wide pages (home, sign-in, health check) and settings read from the environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import DatabaseError
from django.urls import reverse

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


def test_home_page_says_what_the_service_is_and_links_to_sign_in(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert b"Integrated Offender Management" in response.content
    assert reverse("login").encode() in response.content


def test_opcc_analysts_go_straight_to_the_evaluation_report(opcc_client):
    response = opcc_client.get(reverse("home"))
    assert response["Location"] == reverse("reports:report")
    report = opcc_client.get(response["Location"])
    assert reverse("admin:index").encode() not in report.content
    assert reverse("placements:dashboard").encode() not in report.content


def test_officers_go_straight_to_their_dashboard(iom_officer_client):
    response = iom_officer_client.get(reverse("home"))
    assert response["Location"] == reverse("placements:dashboard")
    dashboard = iom_officer_client.get(response["Location"])
    assert reverse("admin:index").encode() not in dashboard.content


def test_scheme_managers_are_offered_administration_from_managing_the_scheme(scheme_manager_client):
    """The header offers "Manage the scheme"; its page links the admin, for rare repairs."""
    response = scheme_manager_client.get(reverse("home"), follow=True)
    assert reverse("manage-scheme").encode() in response.content
    assert reverse("admin:index").encode() in scheme_manager_client.get(reverse("manage-scheme")).content


def test_a_superuser_without_a_role_is_offered_administration_in_the_header(admin_client):
    assert reverse("admin:index").encode() in admin_client.get(reverse("home")).content


def test_a_user_without_a_role_is_told_what_to_ask_for(db):
    from tests.factories import StaffMembershipFactory
    from tests.helpers import signed_in_client

    nobody = signed_in_client(UserFactory(username="new-starter"))
    page = nobody.get(reverse("home")).content.decode()
    assert 'data-testid="no-role"' in page and "Ask your scheme manager to give your account a role" in page
    switched_off = StaffMembershipFactory(active=False).user
    page = signed_in_client(switched_off).get(reverse("home")).content.decode()
    assert "may have been switched off" in page


def test_a_superuser_without_a_role_is_offered_administration_not_told_to_ask(db):
    from tests.helpers import signed_in_client

    admin = signed_in_client(UserFactory(username="root", is_superuser=True, is_staff=True))
    page = admin.get(reverse("home")).content.decode()
    assert 'data-testid="no-role"' not in page and reverse("admin:index") in page


def test_sign_in_with_the_right_password(client, db):
    UserFactory(username="pat")
    response = client.post(reverse("login"), {"username": "pat", "password": "a-long-test-password"})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_sign_in_with_a_wrong_password_shows_an_error_summary(client, db):
    UserFactory(username="pat")
    response = client.post(reverse("login"), {"username": "pat", "password": "wrong"})
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert "_auth_user_id" not in client.session


def test_healthz_reports_database_and_broker(client, db, settings):
    settings.REDIS_URL = ""
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "eager (no broker configured)"}


class _BrokenConnection:
    def cursor(self):
        raise DatabaseError("connection refused")


def test_healthz_is_503_when_the_database_fails(client, db, monkeypatch):
    monkeypatch.setattr("iom_housing.views.connection", _BrokenConnection())
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "error: DatabaseError"


def test_healthz_is_503_when_the_broker_is_unreachable(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set")
def test_healthz_pings_a_real_broker(client, db, settings):
    settings.REDIS_URL = os.environ["REDIS_URL"]
    assert client.get(reverse("healthz")).json()["broker"] == "ok"


PRINT_SETTINGS = "import iom_housing.settings as s; print(s.DEBUG, s.CELERY_TASK_ALWAYS_EAGER)"


def _import_settings(**env) -> subprocess.CompletedProcess:
    """Import the settings module in a fresh interpreter with exactly these variables set."""
    base = {"PATH": os.environ["PATH"], "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_startup_fails_clearly_without_a_secret_key_when_debug_is_off():
    result = _import_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_startup_in_debug_needs_no_secret_key_and_runs_tasks_eagerly_without_redis():
    result = _import_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True True"


def test_a_broker_url_turns_eager_tasks_off():
    result = _import_settings(DEBUG="1", REDIS_URL="redis://127.0.0.1:6379/0")
    assert result.stdout.strip() == "True False"


def test_a_bad_boolean_setting_is_refused_with_its_name():
    result = _import_settings(DEBUG="maybe")
    assert "DEBUG must be true or false" in result.stderr


def test_only_postgresql_is_accepted():
    result = _import_settings(DEBUG="1", DATABASE_URL="sqlite:///db.sqlite3")
    assert "DATABASE_URL must point at PostgreSQL" in result.stderr


def test_a_user_can_change_their_own_password(client, db):
    user = UserFactory(username="pat")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "a-long-test-password",
            "new_password1": "harbour lantern copper tide",
            "new_password2": "harbour lantern copper tide",
        },
    )
    assert response["Location"] == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password("harbour lantern copper tide")


def test_a_short_new_password_is_refused_next_to_the_field(client, db):
    client.force_login(UserFactory(username="pat"))
    response = client.post(
        reverse("password_change"),
        {"old_password": "a-long-test-password", "new_password1": "short", "new_password2": "short"},
    )
    assert "This password is too short" in response.content.decode()


def test_there_is_no_password_reset_by_email(client, db):
    assert client.get("/accounts/password_reset/").status_code == 404
