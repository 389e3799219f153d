"""Security headers on every response, no caching of any answer but the static files, and no
inline script or style for the CSP to refuse (the deployment check is in tests/tooling/test_deploy.py)."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import AgencyFactory, ReferralFactory
from tests.site.test_access_matrix import ANON, MATRIX, ROLES, _routes, _url, scene  # noqa: F401 - scene: a fixture

ROOT = Path(__file__).resolve().parents[2]


def _assert_security_headers(response, url):
    csp = response.headers.get("Content-Security-Policy", "")
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives.get("script-src") == "'self'", (url, csp)
    assert directives.get("style-src") == "'self'", (url, csp)
    assert directives.get("default-src") == "'self'" and directives.get("object-src") == "'none'", url
    assert directives.get("frame-ancestors") == "'none'", url
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
    assert response.headers["X-Frame-Options"] == "DENY", url
    assert response.headers["Referrer-Policy"] == "same-origin", url
    assert response.headers["X-Content-Type-Options"] == "nosniff", url
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin", url


@pytest.mark.django_db
def test_every_kind_of_response_carries_the_security_headers(iom_officer_client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    referral = ReferralFactory()
    signed_in = [
        reverse("placements:dashboard"),
        reverse("referrals:referral-list"),
        reverse("referrals:referral-detail", args=[referral.public_id]),
        reverse("referrals:offender-detail", args=[referral.offender.public_id]),
        reverse("placements:property-list"),
        reverse("password_change"),
        reverse("api:referral-list"),
        reverse("api:docs"),
        "/no-such-page/",
    ]
    anonymous = [reverse("home"), reverse("login"), reverse("healthz"), reverse("placements:dashboard")]
    for client, urls in ((iom_officer_client, signed_in), (Client(), anonymous)):
        for url in urls:
            response = client.get(url, secure=True)
            _assert_security_headers(response, url)
            assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000"), url


def test_templates_have_no_inline_script_style_or_event_handlers():
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
    style_element = re.compile(r"<style\b", re.I)
    attributes = re.compile(r"\s(style|on[a-z]+)\s*=", re.I)
    # Documents made into files (PDF by WeasyPrint, a standalone HTML download) carry their own
    # styles: they are never pages of the site, so the site's CSP does not apply to them.
    documents = {
        "templates/reports/report_document.html",
        "templates/audit/subject_access.pdf.html",
        "templates/placements/licence/agreement.pdf.html",
    }
    found = []
    for template in (ROOT / "templates").rglob("*.html"):
        if str(template.relative_to(ROOT)) in documents:
            continue
        text = template.read_text()
        for pattern in (inline_script, style_element, attributes):
            found += [f"{template.relative_to(ROOT)}: {match.group(0)}" for match in pattern.finditer(text)]
    assert not found, "\n".join(found)


def _never_stored(response) -> bool:
    directives = {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


@pytest.mark.django_db
def test_no_answer_of_any_url_to_any_role_may_be_stored(client, scene):  # noqa: F811 - the fixture
    """Every URL of the site (the access matrix's walk), as each role and signed out, whatever the
    answer (a page, a redirect, 403 or 404): a browser's back button after signing out, or a
    proxy, must not show a page naming people."""
    users, by_segment = scene
    routes = _routes()
    stored = []
    for name in MATRIX:
        url = _url(routes[name], by_segment)
        for role in ROLES:
            client.logout()
            if role != ANON:
                client.force_login(users[role])
            response = client.get(url)
            if not _never_stored(response):
                stored.append(f"{name} as {role}: {response.status_code} {response.get('Cache-Control')!r}")
    assert not stored, "\n".join(stored)


@pytest.mark.django_db
def test_api_answers_to_a_case_system_and_errors_may_not_be_stored(api_client_for):
    http = api_client_for(AgencyFactory())
    for url in (reverse("api:referral-list"), reverse("api:visit-list"), "/api/v1/no-such-thing/"):
        response = http.get(url)
        assert _never_stored(response), (url, response.status_code, response.get("Cache-Control"))
    assert _never_stored(Client().post("/o/token/", {"grant_type": "client_credentials"}))


def test_static_files_keep_their_public_cache(settings):
    settings.WHITENOISE_USE_FINDERS = True  # read when a new client builds its middleware
    response = Client().get("/static/js/app.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "max-age" in response.get("Cache-Control", "")
