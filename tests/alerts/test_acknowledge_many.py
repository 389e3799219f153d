"""Acknowledging several alerts at once from the alerts page: choose, add one note, confirm; all of
them or none."""

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts.models import Alert
from audit.models import AccessLogEntry
from tests.factories import AlertFactory, OffenderFactory

pytestmark = pytest.mark.django_db

URL = reverse("alerts:acknowledge-many")


@pytest.fixture
def alerts():
    return [
        AlertFactory(offender=OffenderFactory(last_name=name))
        for name in ("Quillfeather", "Brackenbury", "Other")
    ]


def test_an_officer_chooses_alerts_adds_a_note_and_confirms(iom_officer_client, iom_officer, alerts):
    first, second, third = alerts
    page = iom_officer_client.get(reverse("alerts:list")).content.decode()
    assert f'name="alerts" type="checkbox" value="{first.pk}"' in page
    chosen = iom_officer_client.post(URL, {"alerts": [first.pk, second.pk]})
    content = chosen.content.decode()
    assert chosen.status_code == 200 and "Acknowledge 2 alerts" in content
    assert "Quillfeather" in content and "Brackenbury" in content and third.offender.full_name not in content
    # The people named on the confirmation page are in the access log.
    assert AccessLogEntry.objects.filter(
        offender_ids__contains=[first.offender_id, second.offender_id]
    ).exists()
    done = iom_officer_client.post(
        URL,
        {"alerts": [first.pk, second.pk], "note": "Both in hand with probation.", "confirm": "1"},
        follow=True,
    )
    assert "2 alerts acknowledged" in done.content.decode()
    acknowledged = Alert.objects.filter(status=Alert.Status.ACKNOWLEDGED)
    assert {a.pk for a in acknowledged} == {first.pk, second.pk}
    assert {(a.acknowledged_by, a.acknowledgement_note) for a in acknowledged} == {
        (iom_officer, "Both in hand with probation.")
    }
    assert Alert.objects.get(pk=third.pk).status == Alert.Status.OPEN


def test_one_taken_in_hand_meanwhile_means_choosing_again_and_none_is_changed(iom_officer_client, alerts):
    first, second, _third = alerts
    Alert.objects.filter(pk=second.pk).update(status=Alert.Status.RESOLVED, resolved_at=timezone.now())
    response = iom_officer_client.post(URL, {"alerts": [first.pk, second.pk], "confirm": "1"})
    assert response.status_code == 200
    assert "1 of these alerts is no longer open" in response.content.decode()
    assert Alert.objects.get(pk=first.pk).status == Alert.Status.OPEN


def test_nothing_chosen_goes_back_with_a_message(iom_officer_client):
    response = iom_officer_client.post(URL, {"alerts": ["x"]}, follow=True)
    assert "Select the alerts to acknowledge." in response.content.decode()


def test_agency_workers_cannot_acknowledge(agency_worker_client, alerts):
    assert agency_worker_client.post(URL, {"alerts": [alerts[0].pk], "confirm": "1"}).status_code == 403
    assert Alert.objects.filter(status=Alert.Status.OPEN).count() == 3
