"""Booking a bedspace in a shared property: Find a bedspace marks the conflict, the booking page
shows who else will be there (pseudonymously) and the conflicts, a booking without a reason is
refused, and an IOM officer's override books it and shows on the placement; at desktop and phone
width (390 px), checked by axe-core, never scrolling sideways."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from iom_housing.access import Role
from placements.models import Placement, SharingOverride
from referrals.models import Gender, Referral
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import AgencyFactory, BedspaceFactory, OffenderFactory, PropertyFactory, ReferralFactory
from tests.helpers import user_with_role
from tests.placements import helpers as h

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = os.environ.get("SCREENSHOTS")


def _shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], page.url


@pytest.mark.parametrize("width", [1280, 390])
def test_a_conflicting_booking_is_overridden_with_a_reason(browser, live_server, settings, width):
    settings.ALLOWED_HOSTS = ["*"]
    today = timezone.localdate()
    user_with_role(Role.IOM_OFFICER, AgencyFactory(kind="police"), username="officer")
    property_ = PropertyFactory(name="Tŷ Derwen", turnaround_days=0, near_school=True)
    free = BedspaceFactory(property=property_, label="Flat 1")
    taken = BedspaceFactory(property=property_, label="Flat 2")
    h.make_placement(
        taken,
        starts_on=today - timedelta(days=3),
        length=28,
        status=Placement.Status.ACTIVE,
        offender=OffenderFactory(gender=Gender.FEMALE, arson_history=True),
    )
    person = OffenderFactory(gender=Gender.MALE, sexual_risk_to_adults="women")
    referral = ReferralFactory(offender=person, status=Referral.Status.ACCEPTED)

    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, "officer")
    page.goto(f"{person.get_absolute_url()}sharing-risks/")
    expect(page.locator("input[name=sexual_risk_to_adults][value=women]")).to_be_checked()
    _fits(page)
    assert_accessible(page)
    page.goto(f"{referral.get_absolute_url()}place/")
    page.fill("#id_starts_on_0", str(today.day))
    page.fill("#id_starts_on_1", str(today.month))
    page.fill("#id_starts_on_2", str(today.year))
    page.fill("#id_days", "14")
    page.click("input[type=submit]")
    card = page.locator(".govuk-summary-card", has_text="Flat 1")
    expect(card).to_contain_text("Sharing conflict")
    _fits(page)
    assert_accessible(page)
    _shot(page, f"sharing-find-{width}")

    card.get_by_role("button").click()
    expect(page.locator("h1")).to_have_text("Check who shares the property")
    expect(page.locator("body")).to_contain_text("Resident A: female; arson history; from ")
    expect(page.locator("#sharing-conflicts")).to_contain_text(
        "This person has a sexual risk to women, and Resident A (female) will be living there."
    )
    _fits(page)
    assert_accessible(page)
    _shot(page, f"sharing-check-{width}")

    page.get_by_role("button", name="Override and book this bedspace").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why it is safe to book it anyway")
    _fits(page)
    assert_accessible(page)
    _shot(page, f"sharing-refused-{width}")

    page.fill("#id_sharing_override_reason", "Separate entrances; both residents warned; weekly checks.")
    page.get_by_role("button", name="Override and book this bedspace").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Provisional booking made")
    expect(page.locator("h2", has_text="Sharing conflicts overridden")).to_be_visible()
    _fits(page)
    assert_accessible(page)
    _shot(page, f"sharing-placement-{width}")
    context.close()

    override = SharingOverride.objects.get()
    assert (override.placement.bedspace, override.decided_by.username) == (free, "officer")
