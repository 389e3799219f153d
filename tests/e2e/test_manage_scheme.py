"""A scheme manager's everyday pages in a real browser, at desktop and phone width: from the header
to the hub, adding a member of staff (a wrong answer first), their page, switching them off, and
funding; each page passes axe-core and nothing scrolls sideways at 390 px."""

import pytest
from playwright.sync_api import expect

from iom_housing.access import Role
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import AgencyFactory, FundingFactory
from tests.helpers import user_with_role

pytestmark = pytest.mark.django_db(transaction=True)


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


@pytest.mark.parametrize("width", [1280, 390])
def test_a_manager_adds_a_member_of_staff_and_switches_them_off(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    probation = AgencyFactory(name="Dyfed-Powys Probation")
    user_with_role(Role.SCHEME_MANAGER, username="manager", first_name="Meinir", last_name="Tudor")
    user_with_role(Role.AGENCY_WORKER, probation, first_name="Gethin", last_name="Pryce")
    FundingFactory()

    sign_in(page, "manager")
    page.goto("/")
    page.get_by_role("link", name="Manage the scheme").click()
    expect(page.get_by_role("heading", name="Manage the scheme", level=1)).to_be_visible()
    assert_accessible(page)
    _fits(page, width)

    page.get_by_role("link", name="Users and roles").click()
    expect(page.get_by_role("link", name="Gethin Pryce")).to_be_visible()
    assert_accessible(page)
    _fits(page, width)

    page.get_by_role("link", name="Add a member of staff").click()
    page.fill("#id_first_name", "Nia")
    page.fill("#id_last_name", "Griffiths")
    page.fill("#id_email", "not an email")
    page.get_by_label("Agency worker").check()
    page.select_option("#id_agency", label="Dyfed-Powys Probation")
    page.get_by_role("button", name="Add the member of staff").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter an email address in the correct format"
    )
    assert_accessible(page)
    _fits(page, width)
    page.fill("#id_email", "nia.griffiths@example.org")
    page.get_by_role("button", name="Add the member of staff").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Account added")

    page.get_by_role("link", name="Nia Griffiths").click()
    expect(page.get_by_text("Not chosen yet")).to_be_visible()
    assert_accessible(page)
    _fits(page, width)
    page.get_by_role("link", name="Switch the account off").click()
    assert_accessible(page)
    page.get_by_role("button", name="Switch the account off").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Account switched off")

    page.goto("/manage/funding/")
    expect(page.get_by_role("link", name="Initial investment")).to_be_visible()
    assert_accessible(page)
    _fits(page, width)
    page.get_by_role("link", name="Add funding").click()
    page.fill("#id_name", "Match funding")
    page.fill("#id_funder", "Probation")
    page.fill("#id_amount", "14000")
    for part, value in enumerate(("1", "4", "2026")):
        page.fill(f"#id_starts_on_{part}", value)
    for part, value in enumerate(("31", "3", "2026")):
        page.fill(f"#id_ends_on_{part}", value)
    page.get_by_role("button", name="Save the funding").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The end date must be the same as or after the start date"
    )
    assert_accessible(page)
    _fits(page, width)
