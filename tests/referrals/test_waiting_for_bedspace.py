"""The referrals waiting for a bedspace are kept by database triggers (`WaitingReferral`,
referrals migration 0017): after any sequence of changes to referrals and placements, the list is
exactly the accepted referrals with no booking held on them, worked out from scratch."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from placements.models import Placement
from referrals.models import Referral, WaitingReferral
from tests.factories import BedspaceFactory, PlacementFactory, ReferralFactory

pytestmark = pytest.mark.django_db

STATUSES = [
    Referral.Status.SUBMITTED,
    Referral.Status.ACCEPTED,
    Referral.Status.DECLINED,
    Referral.Status.WITHDRAWN,
]
PLACEMENT_STATUSES = [
    Placement.Status.PROVISIONAL,
    Placement.Status.CONFIRMED,
    Placement.Status.CANCELLED,
    Placement.Status.NOT_ARRIVED,
]


def _waiting_by_definition() -> set[int]:
    held = Placement.objects.filter(referral=OuterRef("pk")).exclude(status__in=Placement.RELEASED_STATUSES)
    return set(
        Referral.objects.filter(status=Referral.Status.ACCEPTED)
        .exclude(Exists(held))
        .values_list("pk", flat=True)
    )


def _kept() -> set[int]:
    return set(WaitingReferral.objects.values_list("referral_id", flat=True))


def _referral_status(referral: Referral, status: str) -> None:
    reason = "Not suitable" if status == Referral.Status.DECLINED else ""
    decided = None if status == Referral.Status.SUBMITTED else referral.submitted_at + timedelta(hours=1)
    Referral.objects.filter(pk=referral.pk).update(status=status, decline_reason=reason, decided_at=decided)


def _placement_status(placement: Placement, status: str) -> None:
    reason = "Bedspace no longer needed" if status == Placement.Status.CANCELLED else ""
    Placement.objects.filter(pk=placement.pk).update(status=status, cancellation_reason=reason)


def test_accepting_booking_cancelling_and_rebooking_keep_the_list():
    referral = ReferralFactory(status=Referral.Status.SUBMITTED)
    assert _kept() == set()
    _referral_status(referral, Referral.Status.ACCEPTED)
    assert _kept() == {referral.pk}
    booking = PlacementFactory(referral=referral, offender=referral.offender)
    assert _kept() == set()
    _placement_status(booking, Placement.Status.CANCELLED)
    assert _kept() == {referral.pk}  # a cancelled booking puts it back in the queue
    again = PlacementFactory(
        referral=referral, offender=referral.offender, starts_on=date.today() + timedelta(days=60)
    )
    assert _kept() == set()
    _placement_status(again, Placement.Status.NOT_ARRIVED)
    assert _kept() == {referral.pk}  # so does a no-show
    Placement.objects.filter(referral=referral).delete()
    referral.delete()
    assert _kept() == set()


@hyp_settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["referral_status", "book", "placement_status", "move", "unlink", "delete"]),
            st.integers(0, 2),
            st.integers(0, 3),
        ),
        max_size=12,
    )
)
def test_the_list_is_what_its_definition_says_after_any_changes(steps):
    Placement.objects.all().delete()
    Referral.objects.all().delete()
    referrals = [ReferralFactory(status=Referral.Status.ACCEPTED) for _ in range(3)]
    bedspace = BedspaceFactory()
    placements: list[Placement] = []
    for n, (step, which, choice) in enumerate(steps):
        try:
            # A change the database refuses (a second live booking on a referral) changes nothing.
            with transaction.atomic():
                _change(step, referrals[which], which, choice, n, bedspace, placements)
        except IntegrityError:
            pass
        assert _kept() == _waiting_by_definition(), steps[: n + 1]


def _change(step, referral, which, choice, n, bedspace, placements) -> None:
    if step == "referral_status":
        _referral_status(referral, STATUSES[choice])
    elif step == "book":
        # A month apart on one bedspace, so no two bookings overlap.
        placements.append(
            PlacementFactory(
                referral=referral,
                offender=referral.offender,
                bedspace=bedspace,
                starts_on=date(2026, 1, 1) + timedelta(days=40 * n),
            )
        )
    elif placements:
        placement = placements[choice % len(placements)]
        if step == "placement_status":
            _placement_status(placement, PLACEMENT_STATUSES[which % len(PLACEMENT_STATUSES)])
        elif step == "move":
            Placement.objects.filter(pk=placement.pk).update(referral=referral, offender=referral.offender)
        elif step == "unlink":
            Placement.objects.filter(pk=placement.pk).update(referral=None)
        else:
            Placement.objects.filter(pk=placement.pk).delete()
            placements.remove(placement)
