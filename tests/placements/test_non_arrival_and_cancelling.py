"""Non-arrival and cancelling: a booking released before the person arrived frees the bedspace for
the same dates."""

import pytest

from placements import selectors
from placements.models import Placement
from placements.services import placement_cancel, placement_confirm, placement_not_arrived
from tests.placements import helpers as h

pytestmark = pytest.mark.django_db

Status = Placement.Status


def test_non_arrival_frees_the_bedspace_for_the_same_dates(iom_officer):
    bedspace = h.make_bedspace()
    start = h.today() + h.days(2)
    placement = h.book(h.accepted_referral(), bedspace, start, iom_officer)
    assert bedspace not in selectors.available_bedspaces(starts_on=start, ends_on=start + h.days(28))

    placement_not_arrived(placement_id=placement.pk, notes="Stayed with family.", by=iom_officer)

    placement.refresh_from_db()
    assert placement.status == Status.NOT_ARRIVED
    assert placement.notes == "Stayed with family."
    assert bedspace in selectors.available_bedspaces(starts_on=start, ends_on=start + h.days(28))
    assert h.book(h.accepted_referral(), bedspace, start, iom_officer).status == Status.PROVISIONAL


def test_cancelling_frees_the_bedspace_for_the_same_dates(iom_officer):
    bedspace = h.make_bedspace()
    start = h.today() + h.days(2)
    placement = h.book(h.accepted_referral(), bedspace, start, iom_officer)
    placement_confirm(placement_id=placement.pk, by=iom_officer)

    placement_cancel(placement_id=placement.pk, reason="  Recalled to custody.  ", by=iom_officer)

    placement.refresh_from_db()
    assert placement.status == Status.CANCELLED
    assert placement.cancellation_reason == "Recalled to custody."
    assert bedspace in selectors.available_bedspaces(starts_on=start, ends_on=start + h.days(28))
    assert h.book(h.accepted_referral(), bedspace, start, iom_officer).status == Status.PROVISIONAL


@pytest.mark.parametrize("reason", ["", "   "])
def test_cancelling_needs_a_reason(iom_officer, reason):
    placement = h.book(h.accepted_referral(), h.make_bedspace(), h.today(), iom_officer)

    error = h.refused(placement_cancel, placement_id=placement.pk, reason=reason, by=iom_officer)

    assert list(error.message_dict) == ["reason"]


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.ENDED, Status.CANCELLED, Status.NOT_ARRIVED])
def test_cancelling_is_refused_once_arrived_or_released(iom_officer, status):
    placement = h.make_placement(h.make_bedspace(), starts_on=h.today() - h.days(5), length=3, status=status)

    error = h.refused(placement_cancel, placement_id=placement.pk, reason="Changed plans.", by=iom_officer)

    assert error.code == "wrong_status"


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.ENDED, Status.CANCELLED, Status.NOT_ARRIVED])
def test_non_arrival_is_refused_once_arrived_or_released(iom_officer, status):
    placement = h.make_placement(h.make_bedspace(), starts_on=h.today() - h.days(5), length=3, status=status)

    error = h.refused(placement_not_arrived, placement_id=placement.pk, by=iom_officer)

    assert error.code == "wrong_status"
