"""Subject access: everything held about one person as JSON or PDF, with items withheld on
request, and the export logged."""

import json

import pytest
from django.urls import reverse

from audit.models import AccessLogEntry
from tests.factories import HomeVisitFactory, OffenderEventFactory, ReferralFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    referral = ReferralFactory(reason="Needs a place near his daughter")
    visit = HomeVisitFactory(placement__offender=referral.offender, notes="Spoke about work")
    OffenderEventFactory(offender=referral.offender, notes="Shoplifting")
    return referral.offender, referral, visit


def test_the_json_export_holds_every_record_and_withholds_the_items_ticked(
    scheme_manager_client, scheme_manager, person
):
    offender, referral, visit = person
    url = reverse("audit:subject-access", args=[offender.public_id])
    page = scheme_manager_client.get(url).content.decode()
    assert f"visit-{visit.pk}" in page and "Who has read or changed the record" in page
    response = scheme_manager_client.post(url, {"file_format": "json", "redact": [f"referral-{referral.pk}"]})
    assert response["Content-Type"] == "application/json"
    document = json.loads(response.content)
    items = {item["key"]: item for item in document["items"]}
    assert items["person"]["data"]["last_name"] == offender.last_name
    assert items["person"]["history"][0]["change"] == "insert"
    assert items[f"visit-{visit.pk}"]["data"]["notes"] == "Spoke about work"
    assert items[f"referral-{referral.pk}"] == {
        "key": f"referral-{referral.pk}",
        "title": items[f"referral-{referral.pk}"]["title"],
        "redacted": True,
    }
    assert "daughter" not in response.content.decode()
    assert any(entry["action"] == "consult" for entry in items["access-log"]["data"]["entries"])
    export = AccessLogEntry.objects.filter(action="export").get()
    assert (export.user, export.offender_ids, export.reason) == (
        scheme_manager,
        [offender.pk],
        "subject_access",
    )


def test_the_pdf_export_is_a_pdf(scheme_manager_client, person):
    offender, _referral, _visit = person
    url = reverse("audit:subject-access", args=[offender.public_id])
    response = scheme_manager_client.post(url, {"file_format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_an_unknown_item_to_withhold_is_refused_and_nothing_is_exported(scheme_manager_client, person):
    offender, _referral, _visit = person
    url = reverse("audit:subject-access", args=[offender.public_id])
    response = scheme_manager_client.post(url, {"file_format": "json", "redact": ["visit-999999"]})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not AccessLogEntry.objects.filter(action="export").exists()
