"""Case notes and documents in a real browser: a supporting agency's worker writes a note and
corrects it, uploads a photo of the property (a wrong file first) and downloads it; at desktop and
phone width every page passes axe-core."""

import pytest
from playwright.sync_api import expect

from iom_housing.access import Role
from tests.casefiles.helpers import PNG_BYTES, make_scene
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_supporting_worker_keeps_notes_and_documents(page, tmp_path):
    scene = make_scene()
    UserFactory._meta.model.objects.filter(pk=scene.own.pk).update(username="probation")
    assert scene.own.membership.role == Role.AGENCY_WORKER
    sign_in(page, "probation")

    page.goto(f"/offenders/{scene.person.public_id}/")
    expect(page.get_by_role("heading", name="Case notes")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Add a case note").click()
    page.get_by_role("button", name="Save note").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the note")
    assert_accessible(page)
    page.get_by_label("Note").fill("Seen at the property on Tuesday.")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator(".govuk-summary-card")).to_contain_text("Seen at the property on Tuesday.")

    page.get_by_role("link", name="Correct").click()
    page.get_by_label("Note").fill("Seen at the property on Wednesday.")
    page.get_by_label("Why are you correcting it?").fill("Wrong day")
    assert_accessible(page)
    page.get_by_role("button", name="Save correction").click()
    expect(page.locator(".govuk-summary-card")).to_contain_text("Wednesday")
    expect(page.locator(".moj-timeline")).to_contain_text("Case note (corrected)")

    page.goto(scene.placement.get_absolute_url())
    page.get_by_role("link", name="Upload a document").click()
    page.get_by_label("Photo of the property's condition").check()
    page.get_by_label("Title").fill("Kitchen on arrival")
    fake = tmp_path / "kitchen.png"
    fake.write_text("<html>not a picture</html>")
    page.get_by_label("Upload a file").set_input_files(fake)
    page.get_by_role("button", name="Upload document").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("must be a PDF, PNG, JPEG")
    assert_accessible(page)
    real = tmp_path / "kitchen-real.png"
    real.write_bytes(PNG_BYTES)
    page.get_by_label("Upload a file").set_input_files(real)
    page.get_by_role("button", name="Upload document").click()
    expect(page.get_by_role("link", name="Kitchen on arrival")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Kitchen on arrival").click()
    assert download.value.suggested_filename == "kitchen-on-arrival.png"

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/offenders/{scene.person.public_id}/")
    expect(page.get_by_role("link", name="Kitchen on arrival")).to_be_visible()
    assert_accessible(page)
