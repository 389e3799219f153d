"""The evaluation report in a real browser: an OPCC analyst picks a period with the GOV.UK date
boxes, sees the report with its charts, and the pages pass axe-core."""

import pytest
from playwright.sync_api import expect

from iom_housing.access import Role
from reports.releases import releases_publish_due
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import AgencyFactory
from tests.helpers import user_with_role
from tests.reports import scenario

pytestmark = pytest.mark.django_db(transaction=True)


def _fill_date(page, name: str, day: int, month: int, year: int) -> None:
    page.fill(f"#id_{name}_0", str(day))
    page.fill(f"#id_{name}_1", str(month))
    page.fill(f"#id_{name}_2", str(year))


def test_an_analyst_picks_a_period_and_reads_the_report(page):
    scenario.build()
    releases_publish_due()  # as the nightly task has: the page reads the release, not makes it
    user_with_role(Role.OPCC_ANALYST, AgencyFactory(kind="commissioner"), username="analyst")

    sign_in(page, "analyst")
    page.wait_for_url("**/reports/")
    assert_accessible(page)

    # A wrong period first: the error is by the field and in the summary.
    _fill_date(page, "start", 1, 3, 2026)
    _fill_date(page, "end", 31, 2, 2026)
    page.get_by_role("button", name="Show report").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)

    _fill_date(page, "end", 31, 3, 2026)
    page.get_by_role("button", name="Show report").click()
    expect(page.get_by_role("heading", name="Contents")).to_be_visible()
    assert page.locator("svg").count() > 0
    assert page.get_by_role("link", name="PDF").count() == 1
    assert_accessible(page)
