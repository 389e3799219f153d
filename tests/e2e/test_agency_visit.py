"""An agency worker on a phone records a joint visit with a concern; the IOM officer sees it on the
dashboard. axe-core checks the caseload, the visit form (with and without errors) and the visit."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agencies.models import Agency, HomeVisit
from iom_housing.access import Role
from placements.models import Alert, Placement
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import (
    AgencyFactory,
    BedspaceFactory,
    OffenderFactory,
    PlacementFactory,
    PropertyFactory,
    SupportAgencyFactory,
    SupportPlanFactory,
)
from tests.helpers import user_with_role

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def scheme():
    today = timezone.localdate()
    police = AgencyFactory(name="Dyfed-Powys Police IOM team", kind=Agency.Kind.POLICE)
    probation = AgencyFactory(name="Probation Service", kind=Agency.Kind.PROBATION)
    ddas = AgencyFactory(name="Dyfed Drug and Alcohol Service", kind=Agency.Kind.DRUG_ALCOHOL)
    user_with_role(Role.IOM_OFFICER, police, username="officer")
    user_with_role(Role.AGENCY_WORKER, probation, username="probation", first_name="Sian", last_name="Morgan")
    arrived = today - timedelta(days=10)
    placement = PlacementFactory(
        offender=OffenderFactory(
            first_name="Rhys", last_name="Pritchard", safety_warnings="Do not visit alone: no lone visiting."
        ),
        bedspace=BedspaceFactory(property=PropertyFactory(name="Tŷ Derwen"), label="Flat 1"),
        status=Placement.Status.ACTIVE,
        starts_on=arrived,
        arrived_on=arrived,
        with_term=True,
    )
    plan = SupportPlanFactory(placement=placement)
    for agency in (police, probation, ddas):
        SupportAgencyFactory(support_plan=plan, agency=agency)
    return {"placement": placement, "ddas": ddas}


def test_a_worker_on_a_phone_records_a_joint_visit_with_a_concern(browser, live_server, page, scheme):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, has_touch=True, is_mobile=True)
    phone = context.new_page()
    phone.set_default_timeout(10_000)
    sign_in(phone, "probation")
    phone.wait_for_url("**/caseload/")
    expect(phone.locator(".govuk-warning-text", has_text="no lone visiting")).to_be_visible()
    expect(phone.locator(".govuk-tag", has_text="Overdue")).to_be_visible()
    assert_accessible(phone)

    phone.get_by_role("button", name="Record a visit to Rhys Pritchard").click()
    assert phone.locator("#id_staff_names").input_value() == "Sian Morgan"
    assert_accessible(phone)

    # Too many hours: the error is named in the summary and beside the field, nothing is saved.
    phone.get_by_label("Home visit").check()
    phone.get_by_label("Seen", exact=True).check()
    phone.fill("#id_support_hours", "25")
    phone.get_by_role("button", name="Save visit").click()
    expect(phone.locator(".govuk-error-summary", has_text="from 0 to 24")).to_be_visible()
    expect(phone.locator("#div_id_support_hours .govuk-error-message")).to_be_visible()
    assert_accessible(phone)
    assert not HomeVisit.objects.exists()

    phone.get_by_label("Dyfed Drug and Alcohol Service").check()
    phone.get_by_label("Good", exact=True).check()
    phone.fill("#id_support_hours", "1.5")
    # The concern box is revealed by ticking "Raise a concern".
    expect(phone.locator("#id_concern")).to_be_hidden()
    phone.get_by_label("Raise a concern with the IOM team").check()
    phone.fill("#id_concern", "Visitors late at night and a strong smell of cannabis.")
    phone.get_by_role("button", name="Save visit").click()
    expect(phone.locator(".govuk-notification-banner")).to_contain_text(
        "Your concern has been sent to the IOM team"
    )

    visit = HomeVisit.objects.get()
    assert list(visit.other_agencies.all()) == [scheme["ddas"]]
    assert visit.concern_raised and visit.support_hours == 1.5

    phone.locator(f"a[href='{visit.get_absolute_url()}']").click()
    expect(phone.locator("h1", has_text="Home visit on")).to_be_visible()
    assert_accessible(phone)
    context.close()

    # The IOM officer sees the concern on the dashboard.
    sign_in(page, "officer")
    page.wait_for_url("**/dashboard/")
    expect(page.locator("table", has_text="Visitors late at night")).to_be_visible()
    assert Alert.objects.get(kind=Alert.Kind.VISIT_CONCERN).visit == visit


def test_the_visit_form_fits_a_320_pixel_screen(browser, live_server, settings, scheme):
    settings.ALLOWED_HOSTS = ["*"]
    context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 640})
    phone = context.new_page()
    sign_in(phone, "probation")
    phone.wait_for_url("**/caseload/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 320
    phone.goto(f"{scheme['placement'].get_absolute_url()}visits/new/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 320
    phone.get_by_role("button", name="Save visit").click()  # no outcome chosen
    expect(phone.locator(".govuk-error-summary")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()
