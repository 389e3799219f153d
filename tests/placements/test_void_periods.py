"""Void periods (`void_add`, `void_end`): a bedspace out of use for repairs and the like, never
over a placement or its turnaround."""

import pytest

from placements import selectors
from placements.models import VoidPeriod
from placements.services import void_add, void_end
from tests.factories import VoidPeriodFactory
from tests.placements import helpers as h

pytestmark = pytest.mark.django_db


def test_adding_a_void_period_takes_the_bedspace_out_of_use(iom_officer):
    bedspace = h.make_bedspace()

    void = void_add(
        bedspace_id=bedspace.pk,
        starts_on=h.today() + h.days(1),
        ends_on=h.today() + h.days(8),
        reason=VoidPeriod.Reason.REPAIRS,
        notes="Boiler.",
        by=iom_officer,
    )

    void.refresh_from_db()
    assert (void.bedspace, void.starts_on, void.ends_on) == (
        bedspace,
        h.today() + h.days(1),
        h.today() + h.days(8),
    )
    assert void.reason == VoidPeriod.Reason.REPAIRS
    assert void.notes == "Boiler."
    assert void.created_by == iom_officer
    assert bedspace not in selectors.available_bedspaces(starts_on=h.today(), ends_on=h.today() + h.days(3))


def test_adding_an_open_ended_void_period_is_allowed(iom_officer):
    void = void_add(
        bedspace_id=h.make_bedspace().pk,
        starts_on=h.today(),
        ends_on=None,
        reason=VoidPeriod.Reason.SAFETY,
        by=iom_officer,
    )

    assert void.ends_on is None


def test_void_over_a_placement_is_refused_naming_it(iom_officer):
    bedspace = h.make_bedspace()
    placement = h.make_placement(bedspace, starts_on=h.today(), length=14)

    error = h.refused(
        void_add,
        bedspace_id=bedspace.pk,
        starts_on=h.today() + h.days(5),
        ends_on=h.today() + h.days(7),
        reason=VoidPeriod.Reason.DAMAGE,
        by=iom_officer,
    )

    assert list(error.message_dict) == ["starts_on"]
    assert h.long_date(placement.starts_on) in h.text(error)


def test_void_in_a_placements_turnaround_is_refused(iom_officer):
    bedspace = h.make_bedspace(turnaround=2)
    placement = h.make_placement(bedspace, starts_on=h.today(), length=14)

    h.refused(
        void_add,
        bedspace_id=bedspace.pk,
        starts_on=placement.ends_on,
        ends_on=placement.ends_on + h.days(1),
        reason=VoidPeriod.Reason.DEEP_CLEAN,
        by=iom_officer,
    )


def test_open_ended_void_before_a_later_booking_is_refused(iom_officer):
    bedspace = h.make_bedspace()
    h.make_placement(bedspace, starts_on=h.today() + h.days(30))

    h.refused(
        void_add,
        bedspace_id=bedspace.pk,
        starts_on=h.today(),
        ends_on=None,
        reason=VoidPeriod.Reason.REPAIRS,
        by=iom_officer,
    )


def test_void_from_the_day_a_placement_frees_the_bedspace_is_allowed(iom_officer):
    bedspace = h.make_bedspace(turnaround=2)
    placement = h.make_placement(bedspace, starts_on=h.today(), length=14)

    void = void_add(
        bedspace_id=bedspace.pk,
        starts_on=placement.free_from,
        ends_on=None,
        reason=VoidPeriod.Reason.REPAIRS,
        by=iom_officer,
    )

    assert void.starts_on == placement.free_from


def test_void_over_another_void_is_refused(iom_officer):
    bedspace = h.make_bedspace()
    existing = VoidPeriodFactory(bedspace=bedspace, starts_on=h.today(), ends_on=h.today() + h.days(10))

    error = h.refused(
        void_add,
        bedspace_id=bedspace.pk,
        starts_on=h.today() + h.days(9),
        ends_on=h.today() + h.days(12),
        reason=VoidPeriod.Reason.REPAIRS,
        by=iom_officer,
    )

    assert h.long_date(existing.starts_on) in h.text(error)


@pytest.mark.parametrize(
    ("ends_in", "reason", "field"),
    [
        (5, "flood", "reason"),
        (5, "", "reason"),
        (0, VoidPeriod.Reason.REPAIRS, "ends_on"),
        (-1, "repairs", "ends_on"),
    ],
)
def test_void_with_a_bad_reason_or_dates_is_refused(iom_officer, ends_in, reason, field):
    error = h.refused(
        void_add,
        bedspace_id=h.make_bedspace().pk,
        starts_on=h.today(),
        ends_on=h.today() + h.days(ends_in),
        reason=reason,
        by=iom_officer,
    )

    assert list(error.message_dict) == [field]


def test_ending_a_void_early_puts_the_bedspace_back_in_use(iom_officer):
    bedspace = h.make_bedspace()
    void = VoidPeriodFactory(
        bedspace=bedspace, starts_on=h.today() - h.days(3), ends_on=h.today() + h.days(20)
    )

    void_end(void_id=void.pk, ends_on=h.today() + h.days(1), by=iom_officer)

    void.refresh_from_db()
    assert void.ends_on == h.today() + h.days(1)
    assert h.book(
        h.accepted_referral(), bedspace, h.today() + h.days(1), iom_officer
    ).starts_on == h.today() + h.days(1)


def test_an_open_ended_void_can_be_given_an_end(iom_officer):
    void = VoidPeriodFactory(bedspace=h.make_bedspace(), starts_on=h.today() - h.days(3), ends_on=None)

    void_end(void_id=void.pk, ends_on=h.today() + h.days(30), by=iom_officer)

    void.refresh_from_db()
    assert void.ends_on == h.today() + h.days(30)


def test_a_void_cannot_be_lengthened(iom_officer):
    void = VoidPeriodFactory(bedspace=h.make_bedspace(), starts_on=h.today(), ends_on=h.today() + h.days(5))

    error = h.refused(void_end, void_id=void.pk, ends_on=h.today() + h.days(6), by=iom_officer)

    assert "not lengthened" in h.text(error)


@pytest.mark.parametrize("before", [0, 1])
def test_a_void_cannot_end_on_or_before_its_start(iom_officer, before):
    void = VoidPeriodFactory(bedspace=h.make_bedspace(), starts_on=h.today(), ends_on=h.today() + h.days(5))

    error = h.refused(void_end, void_id=void.pk, ends_on=h.today() - h.days(before), by=iom_officer)

    assert h.long_date(void.starts_on) in h.text(error)
