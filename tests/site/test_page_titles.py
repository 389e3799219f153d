"""Every page's <title> in GOV.UK's pattern: "<Page> – <Scheme name> – IOM Housing", with "Error: "
first when a form on the page has errors. The pages are those of the access matrix (every URL of
the site), each opened as the first role that may see it."""

import re

import pytest
from django.urls import reverse

from tests.site.test_access_matrix import MATRIX, ROLES, _routes, _url, scene  # noqa: F401

pytestmark = pytest.mark.django_db

SCHEME = "Ceredigion IOM housing scheme"
SUFFIX = f" – {SCHEME} – IOM Housing"
# Not this site's layout: Django's admin and the API's browsable documentation.
OTHER_LAYOUTS = {"admin:index", "api:docs"}


def _title(response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
    assert match, "no <title>"
    return match[1]


def _problems(title: str) -> list[str]:
    problems = []
    if not title.endswith(SUFFIX):
        problems.append("does not end with the scheme and service names after separators")
    page = title.removesuffix(SUFFIX)
    if not page.strip():
        problems.append("has no page name")
    if page != page.strip() or "  " in title or "\n" in title:
        problems.append("has stray whitespace")
    if SCHEME in page or "IOM Housing" in page:
        problems.append("runs the page name into the scheme or service name")
    if page.endswith("–") or page.startswith("–") or "– –" in title:
        problems.append("has an empty part between separators")
    return problems


@pytest.fixture(autouse=True)
def _scheme(settings):
    settings.SCHEME_NAME = SCHEME


def test_title_problems_are_caught():
    assert _problems(f"Dashboard{SCHEME} – IOM Housing")
    assert _problems(f"{SCHEME} – IOM Housing")
    assert _problems(f" – {SCHEME} – IOM Housing")
    assert not _problems(f"Dashboard{SUFFIX}")


def test_every_page_has_a_title_in_the_govuk_pattern(client, scene):  # noqa: F811
    users, by_segment = scene
    routes = _routes()
    wrong, seen = [], 0
    for name, expected in MATRIX.items():
        if name in OTHER_LAYOUTS:
            continue
        role = next((role for role in ROLES if expected[role] == 200), None)
        if role is None:
            continue
        client.logout()
        if role != "anonymous":
            client.force_login(users[role])
        url = _url(routes[name], by_segment)
        response = client.get(url)
        if not response["Content-Type"].startswith("text/html"):
            continue
        seen += 1
        title = _title(response)
        wrong += [f"{name} ({url}): {title!r} {problem}" for problem in _problems(title)]
    assert seen > 30
    assert not wrong, "\n".join(wrong)


def test_error_pages_have_titles_in_the_pattern(client, iom_officer_client):
    assert _title(client.get("/no-such-page/")) == f"Page not found{SUFFIX}"
    assert _title(iom_officer_client.get("/no-such-page/")) == f"Page not found{SUFFIX}"


def test_a_form_with_errors_puts_error_first(iom_officer_client):
    response = iom_officer_client.post(reverse("password_change"), {})
    assert _title(response) == f"Error: Change your password{SUFFIX}"
    assert _title(iom_officer_client.get(reverse("password_change"))) == f"Change your password{SUFFIX}"


def test_the_report_with_a_bad_period_puts_error_first(opcc_client):
    response = opcc_client.get(
        reverse("reports:report"), {"start_0": "40", "start_1": "13", "start_2": "2026"}
    )
    assert "govuk-error-summary" in response.content.decode()
    assert _title(response) == f"Error: Evaluation report{SUFFIX}"
