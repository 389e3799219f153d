"""Find a bedspace (earliest dates), a renewal refused with its explanation, and moving a person
to another bedspace, at desktop and phone width (390 px), checked by axe-core; the page itself
never scrolls sideways."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from iom_housing.access import Role
from placements.dates import free_from
from placements.models import Placement
from referrals.models import Referral
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import (
    AgencyFactory,
    BedspaceFactory,
    LicenceTermFactory,
    PlacementFactory,
    PropertyFactory,
    ReferralFactory,
)
from tests.helpers import user_with_role

pytestmark = pytest.mark.django_db(transaction=True)

# Set SCREENSHOTS=/some/folder to keep what the browser showed.
SCREENSHOTS = os.environ.get("SCREENSHOTS")


def _shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], page.url


@pytest.mark.parametrize("width", [1280, 390])
def test_find_renew_refused_and_move_at_desktop_and_phone_width(browser, live_server, settings, width):
    settings.ALLOWED_HOSTS = ["*"]
    today = timezone.localdate()
    user_with_role(Role.IOM_OFFICER, AgencyFactory(kind="police"), username="officer")
    property_ = PropertyFactory(name="Tŷ Derwen", turnaround_days=2)
    busy = BedspaceFactory(property=property_, label="Flat 1")
    free = BedspaceFactory(property=PropertyFactory(name="Bryn Awel"), label="Flat 1")
    # Flat 1 of Tŷ Derwen: someone active now, to 5 days from today, and the next booking after.
    stay = PlacementFactory(
        bedspace=busy,
        status=Placement.Status.ACTIVE,
        starts_on=today - timedelta(days=9),
        arrived_on=today - timedelta(days=9),
        ends_on=today + timedelta(days=5),
        free_from=free_from(today + timedelta(days=5), 2),
    )
    LicenceTermFactory(placement=stay, number=1, starts_on=stay.starts_on, ends_on=stay.ends_on)
    next_start = stay.free_from + timedelta(days=4)
    PlacementFactory(
        bedspace=busy,
        starts_on=next_start,
        ends_on=next_start + timedelta(days=7),
        free_from=free_from(next_start + timedelta(days=7), 2),
    )
    referral = ReferralFactory(status=Referral.Status.ACCEPTED, urgency=Referral.Urgency.EMERGENCY)

    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, "officer")

    page.goto(f"{referral.get_absolute_url()}")
    page.get_by_role("link", name="Find a bedspace", exact=True).first.click()
    page.fill("#id_starts_on_0", str(today.day))
    page.fill("#id_starts_on_1", str(today.month))
    page.fill("#id_starts_on_2", str(today.year))
    page.fill("#id_days", "7")
    page.click("input[type=submit]")
    expect(page.locator("h2", has_text="can take this stay")).to_be_visible()
    expect(page.locator(".govuk-summary-card", has_text="Bryn Awel")).to_contain_text(
        "The date you asked for"
    )
    _fits(page)
    assert_accessible(page)
    _shot(page, f"find-bedspace-{width}")

    page.goto(f"{stay.get_absolute_url()}renew/")
    page.fill("#id_days", "28")
    page.fill("#id_reason", "Waiting for a social housing offer")
    page.click("input[type=submit]")
    expect(page.locator(".govuk-error-summary")).to_contain_text("The longest renewal possible is")
    _fits(page)
    assert_accessible(page)
    _shot(page, f"renewal-refused-{width}")

    page.get_by_role("link", name="Move them to another bedspace", exact=True).click()
    page.select_option("#id_bedspace", str(free.pk))
    page.fill("#id_moved_on_0", str(today.day))
    page.fill("#id_moved_on_1", str(today.month))
    page.fill("#id_moved_on_2", str(today.year))
    page.check("input[value=repair]")
    page.fill("#id_details", "The boiler failed: no heating.")
    _fits(page)
    assert_accessible(page)
    _shot(page, f"move-{width}")
    page.click("input[type=submit]")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Moved to another bedspace")
    expect(page.locator(".moj-timeline__title", has_text="Moved to another bedspace")).to_be_visible()
    _fits(page)
    assert_accessible(page)
    _shot(page, f"timeline-after-move-{width}")
    context.close()
