"""Non-arrival and cancelling: a booking released before the person arrived frees the bedspace for
the same dates."""

import pytest

from placements import selectors
from placements.models import Placement
from placements.services import placement_cancel, placement_confirm, placement_not_arrived
from tests.placements.helpers import (
    accepted_referral,
    book,
    days,
    make_bedspace,
    make_placement,
    refused,
    today,
)

pytestmark = pytest.mark.django_db

Status = Placement.Status


def test_non_arrival_frees_the_bedspace_for_the_same_dates(iom_officer):
    bedspace = make_bedspace()
    start = today() + days(2)
    placement = book(accepted_referral(), bedspace, start, iom_officer)
    assert bedspace not in selectors.available_bedspaces(starts_on=start, ends_on=start + days(28))

    placement_not_arrived(placement_id=placement.pk, notes="Stayed with family.", by=iom_officer)

    placement.refresh_from_db()
    assert placement.status == Status.NOT_ARRIVED
    assert placement.notes == "Stayed with family."
    assert bedspace in selectors.available_bedspaces(starts_on=start, ends_on=start + days(28))
    assert book(accepted_referral(), bedspace, start, iom_officer).status == Status.PROVISIONAL


def test_cancelling_frees_the_bedspace_for_the_same_dates(iom_officer):
    bedspace = make_bedspace()
    start = today() + days(2)
    placement = book(accepted_referral(), bedspace, start, iom_officer)
    placement_confirm(placement_id=placement.pk, by=iom_officer)

    placement_cancel(placement_id=placement.pk, reason="  Recalled to custody.  ", by=iom_officer)

    placement.refresh_from_db()
    assert placement.status == Status.CANCELLED
    assert placement.cancellation_reason == "Recalled to custody."
    assert bedspace in selectors.available_bedspaces(starts_on=start, ends_on=start + days(28))
    assert book(accepted_referral(), bedspace, start, iom_officer).status == Status.PROVISIONAL


@pytest.mark.parametrize("reason", ["", "   "])
def test_cancelling_needs_a_reason(iom_officer, reason):
    placement = book(accepted_referral(), make_bedspace(), today(), iom_officer)

    error = refused(placement_cancel, placement_id=placement.pk, reason=reason, by=iom_officer)

    assert list(error.message_dict) == ["reason"]


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.ENDED, Status.CANCELLED, Status.NOT_ARRIVED])
def test_cancelling_is_refused_once_arrived_or_released(iom_officer, status):
    placement = make_placement(make_bedspace(), starts_on=today() - days(5), length=3, status=status)

    error = refused(placement_cancel, placement_id=placement.pk, reason="Changed plans.", by=iom_officer)

    assert error.code == "wrong_status"


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.ENDED, Status.CANCELLED, Status.NOT_ARRIVED])
def test_non_arrival_is_refused_once_arrived_or_released(iom_officer, status):
    placement = make_placement(make_bedspace(), starts_on=today() - days(5), length=3, status=status)

    error = refused(placement_not_arrived, placement_id=placement.pk, by=iom_officer)

    assert error.code == "wrong_status"
