"""Reading availability and occupancy: free bedspaces for a stay, today's occupancy, placements
ending or overrunning, and each bedspace's calendar.

The selectors take the dates they work on, so these tests use fixed dates; the stored `free_from`
of each placement is computed as the services compute it.
"""

from datetime import date, timedelta

import pytest

from iom_housing.access import Role
from placements.areas import CEREDIGION
from placements.dates import free_from
from placements.models import Bedspace, Placement, Property
from placements.selectors import (
    available_bedspaces,
    occupancy_calendar,
    occupancy_today,
    placements_ending,
    placements_overrun,
)
from tests.factories import (
    BedspaceFactory,
    OffenderFactory,
    PropertyExclusionFactory,
    PropertyFactory,
    VoidPeriodFactory,
)
from tests.helpers import user_with_role
from tests.placements import helpers

pytestmark = pytest.mark.django_db

Status = Placement.Status
TODAY = date(2026, 3, 4)  # a Wednesday, clear of bank holidays
START = date(2026, 3, 9)  # a stay searched for: Monday 9 March for 14 days
END = START + timedelta(days=14)


def days(n: int) -> timedelta:
    return timedelta(days=n)


def make_bedspace(*, turnaround: int = 2, label: str | None = None, **property_fields) -> Bedspace:
    extra = {"label": label} if label else {}
    return BedspaceFactory(property=PropertyFactory(turnaround_days=turnaround, **property_fields), **extra)


def make_placement(bedspace: Bedspace, **fields) -> Placement:
    """A placement as tests/placements/helpers.py writes one, but without a licence term."""
    return helpers.make_placement(bedspace, with_term=False, **fields)


def available(**filters) -> list[Bedspace]:
    return available_bedspaces(starts_on=START, ends_on=END, **filters)


# --- available_bedspaces ------------------------------------------------------------------------


def test_free_bedspaces_are_listed_by_property_and_label():
    b = make_bedspace(name="B House", label="Flat 1")
    a2 = BedspaceFactory(property=PropertyFactory(name="A House"), label="Flat 2")
    a1 = BedspaceFactory(property=a2.property, label="Flat 1")

    assert available() == [a1, a2, b]


@pytest.mark.parametrize("status", [Status.PROVISIONAL, Status.CONFIRMED, Status.ACTIVE, Status.ENDED])
def test_a_bedspace_booked_or_occupied_over_the_stay_is_not_available(status):
    bedspace = make_bedspace()
    make_placement(bedspace, starts_on=START - days(10), length=12, status=status)

    assert bedspace not in available()


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.NOT_ARRIVED])
def test_a_cancelled_or_not_arrived_booking_does_not_hold_the_bedspace(status):
    bedspace = make_bedspace()
    make_placement(bedspace, starts_on=START, status=status)

    assert available() == [bedspace]


def test_a_bedspace_in_turnaround_when_the_stay_starts_is_not_available():
    bedspace = make_bedspace(turnaround=2)
    make_placement(bedspace, starts_on=START - days(14), length=14)  # ends on START, free two working days on

    assert bedspace not in available()


def test_a_bedspace_is_available_from_the_day_its_turnaround_ends():
    bedspace = make_bedspace(turnaround=2)
    previous = make_placement(bedspace, starts_on=START - days(20), length=14)

    assert bedspace in available_bedspaces(starts_on=previous.free_from, ends_on=previous.free_from + days(7))
    assert bedspace not in available_bedspaces(
        starts_on=previous.free_from - days(1), ends_on=previous.free_from + days(7)
    )


def test_a_bedspace_whose_next_booking_starts_within_the_stays_turnaround_is_not_available():
    bedspace = make_bedspace(turnaround=2)
    make_placement(bedspace, starts_on=END + days(1))  # after the stay, but before its turnaround is over

    assert bedspace not in available()


def test_a_bedspace_whose_next_booking_starts_when_the_stays_turnaround_ends_is_available():
    bedspace = make_bedspace(turnaround=2)
    make_placement(bedspace, starts_on=free_from(END, 2))

    assert available() == [bedspace]


def test_turnaround_is_counted_in_working_days_over_easter():
    # A stay ending on Thursday 2 April 2026 takes Tuesday 7 April (after Good Friday, the weekend
    # and Easter Monday) for a one-day turnaround: a booking from Wednesday 8 April fits, one from
    # Tuesday 7 April does not.
    fits = make_bedspace(turnaround=1)
    make_placement(fits, starts_on=date(2026, 4, 8))
    clashes = make_bedspace(turnaround=1)
    make_placement(clashes, starts_on=date(2026, 4, 7))

    assert available_bedspaces(starts_on=date(2026, 3, 20), ends_on=date(2026, 4, 2)) == [fits]


def test_a_bedspace_void_during_the_stay_is_not_available():
    bedspace = make_bedspace()
    VoidPeriodFactory(bedspace=bedspace, starts_on=END - days(1), ends_on=END + days(3))

    assert bedspace not in available()


def test_a_bedspace_under_an_open_ended_void_is_not_available():
    bedspace = make_bedspace()
    VoidPeriodFactory(bedspace=bedspace, starts_on=START - days(30), ends_on=None)

    assert bedspace not in available()


def test_a_bedspace_back_in_use_on_the_day_the_stay_starts_is_available():
    bedspace = make_bedspace()
    VoidPeriodFactory(bedspace=bedspace, starts_on=START - days(7), ends_on=START)

    assert available() == [bedspace]


def test_a_bedspace_void_only_after_the_stay_and_its_turnaround_is_available():
    bedspace = make_bedspace(turnaround=2)
    VoidPeriodFactory(bedspace=bedspace, starts_on=free_from(END, 2), ends_on=None)

    assert available() == [bedspace]


def test_a_bedspace_void_during_the_stays_turnaround_is_not_available():
    bedspace = make_bedspace(turnaround=2)
    VoidPeriodFactory(bedspace=bedspace, starts_on=END, ends_on=END + days(7))

    assert bedspace not in available()


def test_a_bedspace_whose_occupant_is_overrunning_is_not_available():
    bedspace = make_bedspace()
    make_placement(bedspace, starts_on=START - days(40), length=20, status=Status.ACTIVE)  # ended 20 days ago

    assert bedspace not in available()


def test_bedspaces_not_in_use_are_not_available():
    in_use = make_bedspace()
    BedspaceFactory(property=in_use.property, active=False)
    closed = make_bedspace()
    Property.objects.filter(pk=closed.property_id).update(active=False)

    assert available() == [in_use]


def test_availability_can_be_filtered_by_area():
    ceredigion = make_bedspace(local_authority="Ceredigion")
    make_bedspace(local_authority="Powys")

    assert available(area=CEREDIGION) == [ceredigion]


def test_availability_can_be_filtered_by_restriction():
    women = make_bedspace(restriction=Property.Restriction.WOMEN_ONLY)
    men = make_bedspace(restriction=Property.Restriction.MEN_ONLY)
    make_bedspace(restriction=Property.Restriction.NONE)

    assert available(restriction="women_only") == [women]
    assert available(restriction="men_only") == [men]
    assert len(available()) == 3


def test_availability_can_be_limited_to_accessible_properties():
    step_free = make_bedspace(accessible=True)
    make_bedspace(accessible=False)

    assert available(accessible=True) == [step_free]


def test_properties_excluded_for_the_person_are_not_offered_to_them():
    person = OffenderFactory()
    excluded = make_bedspace()
    suitable = make_bedspace()
    PropertyExclusionFactory(property=excluded.property, offender=person)
    PropertyExclusionFactory(property=suitable.property)  # someone else's exclusion

    assert available(offender=person) == [suitable]
    assert available() == [excluded, suitable]


def test_availability_is_one_query_however_many_bedspaces(django_assert_num_queries):
    for _ in range(3):
        make_placement(make_bedspace(), starts_on=END + days(1))  # candidates the Python step turns down
    for _ in range(3):
        make_bedspace()

    with django_assert_num_queries(1):
        assert len(available()) == 3


# --- occupancy_today ----------------------------------------------------------------------------


def test_occupancy_today_counts_occupied_void_and_available_bedspaces():
    occupied = make_bedspace()
    make_placement(occupied, starts_on=TODAY - days(5), status=Status.ACTIVE)
    overrunning = make_bedspace()
    make_placement(overrunning, starts_on=TODAY - days(30), length=20, status=Status.ACTIVE)
    void = make_bedspace()
    VoidPeriodFactory(bedspace=void, starts_on=TODAY - days(1), ends_on=None)
    booked = make_bedspace()
    make_placement(booked, starts_on=TODAY + days(1))
    left = make_bedspace()
    make_placement(left, starts_on=TODAY - days(30), length=20, status=Status.ENDED)
    make_bedspace()  # empty
    BedspaceFactory(active=False)
    closed = make_bedspace()
    Property.objects.filter(pk=closed.property_id).update(active=False)

    occupancy = occupancy_today(today=TODAY)

    assert (occupancy.bedspaces, occupancy.occupied, occupancy.void) == (6, 2, 1)
    assert occupancy.available == 3


def test_a_void_ending_today_or_starting_tomorrow_is_not_counted_today():
    VoidPeriodFactory(bedspace=make_bedspace(), starts_on=TODAY - days(5), ends_on=TODAY)
    VoidPeriodFactory(bedspace=make_bedspace(), starts_on=TODAY + days(1), ends_on=None)

    assert occupancy_today(today=TODAY).void == 0


def test_an_occupied_bedspace_under_a_void_counts_once_as_occupied():
    bedspace = make_bedspace()
    make_placement(bedspace, starts_on=TODAY - days(5), status=Status.ACTIVE)
    # Written directly: the services refuse a void over a placement, but data may predate them.
    VoidPeriodFactory(bedspace=bedspace, starts_on=TODAY - days(40), ends_on=TODAY - days(30))
    VoidPeriodFactory(bedspace=bedspace, starts_on=TODAY - days(1), ends_on=TODAY + days(1))

    occupancy = occupancy_today(today=TODAY)

    assert (occupancy.bedspaces, occupancy.occupied, occupancy.void, occupancy.available) == (1, 1, 0, 0)


# --- Overrun and ending soon --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "ends_in", "overrun"),
    [
        (Status.ACTIVE, -1, True),
        (Status.ACTIVE, 0, False),  # the last licensed night was last night: leaving today is on time
        (Status.ACTIVE, 1, False),
        (Status.CONFIRMED, -1, False),
        (Status.ENDED, -1, False),
    ],
)
def test_only_an_active_placement_past_its_licence_end_is_overrun(status, ends_in, overrun):
    placement = make_placement(
        make_bedspace(), starts_on=TODAY + days(ends_in) - days(14), length=14, status=status
    )

    assert placement.is_overrun(TODAY) is overrun


def test_overrunning_placements_are_listed_earliest_first(iom_officer):
    bedspace = make_bedspace
    late = make_placement(bedspace(), starts_on=TODAY - days(20), length=19, status=Status.ACTIVE)
    later = make_placement(bedspace(), starts_on=TODAY - days(30), length=20, status=Status.ACTIVE)
    make_placement(bedspace(), starts_on=TODAY - days(20), length=20, status=Status.ACTIVE)  # ends today
    make_placement(
        bedspace(), starts_on=TODAY - days(30), length=20, status=Status.CONFIRMED
    )  # never arrived
    make_placement(bedspace(), starts_on=TODAY - days(30), length=20, status=Status.ENDED)

    listed = list(placements_overrun(user=iom_officer, today=TODAY))

    assert listed == [later, late]
    assert all(p.is_overrun(TODAY) for p in listed)


def test_placements_ending_within_a_week_are_listed_soonest_first(iom_officer):
    bedspace = make_bedspace
    in_seven = make_placement(bedspace(), starts_on=TODAY - days(21), length=28, status=Status.ACTIVE)
    today = make_placement(bedspace(), starts_on=TODAY - days(10), length=10, status=Status.ACTIVE)
    booked = make_placement(bedspace(), starts_on=TODAY, length=3, status=Status.PROVISIONAL)
    make_placement(bedspace(), starts_on=TODAY - days(20), length=28, status=Status.ACTIVE)  # in 8 days
    make_placement(bedspace(), starts_on=TODAY - days(20), length=19, status=Status.ACTIVE)  # yesterday
    make_placement(bedspace(), starts_on=TODAY - days(10), length=12, status=Status.ENDED)
    make_placement(bedspace(), starts_on=TODAY, length=3, status=Status.CANCELLED)

    listed = list(placements_ending(user=iom_officer, today=TODAY))

    assert listed == [today, booked, in_seven]


def test_a_user_outside_the_scheme_sees_no_overrunning_or_ending_placements(agency_worker):
    make_placement(make_bedspace(), starts_on=TODAY - days(30), length=20, status=Status.ACTIVE)
    make_placement(make_bedspace(), starts_on=TODAY - days(25), length=28, status=Status.ACTIVE)

    assert list(placements_overrun(user=agency_worker, today=TODAY)) == []
    assert list(placements_ending(user=agency_worker, today=TODAY)) == []


def test_a_scheme_manager_sees_overrunning_placements():
    manager = user_with_role(Role.SCHEME_MANAGER)
    placement = make_placement(make_bedspace(), starts_on=TODAY - days(30), length=20, status=Status.ACTIVE)

    assert list(placements_overrun(user=manager, today=TODAY)) == [placement]


# --- occupancy_calendar -------------------------------------------------------------------------

FIRST = date(2026, 2, 2)  # the Monday four weeks before the week of TODAY
LAST = FIRST + timedelta(weeks=12)  # exclusive


def calendar_days(bedspace: Bedspace):
    """The bedspace's calendar as {date: Day}."""
    [calendar] = [
        c for c in occupancy_calendar(property_=bedspace.property, today=TODAY) if c.bedspace == bedspace
    ]
    return {day.date: day for week in calendar.weeks for day in week}


def states_between(calendar: dict, start: date, end: date) -> set[str]:
    return {calendar[start + days(n)].state for n in range((end - start).days)}


def test_the_calendar_runs_from_four_weeks_back_to_eight_ahead_in_monday_weeks():
    first = make_bedspace(label="Flat 1")
    second = BedspaceFactory(property=first.property, label="Flat 2")

    calendars = occupancy_calendar(property_=first.property, today=TODAY)

    assert [c.bedspace for c in calendars] == [first, second]
    weeks = calendars[0].weeks
    assert len(weeks) == 12
    assert all(len(week) == 7 and week[0].date.weekday() == 0 for week in weeks)
    assert weeks[0][0].date == FIRST
    assert weeks[-1][-1].date == LAST - days(1)
    assert {day.state for week in weeks for day in week} == {"free"}


def test_a_booking_shows_booked_then_turnaround_then_free():
    bedspace = make_bedspace(turnaround=2)
    placement = make_placement(bedspace, starts_on=TODAY + days(2), length=14)

    calendar = calendar_days(bedspace)

    assert states_between(calendar, FIRST, placement.starts_on) == {"free"}
    assert states_between(calendar, placement.starts_on, placement.ends_on) == {"booked"}
    assert states_between(calendar, placement.ends_on, placement.free_from) == {"turnaround"}
    assert states_between(calendar, placement.free_from, LAST) == {"free"}
    assert calendar[placement.starts_on].placement == placement
    assert calendar[placement.ends_on].placement == placement
    assert (calendar[placement.starts_on].state_code, calendar[placement.ends_on].state_code) == ("B", "T")


def test_a_provisional_booking_shows_as_booked():
    bedspace = make_bedspace()
    placement = make_placement(bedspace, starts_on=TODAY, length=7, status=Status.PROVISIONAL)

    assert states_between(calendar_days(bedspace), placement.starts_on, placement.ends_on) == {"booked"}


def test_an_active_placement_shows_as_occupied():
    bedspace = make_bedspace()
    placement = make_placement(bedspace, starts_on=TODAY - days(3), length=14, status=Status.ACTIVE)

    calendar = calendar_days(bedspace)

    assert states_between(calendar, placement.starts_on, placement.ends_on) == {"occupied"}
    assert states_between(calendar, placement.ends_on, placement.free_from) == {"turnaround"}
    assert calendar[TODAY].state_code == "O"


def test_an_ended_placement_shows_occupied_until_departure_then_turnaround():
    bedspace = make_bedspace(turnaround=2)
    placement = make_placement(bedspace, starts_on=TODAY - days(20), length=10, status=Status.ENDED)

    calendar = calendar_days(bedspace)

    assert states_between(calendar, placement.starts_on, placement.departed_on) == {"occupied"}
    assert states_between(calendar, placement.departed_on, placement.free_from) == {"turnaround"}
    assert states_between(calendar, placement.free_from, LAST) == {"free"}


def test_an_overrunning_placement_holds_the_bedspace_to_the_end_of_the_calendar():
    bedspace = make_bedspace(turnaround=2)
    placement = make_placement(bedspace, starts_on=TODAY - days(20), length=10, status=Status.ACTIVE)
    assert placement.free_from <= TODAY

    calendar = calendar_days(bedspace)

    assert states_between(calendar, placement.starts_on, placement.ends_on) == {"occupied"}
    # The person is still there and nobody knows when they will leave.
    assert states_between(calendar, placement.ends_on, LAST) == {"overrun"}
    assert calendar[TODAY].state_code == "!"


def test_an_overrun_from_yesterday_shows_no_turnaround_until_they_leave():
    bedspace = make_bedspace(turnaround=2)
    placement = make_placement(bedspace, starts_on=TODAY - days(11), length=10, status=Status.ACTIVE)

    calendar = calendar_days(bedspace)

    assert states_between(calendar, placement.ends_on, LAST) == {"overrun"}


def test_the_calendar_agrees_with_is_overrun_on_the_day_the_licence_ends():
    bedspace = make_bedspace()
    placement = make_placement(bedspace, starts_on=TODAY - days(14), length=14, status=Status.ACTIVE)
    assert placement.ends_on == TODAY and not placement.is_overrun(TODAY)

    assert calendar_days(bedspace)[TODAY].state != "overrun"


def test_a_void_period_shows_as_void():
    bedspace = make_bedspace()
    void = VoidPeriodFactory(bedspace=bedspace, starts_on=TODAY - days(2), ends_on=TODAY + days(5))

    calendar = calendar_days(bedspace)

    assert states_between(calendar, void.starts_on, void.ends_on) == {"void"}
    assert calendar[void.ends_on].state == "free"
    assert calendar[void.starts_on - days(1)].state == "free"
    assert calendar[TODAY].state_code == "V"


def test_an_open_ended_void_runs_to_the_end_of_the_calendar():
    bedspace = make_bedspace()
    VoidPeriodFactory(bedspace=bedspace, starts_on=FIRST - days(30), ends_on=None)

    assert states_between(calendar_days(bedspace), FIRST, LAST) == {"void"}


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.NOT_ARRIVED])
def test_cancelled_and_not_arrived_bookings_leave_the_calendar_free(status):
    bedspace = make_bedspace()
    make_placement(bedspace, starts_on=TODAY, status=status)

    assert states_between(calendar_days(bedspace), FIRST, LAST) == {"free"}


def test_the_calendar_is_three_queries_however_many_bedspaces(django_assert_num_queries):
    def property_with(count: int) -> Property:
        property_ = PropertyFactory()
        for n in range(count):
            bedspace = BedspaceFactory(property=property_, label=f"Flat {n}")
            make_placement(bedspace, starts_on=TODAY - days(5), status=Status.ACTIVE)
            VoidPeriodFactory(bedspace=bedspace, starts_on=TODAY + days(40), ends_on=None)
        return property_

    small, large = property_with(2), property_with(20)

    with django_assert_num_queries(3):
        assert len(occupancy_calendar(property_=small, today=TODAY)) == 2
    with django_assert_num_queries(3):
        assert len(occupancy_calendar(property_=large, today=TODAY)) == 20
