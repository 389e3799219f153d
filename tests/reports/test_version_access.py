"""Who may get each version of the report (iom_housing/access.py): OPCC analysts the evaluation and
published versions; IOM officers and scheme managers all three; nobody else any. Each role asks
for each version on the page and as a download."""

import pytest
from django.test import Client

from iom_housing.access import can_user_view_report_version
from reports.models import ReportDownload
from tests.reports import scenario
from tests.reports.test_report_pages import PERIOD

pytestmark = pytest.mark.django_db

VERSIONS = ("officer", "evaluation", "published")
ALLOWED = {
    "iom_officer": {"officer", "evaluation", "published"},
    "scheme_manager": {"officer", "evaluation", "published"},
    "opcc_analyst": {"evaluation", "published"},
    "agency_worker": set(),
    "anonymous": set(),
}
PERSON_ROWS = "Offences before"  # a column of the evaluation version's pseudonymised rows only


@pytest.fixture
def data():
    return scenario.build()


@pytest.fixture
def client_for(request):
    def make(role: str) -> tuple[Client, object]:
        if role == "anonymous":
            return Client(), None
        user = request.getfixturevalue(role)
        client = request.getfixturevalue(
            {
                "iom_officer": "iom_officer_client",
                "scheme_manager": "scheme_manager_client",
                "opcc_analyst": "opcc_client",
                "agency_worker": "agency_worker_client",
            }[role]
        )
        return client, user

    return make


@pytest.mark.parametrize("role", list(ALLOWED))
def test_the_access_rule_gives_each_role_its_versions(role, client_for):
    _client, user = client_for(role)
    if user is None:
        from django.contrib.auth.models import AnonymousUser

        user = AnonymousUser()
    assert {v for v in VERSIONS if can_user_view_report_version(user, v)} == ALLOWED[role]
    assert not can_user_view_report_version(user, "opcc")  # the old name is no version now


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("role", list(ALLOWED))
def test_each_role_gets_only_its_versions_on_the_page(role, version, client_for, data):
    client, _user = client_for(role)
    response = client.get("/reports/", {**PERIOD, "audience": version})
    if role == "anonymous":
        assert response.status_code == 302 and "login" in response["Location"]
        return
    if role == "agency_worker":
        assert response.status_code == 403
        return
    html = response.content.decode()
    if version in ALLOWED[role]:
        assert response.status_code == 200
        assert response.context["report"].audience == version
        assert (PERSON_ROWS in html) == (version == "evaluation")
        assert ("Annwen" in html) == (version == "officer")
    else:
        assert response.status_code == 400
        assert "report" not in response.context
        assert "Annwen" not in html and PERSON_ROWS not in html


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("role", list(ALLOWED))
def test_each_role_downloads_only_its_versions(role, version, client_for, data):
    client, _user = client_for(role)
    response = client.get("/reports/download/", {**PERIOD, "audience": version, "format": "csv"})
    if role == "anonymous":
        assert response.status_code == 302
    elif role == "agency_worker":
        assert response.status_code == 403
    elif version in ALLOWED[role]:
        assert response.status_code == 200 and response["Content-Type"].startswith("application/zip")
        assert ReportDownload.objects.get().audience == version
        return
    else:
        assert response.status_code == 400
    assert not ReportDownload.objects.exists()
