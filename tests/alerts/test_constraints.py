"""The database's own rules for alerts: one unresolved alert per key; a resolved or acknowledged
alert has its date. Rows written directly (no services); each refusal is matched on the
constraint's name, so a test fails if some other rule does the refusing."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from alerts.models import Alert
from tests.factories import AlertFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("existing_status", [Alert.Status.OPEN, Alert.Status.ACKNOWLEDGED])
def test_second_unresolved_alert_with_the_same_key_is_refused(existing_status):
    AlertFactory(key="visit_missed:placement:1", status=existing_status)

    with pytest.raises(IntegrityError, match="alert_one_unresolved_per_key"), transaction.atomic():
        AlertFactory(key="visit_missed:placement:1")


def test_open_alert_with_the_key_of_a_resolved_one_is_allowed():
    AlertFactory(key="visit_missed:placement:1", status=Alert.Status.RESOLVED, resolved_at=timezone.now())
    AlertFactory(key="visit_missed:placement:1", status=Alert.Status.RESOLVED, resolved_at=timezone.now())
    AlertFactory(key="visit_missed:placement:1")

    assert Alert.objects.filter(key="visit_missed:placement:1").count() == 3


def test_update_reopening_a_resolved_alert_beside_an_open_one_is_refused():
    resolved = AlertFactory(
        key="visit_missed:placement:1", status=Alert.Status.RESOLVED, resolved_at=timezone.now()
    )
    AlertFactory(key="visit_missed:placement:1")

    with pytest.raises(IntegrityError, match="alert_one_unresolved_per_key"), transaction.atomic():
        Alert.objects.filter(pk=resolved.pk).update(status=Alert.Status.OPEN)


def test_resolved_alert_without_a_resolution_date_is_refused():
    with pytest.raises(IntegrityError, match="alert_resolved_has_date"), transaction.atomic():
        AlertFactory(status=Alert.Status.RESOLVED, resolved_at=None)


def test_acknowledged_alert_without_its_date_is_refused():
    with pytest.raises(IntegrityError, match="alert_acknowledged_has_date"), transaction.atomic():
        AlertFactory(status=Alert.Status.ACKNOWLEDGED, acknowledged_at=None)


def test_alert_status_outside_the_list_is_refused():
    with pytest.raises(IntegrityError, match="alert_status_valid"), transaction.atomic():
        AlertFactory(status="closed")


@pytest.mark.parametrize("status", [Alert.Status.OPEN, Alert.Status.ACKNOWLEDGED])
def test_unresolved_alert_needs_no_resolution_date(status):
    assert AlertFactory(status=status).resolved_at is None
