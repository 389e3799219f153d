"""The referral queue at scale: read in its order from an index, and counted only so far."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from referrals.models import Referral
from referrals.selectors import referral_list
from tests.factories import OffenderFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def test_the_queue_lists_emergencies_first_then_the_oldest(iom_officer_client):
    now = timezone.now()
    routine = ReferralFactory(submitted_at=now - timedelta(days=3))
    urgent = ReferralFactory(urgency=Referral.Urgency.URGENT, submitted_at=now - timedelta(days=1))
    emergency = ReferralFactory(urgency=Referral.Urgency.EMERGENCY, submitted_at=now)
    older_urgent = ReferralFactory(urgency=Referral.Urgency.URGENT, submitted_at=now - timedelta(days=2))
    ReferralFactory(status=Referral.Status.ACCEPTED)
    response = iom_officer_client.get(reverse("referrals:referral-list"))
    assert list(response.context["page"].object_list) == [emergency, older_urgent, urgent, routine]


def test_a_long_list_is_counted_only_so_far(iom_officer_client, monkeypatch):
    monkeypatch.setattr("referrals.views.COUNT_UP_TO", 3)
    for _ in range(4):
        ReferralFactory()
    response = iom_officer_client.get(reverse("referrals:referral-list"))
    assert "More than 3 referrals. Filter by status, agency or urgency" in response.content.decode()
    assert len(response.context["page"].object_list) == 3
    Referral.objects.first().delete()
    response = iom_officer_client.get(reverse("referrals:referral-list"))
    assert "3 referrals" in response.content.decode()
    assert "More than" not in response.content.decode()


def test_a_long_list_of_people_is_counted_only_so_far(iom_officer_client, monkeypatch):
    monkeypatch.setattr("referrals.views.COUNT_UP_TO", 2)
    for name in ("Evans", "Evanson", "Bevan"):
        OffenderFactory(last_name=name)
    response = iom_officer_client.get(reverse("referrals:offender-list"), {"q": "evan"})
    assert "More than 2 people. Search by name, PNC ID or CRN" in response.content.decode()
    response = iom_officer_client.get(reverse("referrals:offender-list"), {"q": "evans"})
    assert "2 people" in response.content.decode()


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # A handful of test rows would be read in full; ask what PostgreSQL would do with many.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_queue_is_read_in_order_from_its_indexes(iom_officer):
    assert "referral_queue_idx" in _plan(referral_list(user=iom_officer)[:25])
    assert "referral_queue_all_idx" in _plan(referral_list(user=iom_officer, status="all")[:25])
