"""The IOM officer's journey in a real browser: triage, place, arrive, renew, end; and axe-core
on every officer page on the way."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone
from playwright.sync_api import expect

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
    VoidPeriodFactory,
)
from tests.helpers import user_with_role

pytestmark = pytest.mark.django_db(transaction=True)


def _fill_date(page, name: str, day) -> None:
    page.fill(f"#id_{name}_0", str(day.day))
    page.fill(f"#id_{name}_1", str(day.month))
    page.fill(f"#id_{name}_2", str(day.year))


def test_triage_place_arrive_renew_and_end(page):
    today = timezone.localdate()
    user_with_role(Role.IOM_OFFICER, AgencyFactory(kind="police"), username="officer")
    property_ = PropertyFactory(name="Tŷ Derwen")
    bedspace = BedspaceFactory(property=property_, label="Flat 1")
    VoidPeriodFactory(bedspace=BedspaceFactory(property=property_, label="Flat 2"), starts_on=today)
    offender = OffenderFactory(
        first_name="Rhys", last_name="Pritchard", safety_warnings="Do not visit alone."
    )
    referral = ReferralFactory(offender=offender, urgency=Referral.Urgency.URGENT)

    sign_in(page, "officer")
    page.wait_for_url("**/dashboard/")
    assert_accessible(page)

    page.get_by_role("link", name="Referrals", exact=True).first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Rhys Pritchard", exact=True).first.click()
    assert_accessible(page)

    page.get_by_role("link", name="Start review", exact=True).first.click()
    assert_accessible(page)
    page.click("input[type=submit]")
    page.get_by_role("link", name="Accept", exact=True).click()
    page.fill("#id_notes", "Suitable for the scheme")
    page.click("input[type=submit]")
    assert page.locator(".govuk-notification-banner").inner_text().count("Referral accepted") == 1

    page.get_by_role("link", name="Find a bedspace", exact=True).first.click()
    assert_accessible(page)
    # A past date is refused beside its field.
    _fill_date(page, "starts_on", today - timedelta(days=10))
    page.click("input[type=submit]")
    expect(page.locator(".govuk-error-summary")).to_contain_text("today or in the future")
    assert_accessible(page)
    arrival = today
    _fill_date(page, "starts_on", arrival)
    page.click("input[type=submit]")
    # Flat 2 is void from today: it is offered from the day it is back in use, after Flat 1.
    expect(page.locator("h2", has_text="can take this stay")).to_be_visible()
    assert_accessible(page)
    page.locator(".govuk-summary-card", has_text="Flat 1").get_by_role("button").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Provisional booking made")
    assert_accessible(page)

    page.get_by_role("link", name="Confirm booking", exact=True).first.click()
    page.click("input[type=submit]")
    page.get_by_role("link", name="Record arrival", exact=True).first.click()
    assert_accessible(page)
    _fill_date(page, "arrived_on", arrival)
    page.click("input[type=submit]")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("the placement is active")
    # As if all that had happened 10 days ago, so that the stay can end today.
    booked = Placement.objects.get(referral=referral)
    ten = timedelta(days=10)
    Placement.objects.filter(pk=booked.pk).update(
        starts_on=booked.starts_on - ten,
        arrived_on=booked.arrived_on - ten,
        ends_on=booked.ends_on - ten,
        free_from=booked.free_from - ten,
    )
    booked.licence_terms.update(starts_on=F("starts_on") - ten, ends_on=F("ends_on") - ten)
    page.reload()

    page.get_by_role("link", name="Renew licence", exact=True).first.click()
    page.fill("#id_days", "40")
    page.fill("#id_reason", "Waiting for a social housing offer")
    page.click("input[type=submit]")
    # A bad value is named in the error summary and beside the field.
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.fill("#id_days", "14")
    page.click("input[type=submit]")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Licence renewed")
    assert page.locator(".govuk-summary-list__row", has_text="Renewals").inner_text().strip().endswith("1")

    page.get_by_role("link", name="End placement", exact=True).first.click()
    assert_accessible(page)
    _fill_date(page, "departed_on", today)
    page.check("input[value=planned_move_on]")
    page.check("input[value=social_rent]")
    page.click("input[type=submit]")
    # Check your answers, then end it
    expect(page.locator("h1")).to_contain_text("Check your answers before ending the placement")
    assert_accessible(page)
    page.get_by_role("button", name="End placement").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Placement ended")

    placement = Placement.objects.get(referral=referral)
    assert placement.status == Placement.Status.ENDED
    assert placement.licence_terms.count() == 2
    assert placement.bedspace == bedspace

    page.get_by_role("link", name=offender.full_name).first.click()
    expect(page.locator(".moj-timeline__title", has_text="Left the placement")).to_be_visible()
    assert_accessible(page)


def test_every_officer_page_is_accessible(page):
    today = timezone.localdate()
    user_with_role(Role.IOM_OFFICER, AgencyFactory(kind="police"), username="officer")
    bedspace = BedspaceFactory()
    VoidPeriodFactory(bedspace=bedspace, starts_on=today + timedelta(days=60))
    placement_referral = ReferralFactory(status=Referral.Status.ACCEPTED)
    declined = ReferralFactory(status=Referral.Status.SUBMITTED)
    from placements.services import place_offender

    placement = place_offender(
        referral_id=placement_referral.pk, bedspace_id=bedspace.pk, starts_on=today, by=None
    )
    sign_in(page, "officer")
    paths = [
        "/",
        "/properties/",
        f"/properties/{bedspace.property_id}/",
        f"/bedspaces/{bedspace.pk}/voids/add/",
        "/offenders/",
        f"{placement.offender.get_absolute_url()}",
        f"{placement.offender.get_absolute_url()}events/add/",
        f"{placement.offender.get_absolute_url()}exclusions/add/",
        f"{declined.get_absolute_url()}decline/",
        f"{declined.get_absolute_url()}withdraw/",
        f"{placement.get_absolute_url()}",
        f"{placement.get_absolute_url()}confirm/",
        f"{placement.get_absolute_url()}cancel/",
        f"{placement.get_absolute_url()}not-arrived/",
        f"/voids/{bedspace.void_periods.get().pk}/end/",
    ]
    for path in paths:
        page.goto(path)
        assert_accessible(page)
    # An error summary too.
    page.goto(f"{declined.get_absolute_url()}decline/")
    page.click("input[type=submit]")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)


def test_sign_in_page_is_accessible_on_a_phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto("/")
    assert_accessible(page)
    page.goto("/accounts/login/")
    page.click("button[type=submit]")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    context.close()


def test_the_accessibility_check_catches_a_violation(page):
    page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main><img src="x.png"></main></body></html>'
    )
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)


def test_officer_lists_fit_a_phone_screen(browser, live_server):
    today = timezone.localdate()
    user_with_role(Role.IOM_OFFICER, AgencyFactory(kind="police"), username="officer")
    for _ in range(3):
        ReferralFactory(urgency=Referral.Urgency.EMERGENCY)
    PlacementFactory(
        status=Placement.Status.ACTIVE,
        starts_on=today - timedelta(days=40),
        arrived_on=today - timedelta(days=40),
        ends_on=today - timedelta(days=12),
        free_from=today - timedelta(days=12),
    )
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, "officer")
    for path in ("/dashboard/", "/referrals/", "/offenders/", "/properties/"):
        page.goto(path)
        # Wide tables scroll in their own region; the page itself never scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        assert_accessible(page)
    context.close()
