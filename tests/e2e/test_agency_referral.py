"""In a real browser on a phone-sized screen: an agency worker submits a referral for someone
already recorded and follows it; an officer sets a support plan. axe-core on each new page."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agencies.models import Agency
from iom_housing.access import Role
from placements.models import Placement, SupportPlan
from referrals.models import Offender, Referral
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import AgencyFactory, OffenderFactory, PlacementFactory
from tests.helpers import user_with_role

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def test_an_agency_worker_refers_someone_already_recorded_and_follows_the_referral(page):
    page.set_viewport_size(PHONE)
    probation = AgencyFactory(name="Probation Service", kind=Agency.Kind.PROBATION)
    user_with_role(Role.AGENCY_WORKER, probation, username="probation")
    existing = OffenderFactory(
        first_name="Rhys", last_name="Pritchard", date_of_birth=date(1990, 5, 3), pnc_id="", crn=""
    )

    sign_in(page, "probation")
    page.goto("/my-referrals/")
    assert_accessible(page)
    page.get_by_role("link", name="Submit a referral").click()
    assert_accessible(page)

    # Nothing filled in: the errors are listed, and each is beside its question.
    page.click("input[name=submit]")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)

    page.fill("#id_first_name", "rhys")
    page.fill("#id_last_name", "Pritchard")
    page.fill("#id_date_of_birth_0", "3")
    page.fill("#id_date_of_birth_1", "5")
    page.fill("#id_date_of_birth_2", "1990")
    page.check("#id_gender")
    page.select_option("#id_ethnicity", "white_british")
    page.check("#id_iom_category")
    page.check("#id_risk_of_serious_harm_2")
    page.check("#id_urgency_2")
    page.check("#id_needs")
    page.fill("#id_reason", "Released on licence next week with no fixed abode.")
    page.fill("#id_risk_summary", "Medium risk to known adults; none to staff.")
    page.click("input[name=submit]")

    expect(page.get_by_role("heading", name="Is this the same person?")).to_be_visible()
    # Shown back as entered, nothing of the record.
    assert "someone named rhys Pritchard, born 3 May 1990" in page.content()
    assert_accessible(page)
    page.get_by_label("Yes, this is the same person").check()
    page.get_by_role("button", name="Continue").click()

    referral = Referral.objects.get()
    assert referral.offender == existing and Offender.objects.count() == 1
    page.wait_for_url(f"**{referral.get_absolute_url()}")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Referral submitted")
    # The record opens only once the IOM team accepts the referral.
    expect(page.get_by_text("Person, as you referred them")).to_be_visible()
    assert page.get_by_role("link", name="rhys Pritchard").count() == 0
    assert_accessible(page)

    page.get_by_role("link", name="My referrals").first.click()
    expect(page.get_by_text("Waiting for a decision")).to_be_visible()
    assert_accessible(page)


def test_an_officer_sets_the_support_plan(page):
    page.set_viewport_size(PHONE)
    today = timezone.localdate()
    user_with_role(Role.IOM_OFFICER, AgencyFactory(kind=Agency.Kind.POLICE), username="officer")
    probation = AgencyFactory(name="Probation Service", kind=Agency.Kind.PROBATION)
    ddas = AgencyFactory(name="Drug and Alcohol Service", kind=Agency.Kind.DRUG_ALCOHOL)
    placement = PlacementFactory(
        status=Placement.Status.ACTIVE,
        starts_on=today - timedelta(days=2),
        arrived_on=today - timedelta(days=2),
    )

    sign_in(page, "officer")
    page.goto(placement.get_absolute_url())
    page.get_by_role("link", name="Set the support plan").click()
    assert_accessible(page)

    page.get_by_label("T2: 5 hours a week").check()
    page.get_by_role("checkbox", name="Probation Service").check()
    # With JavaScript, an agency's frequency appears when its box is ticked.
    expect(page.locator(f"#id_visit_every_days_{probation.pk}")).to_be_visible()
    expect(page.locator(f"#id_visit_every_days_{ddas.pk}")).to_be_hidden()
    page.get_by_role("checkbox", name="Drug and Alcohol Service").check()
    page.fill(f"#id_visit_every_days_{ddas.pk}", "40")
    page.click("input[name=submit]")

    expect(page.locator(".govuk-error-summary")).to_be_visible()
    error = page.locator(f"#id_visit_every_days_{ddas.pk}_1_error")
    expect(error).to_contain_text("must be every 1 to 28 days")
    assert_accessible(page)

    page.fill(f"#id_visit_every_days_{ddas.pk}", "14")
    page.click("input[name=submit]")
    page.wait_for_url(f"**{placement.get_absolute_url()}")
    expect(page.get_by_text("Drug and Alcohol Service: visits every 14 days")).to_be_visible()
    assert_accessible(page)
    assert SupportPlan.objects.get(placement=placement).tier == "t2"
