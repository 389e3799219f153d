"""The officer's and the agency worker's key journeys in Welsh: each chooses "Cymraeg" in the
header, then works in Welsh. axe-core checks each page (its `lang` and the language of parts
marked: the "English" link), and at 320 px wide no page scrolls sideways, however long the Welsh
words. Labels are found by their Welsh in the catalogue, so the test follows the translation."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from agencies.models import Agency, HomeVisit, StaffMembership
from iom_housing.access import Role
from placements.models import Placement
from referrals.models import Referral
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import (
    AgencyFactory,
    BedspaceFactory,
    OffenderFactory,
    PlacementFactory,
    PropertyFactory,
    ReferralFactory,
    SupportAgencyFactory,
    SupportPlanFactory,
)
from tests.helpers import user_with_role

pytestmark = pytest.mark.django_db(transaction=True)

NARROW = {"width": 320, "height": 640}
# What sticks out furthest to the right (for the failure message).
WIDEST = """() => { let widest = null, right = 0;
  for (const el of document.querySelectorAll("body *")) { if (el.closest(".app-table-scroll")) continue;
    const r = el.getBoundingClientRect().right;
    if (r > right) { right = r; widest = el; } }
  return widest ? `${widest.tagName}.${widest.className} "${widest.textContent.trim().slice(0, 40)}" to ${right}px` : ""; }"""


def cy(text: str) -> str:
    with translation.override("cy"):
        return translation.gettext(text)


@pytest.fixture
def scheme():
    today = timezone.localdate()
    police = AgencyFactory(name="Heddlu Dyfed-Powys: tîm IOM", kind=Agency.Kind.POLICE)
    probation = AgencyFactory(name="Gwasanaeth Prawf", kind=Agency.Kind.PROBATION)
    user_with_role(Role.IOM_OFFICER, police, username="swyddog")
    user_with_role(Role.AGENCY_WORKER, probation, username="prawf", first_name="Siân", last_name="Morgan")
    arrived = today - timedelta(days=10)
    placement = PlacementFactory(
        offender=OffenderFactory(first_name="Rhys", last_name="ap Gruffudd"),
        bedspace=BedspaceFactory(property=PropertyFactory(name="Tŷ Glan yr Afon"), label="Fflat 1"),
        status=Placement.Status.ACTIVE,
        starts_on=arrived,
        arrived_on=arrived,
        with_term=True,
    )
    SupportAgencyFactory(support_plan=SupportPlanFactory(placement=placement), agency=probation)
    referral = ReferralFactory(referring_agency=probation, status=Referral.Status.IN_REVIEW)
    return {"placement": placement, "referral": referral}


def choose_welsh(page) -> None:
    page.get_by_test_id("language-switch").click()
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "cy"
    expect(page.get_by_test_id("language-switch")).to_have_text("English")


def too_wide(browser, live_server, page, paths: list[str]) -> list[str]:
    """The paths that scroll sideways at 320 px, in the same session as `page` (in Welsh)."""
    context = browser.new_context(
        base_url=live_server.url, viewport=NARROW, storage_state=page.context.storage_state()
    )
    narrow = context.new_page()
    wide = []
    for path in paths:
        narrow.goto(path)
        assert narrow.get_attribute("html", "lang") == "cy"
        if narrow.evaluate("document.documentElement.scrollWidth") > NARROW["width"]:
            wide.append(path + " " + narrow.evaluate(WIDEST))
    context.close()
    return wide


def test_an_officer_works_in_welsh(browser, live_server, page, scheme):
    sign_in(page, "swyddog")
    page.wait_for_url("**/dashboard/")
    choose_welsh(page)
    assert StaffMembership.objects.get(user__username="swyddog").preferred_language == "cy"
    expect(page.locator("nav[aria-label]").first).to_contain_text(cy("Dashboard"))
    assert_accessible(page)
    placement, referral = scheme["placement"], scheme["referral"]
    paths = [
        "/dashboard/",
        "/referrals/",
        referral.get_absolute_url(),
        "/offenders/",
        placement.get_absolute_url(),
        "/properties/",
        "/alerts/",
    ]
    for path in paths[1:]:
        page.goto(path)
        assert page.get_attribute("html", "lang") == "cy"
        assert_accessible(page)
    # A Welsh name in the page keeps its letters.
    page.goto(placement.get_absolute_url())
    expect(page.locator("main")).to_contain_text("Tŷ Glan yr Afon")
    # Deciding a referral and renewing a licence, in Welsh.
    for path in (referral.get_absolute_url() + "decline/", placement.get_absolute_url() + "renew/"):
        page.goto(path)
        assert page.get_attribute("html", "lang") == "cy"
        assert_accessible(page)
        paths.append(path)
    assert not too_wide(browser, live_server, page, paths)


def test_an_agency_worker_records_a_visit_in_welsh(browser, live_server, page, scheme):
    sign_in(page, "prawf")
    page.wait_for_url("**/caseload/")
    choose_welsh(page)
    assert_accessible(page)
    visit_form = scheme["placement"].get_absolute_url() + "visits/new/"
    page.goto(visit_form)
    page.get_by_role("button", name=cy("Save visit")).click()  # nothing chosen
    expect(page.locator(".govuk-error-summary")).to_contain_text(cy("There is a problem"))
    assert_accessible(page)
    page.get_by_label(cy("Home visit")).check()
    page.get_by_label(cy("Seen"), exact=True).check()
    page.get_by_label(cy("Good"), exact=True).check()
    page.fill("#id_support_hours", "1.5")
    page.get_by_role("button", name=cy("Save visit")).click()
    expect(page.locator(".govuk-notification-banner")).to_be_visible()
    assert HomeVisit.objects.get().support_hours == 1.5
    assert page.get_attribute("html", "lang") == "cy"
    assert_accessible(page)
    for path in ("/my-referrals/", "/referrals/new/"):
        page.goto(path)
        assert_accessible(page)
    assert not too_wide(
        browser, live_server, page, ["/caseload/", visit_form, "/my-referrals/", "/referrals/new/"]
    )
