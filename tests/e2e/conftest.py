"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium, no browser download)
against the live test server, with axe-core (from npm) checking accessibility."""

import os
import shutil
from base64 import b32decode
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the test still talks to the database
# from here, which Django otherwise refuses inside an event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        reason = f"Chromium is not installed at {CHROMIUM}: run `make browser` (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, settings):
    settings.ALLOWED_HOSTS = ["*"]
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and refused.append(message.text),
    )
    yield page
    context.close()
    assert not refused, "The Content-Security-Policy refused something:\n" + "\n".join(refused)


def totp_code(key) -> str:
    """The code an authenticator app would show now for `key` (bytes, or the base32 text shown on
    the set-up page)."""
    from django_otp.oath import totp

    if isinstance(key, str):
        key = b32decode("".join(key.split()))
    return f"{totp(key):06d}"


def sign_in(page, username: str, password: str = "a-long-test-password") -> None:
    """Password, then the second factor: setting up the authenticator from the key the page shows
    the first time, a code from it afterwards."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if "/accounts/two-factor/set-up/" in page.url:
        page.click("text=I cannot scan the QR code")
        page.fill("#id_code", totp_code(page.inner_text("#manual-key")))
        page.click("button[type=submit]:has-text('Continue')")
    elif "/accounts/two-factor/" in page.url:
        # A code works once: a second sign-in within the same 30 seconds would need the next one,
        # so the test forgets the last code used rather than waiting.
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
        page.fill("#id_code", totp_code(device.bin_key))
        page.click("button[type=submit]:has-text('Sign in')")
    page.wait_for_load_state()


def assert_accessible(page) -> None:
    """axe-core on the page as it is now: no serious or critical WCAG 2.2 AA violations."""
    # Evaluated through the DevTools protocol: the page's CSP forbids adding an inline script.
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    problems = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert not problems, f"{page.url}\n" + "\n".join(problems)
