"""Two-factor sign-in in a real browser: set up an authenticator from the key the page shows, sign
in again with a code, and the time-out warning; axe-core on each new page."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from iom_housing.access import Role
from tests.e2e.conftest import assert_accessible, totp_code
from tests.factories import AgencyFactory
from tests.helpers import user_with_role

pytestmark = pytest.mark.django_db(transaction=True)


def _password(page, username: str) -> None:
    page.goto(reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", "a-long-test-password")
    page.click("button[type=submit]")


def test_enrol_then_sign_in_with_a_code(page):
    user_with_role(Role.IOM_OFFICER, AgencyFactory(kind="police"), username="officer")

    _password(page, "officer")
    page.wait_for_url("**/accounts/two-factor/set-up/**")
    expect(page.locator(".app-qr-code svg")).to_be_visible()
    assert_accessible(page)
    page.click("text=I cannot scan the QR code")
    key = page.inner_text("#manual-key")

    page.fill("#id_code", "12345")  # too short: an error beside the field, accessible too
    page.click("button:has-text('Continue')")
    assert "Enter the 6-digit code" in page.inner_text(".govuk-error-summary")
    assert_accessible(page)

    page.click("text=I cannot scan the QR code")
    enrolment_code = totp_code(key)
    page.fill("#id_code", enrolment_code)
    page.click("button:has-text('Continue')")
    page.wait_for_url("**/dashboard/")
    assert "Two-factor authentication is set up" in page.inner_text("main")

    page.click("button:has-text('Sign out')")
    _password(page, "officer")
    page.wait_for_url("**/accounts/two-factor/**")
    assert_accessible(page)
    # The code just used for enrolment is refused: each code works once.
    page.fill("#id_code", enrolment_code)
    page.click("button:has-text('Sign in')")
    assert "already been used" in page.inner_text(".govuk-error-summary")
    # (The test forgets the last code and the wrong try rather than wait for the next code.)
    TOTPDevice.objects.filter(user__username="officer").update(last_t=-1, throttling_failure_count=0)
    page.fill("#id_code", " ".join([totp_code(key)[:3], totp_code(key)[3:]]))  # "123 456", as apps show it
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/dashboard/")


def test_the_time_out_warning_lets_the_user_stay_signed_in(page, settings):
    from datetime import timedelta

    from tests.e2e.conftest import sign_in

    settings.SESSION_IDLE_TIMEOUT = timedelta(seconds=6)
    settings.SESSION_TIMEOUT_WARNING = timedelta(seconds=5)
    user_with_role(Role.IOM_OFFICER, AgencyFactory(kind="police"), username="officer")
    sign_in(page, "officer")
    page.wait_for_url("**/dashboard/")
    dialog = page.locator("#session-timeout-dialog")
    dialog.wait_for(state="visible", timeout=5_000)
    expect(dialog).to_contain_text("You are about to be signed out")
    assert_accessible(page)
    dialog.locator("button:has-text('Stay signed in')").click()
    dialog.wait_for(state="hidden")
    # Without another request the server signs the session out and the page goes to sign-in.
    page.wait_for_url("**/accounts/login/**", timeout=15_000)
    assert "signed out" in page.inner_text("main")
