"""Find-a-bedspace and the planned move-out date (placements.selectors.available_bedspaces): a
plan to stay past the licence holds the bed until then and its turnaround; a plan to leave early
frees nothing until the departure is recorded."""

from datetime import date, timedelta

import pytest

from placements.dates import free_from
from placements.selectors import available_bedspaces, occupancy_calendar
from placements.services import placement_end
from tests.clock import london
from tests.factories import MoveOnPlanFactory
from tests.moveon.helpers import in_residence

pytestmark = pytest.mark.django_db

# Thursday 3 December 2026. The occupant arrived on 23 November on a 28-day term: the licence ends
# on Monday 21 December; with no turnaround the bed is free from then.
TODAY = date(2026, 12, 3)


@pytest.fixture(autouse=True)
def _pinned(time_machine):
    time_machine.move_to(london(2026, 12, 3, 10, 30), tick=False)


@pytest.fixture
def occupied():
    placement = in_residence(days_in=10)
    placement.bedspace.property.turnaround_days = 0
    placement.bedspace.property.save()
    assert placement.ends_on == date(2026, 12, 21)
    return placement


def free_on(day: date, days: int = 7) -> bool:
    return bool(available_bedspaces(starts_on=day, ends_on=day + timedelta(days=days)))


def test_without_a_plan_the_bed_is_free_from_the_licence_end(occupied):
    assert free_on(date(2026, 12, 21)) and not free_on(date(2026, 12, 20))


def test_a_planned_move_out_after_the_licence_end_holds_the_bed_until_then(occupied):
    MoveOnPlanFactory(placement=occupied, planned_move_out_on=date(2026, 12, 30))
    assert not free_on(date(2026, 12, 21))
    assert not free_on(date(2026, 12, 29))
    assert free_on(date(2026, 12, 30))


def test_the_turnaround_counts_after_a_planned_move_out(occupied):
    # The turnaround's working days (placements.dates.free_from) follow the planned day.
    occupied.bedspace.property.turnaround_days = 2
    occupied.bedspace.property.save()
    MoveOnPlanFactory(placement=occupied, planned_move_out_on=date(2026, 12, 30))
    ready = free_from(date(2026, 12, 30), 2)
    assert not free_on(ready - timedelta(days=1))
    assert free_on(ready)


def test_a_planned_move_out_before_the_licence_end_frees_nothing_until_they_leave(occupied, iom_officer):
    MoveOnPlanFactory(placement=occupied, planned_move_out_on=date(2026, 12, 10))
    assert not free_on(date(2026, 12, 10))
    assert not free_on(date(2026, 12, 14))
    # They left on the planned day: now the bed is free from then.
    placement_end(
        placement_id=occupied.pk,
        departed_on=TODAY,
        reason="planned_move_on",
        destination="private_rent",
        by=iom_officer,
    )
    assert free_on(TODAY)


def test_the_calendar_shows_a_planned_stay_past_the_licence_as_occupied(occupied):
    MoveOnPlanFactory(placement=occupied, planned_move_out_on=date(2026, 12, 30))
    [calendar] = occupancy_calendar(property_=occupied.bedspace.property, today=TODAY)
    days = {day.date: day for week in calendar.weeks for day in week}
    assert days[date(2026, 12, 29)].state == "occupied"
    assert days[date(2026, 12, 30)].move_out and days[date(2026, 12, 30)].state != "occupied"
    assert not days[date(2026, 12, 21)].move_out
