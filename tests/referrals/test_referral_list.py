"""The referral queue at scale: read in its order from an index, and counted only so far."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from placements.models import PlacementStatus
from referrals.models import Referral
from referrals.selectors import referral_list
from tests.factories import OffenderFactory, PlacementFactory, ReferralFactory

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


def _accepted(days_ago: int, **fields) -> Referral:
    decided = timezone.now() - timedelta(days=days_ago)
    return ReferralFactory(
        status=Referral.Status.ACCEPTED,
        submitted_at=decided - timedelta(hours=2),
        decided_at=decided,
        **fields,
    )


def test_accepted_referrals_waiting_for_a_bedspace_have_their_own_queue(iom_officer_client):
    routine = _accepted(9)
    newer_routine = _accepted(2)
    emergency = _accepted(1, urgency=Referral.Urgency.EMERGENCY, wanted_from=timezone.localdate())
    booked = _accepted(5)
    PlacementFactory(referral=booked, offender=booked.offender, status=PlacementStatus.PROVISIONAL)
    cancelled = _accepted(4)
    PlacementFactory(
        referral=cancelled,
        offender=cancelled.offender,
        status=PlacementStatus.CANCELLED,
        cancellation_reason="Bed no longer free.",
    )
    placed = _accepted(30)
    PlacementFactory(
        referral=placed,
        offender=placed.offender,
        status=PlacementStatus.ACTIVE,
        arrived_on=timezone.localdate() - timedelta(days=20),
        starts_on=timezone.localdate() - timedelta(days=20),
    )
    ReferralFactory(status=Referral.Status.DECLINED, decline_reason="not_eligible")
    ReferralFactory()
    waiting = [emergency, routine, cancelled, newer_routine]
    # Emergencies first, then the longest waiting since the decision; a cancelled booking waits again.
    response = iom_officer_client.get(reverse("referrals:referral-list"), {"status": "waiting_for_bedspace"})
    assert list(response.context["page"].object_list) == [emergency, routine, cancelled, newer_routine]
    dashboard = iom_officer_client.get(reverse("placements:dashboard"))
    assert dashboard.context["for_bedspace"] == waiting and dashboard.context["for_bedspace_count"] == 4
    content = dashboard.content.decode()
    section = content.split("Accepted, waiting for a bedspace (4)")[1].split("<h2")[0]
    assert "9 days" in section and "1 day<" in section
    assert section.index(emergency.offender.full_name) < section.index(routine.offender.full_name)
    assert placed.offender.full_name not in section and booked.offender.full_name not in section


def test_referrals_are_found_by_the_persons_name_or_identifier(iom_officer_client):
    sion = ReferralFactory(
        offender=OffenderFactory(first_name="Siôn", last_name="Carter", pnc_id="2008/3749382C")
    )
    ReferralFactory(offender=OffenderFactory(first_name="Rhys", last_name="Pritchard"))
    url = reverse("referrals:referral-list")
    for q in ("sion", "Sion carter", "JOHN", "2008/3749382C"):
        response = iom_officer_client.get(url, {"q": q, "status": "all"})
        assert list(response.context["page"].object_list) == [sion], q
    assert (
        list(
            iom_officer_client.get(url, {"q": "sion pritchard", "status": "all"}).context["page"].object_list
        )
        == []
    )


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
