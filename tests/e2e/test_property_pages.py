"""A scheme manager's pages for the stock in a real browser, at desktop and phone width, each
checked by axe-core: the property list, adding a property (with its errors), its page, adding a
bedspace, and renaming it or taking it out of use."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from iom_housing.access import Role
from placements.areas import CEREDIGION, known_area
from placements.models import Bedspace, Property
from tests.e2e.conftest import assert_accessible, sign_in
from tests.helpers import user_with_role

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _fits(page) -> None:
    """No sideways scrolling: the page is no wider than the window."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_scheme_manager_adds_a_property_and_its_bedspace(page, viewport):
    known_area(CEREDIGION)  # the list of areas (a transactional test flushes the migration's rows)
    user_with_role(Role.SCHEME_MANAGER, username="manager")
    page.set_viewport_size(viewport)
    sign_in(page, "manager")

    page.goto(reverse("placements:property-list"))
    assert_accessible(page)
    page.get_by_role("button", name="Add a property").click()
    expect(page.get_by_role("heading", name="Add a property")).to_be_visible()
    assert_accessible(page)
    _fits(page)

    page.get_by_label("Postcode").fill("SY23")
    page.get_by_role("button", name="Save property").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a real UK postcode, like SY23 1AB")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the area the property is in")
    assert_accessible(page)
    _fits(page)

    page.get_by_label("Name", exact=True).fill("Ty Gwyn")
    page.get_by_label("Address line 1").fill("1 Heol y Wig")
    page.get_by_label("Town or city").fill("Aberystwyth")
    page.get_by_label("Postcode").fill("sy23 2ln")
    page.get_by_label("Area (local authority)").select_option(CEREDIGION)
    page.get_by_label("Provider or landlord").fill("Tai Ceredigion")
    page.get_by_label("Weekly cost (£)").fill("160.00")
    page.get_by_role("button", name="Save property").click()
    expect(page.get_by_role("heading", name="Ty Gwyn")).to_be_visible()
    expect(page.get_by_text("SY23 2LN")).to_be_visible()
    assert_accessible(page)
    _fits(page)

    page.get_by_role("button", name="Add a bedspace").click()
    assert_accessible(page)
    page.get_by_label("Label").fill("Flat 1")
    page.get_by_role("button", name="Save bedspace").click()
    expect(page.get_by_role("heading", name="Flat 1")).to_be_visible()

    page.get_by_role("link", name="Rename Flat 1 or change whether it is in use").click()
    expect(page.get_by_role("heading", name="Change a bedspace")).to_be_visible()
    assert_accessible(page)
    _fits(page)
    page.get_by_label("Label").fill("Flat 1A")
    page.get_by_role("button", name="Save bedspace").click()
    expect(page.get_by_role("heading", name="Flat 1A")).to_be_visible()

    page.goto(reverse("placements:property-change", args=[Property.objects.get().pk]))
    assert_accessible(page)
    _fits(page)
    assert Bedspace.objects.get().label == "Flat 1A"
