"""The data protection pages in a real browser: a scheme manager reads a person's change history,
finds who has read their record and downloads that history, reviews a record due for retention,
and downloads a subject access export with an item withheld. Every page passes axe-core."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audit.access import access_record
from iom_housing.access import Role
from iom_housing.pages import PAGE_SIZE
from referrals.models import Offender
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import HomeVisitFactory, OffenderFactory, PlacementFactory
from tests.helpers import user_with_role

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_scheme_manager_uses_the_data_protection_pages(page):
    user_with_role(Role.SCHEME_MANAGER, username="manager")
    placement = PlacementFactory(
        with_term=True, offender__first_name="Gwenllian", offender__last_name="Pryce"
    )
    HomeVisitFactory(placement=placement)
    person = placement.offender
    due = OffenderFactory(first_name="Iolo", last_name="Vaughan")
    Offender.objects.filter(pk=due.pk).update(retain_until=timezone.localdate() - timedelta(days=1))
    reader = user_with_role(Role.IOM_OFFICER)
    for _ in range(PAGE_SIZE):  # more than a page of the log, to check its pagination too
        access_record(user=reader, action="consult", offender_ids=[person.pk], model="referrals.Offender")

    sign_in(page, "manager")
    page.goto(f"/offenders/{person.public_id}/")
    expect(page.get_by_role("heading", name="Change history")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Who has read or changed this record (access log)").click()
    expect(page.get_by_role("heading", name="Access log")).to_be_visible()
    assert page.get_by_role("link", name="Gwenllian Pryce").count() >= 1
    expect(page.get_by_role("link", name="Next page")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download the access history")).click()
    assert download.value.suggested_filename.startswith("access-history-")

    page.get_by_role("link", name="Retention").first.click()
    expect(page.get_by_role("heading", name="Records due for retention review")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Review Iolo Vaughan").click()
    # Retaining without a reason or a date: the errors are by the fields and in the summary.
    page.get_by_label("Retain", exact=True).check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)

    page.goto(f"/audit/subject-access/{person.public_id}/")
    assert_accessible(page)
    page.get_by_label("Personal details").check()
    page.get_by_label("JSON (machine-readable)").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    export = json.loads(download.value.path().read_text())
    assert "Gwenllian" not in json.dumps(export)  # the details withheld, the rest released
    assert "placement" in json.dumps(export)
