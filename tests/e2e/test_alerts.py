"""Alerts in a real browser: an overrun placement shows an alert on the dashboard and in the
header count; following its link and renewing the licence clears it. axe-core checks the pages."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from alerts.models import Alert
from alerts.sweeps import run_sweep
from iom_housing.access import Role
from placements.models import Placement
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import AgencyFactory, OffenderFactory, PlacementFactory
from tests.helpers import user_with_role

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_overrun_shows_an_alert_and_renewing_the_licence_clears_it(page):
    today = timezone.localdate()
    user_with_role(Role.IOM_OFFICER, AgencyFactory(kind="police"), username="officer")
    start = today - timedelta(days=31)
    placement = PlacementFactory(
        offender=OffenderFactory(first_name="Gethin", last_name="Morgan"),
        status=Placement.Status.ACTIVE,
        starts_on=start,
        arrived_on=start,
        ends_on=start + timedelta(days=28),
        free_from=start + timedelta(days=28),
        with_term=True,
    )
    run_sweep("licence_overrun")  # what beat and the worker do every hour

    sign_in(page, "officer")
    page.wait_for_url("**/dashboard/")
    row = page.locator("table tr", has_text="Gethin Morgan").filter(has_text="Licence term overrun")
    expect(row).to_be_visible()
    expect(page.get_by_test_id("open-alert-count")).to_have_text("1")
    assert_accessible(page)

    page.get_by_role("link", name="Alerts").first.click()
    page.wait_for_url("**/alerts/")
    expect(page.locator("table", has_text="no departure is recorded")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Renew the licence, or record the departure for Gethin Morgan").click()
    page.wait_for_url(f"**{placement.get_absolute_url()}")
    page.get_by_role("link", name="Renew licence", exact=True).first.click()
    page.fill("#id_days", "28")
    page.fill("#id_reason", "Waiting for a social housing offer")
    page.click("input[type=submit]")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Licence renewed")

    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_text("No alerts need action.")).to_be_visible()
    expect(page.get_by_test_id("open-alert-count")).to_have_count(0)  # no badge without alerts
    assert Alert.objects.get(placement=placement).status == Alert.Status.RESOLVED
