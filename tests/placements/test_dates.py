"""Working days for turnaround: weekends and England and Wales bank holidays are skipped."""

from datetime import date

import pytest

from placements.dates import add_working_days, free_from, is_working_day


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 11, 23), True),  # Monday
        (date(2026, 11, 20), True),  # Friday
        (date(2026, 11, 21), False),  # Saturday
        (date(2026, 11, 22), False),  # Sunday
        (date(2026, 12, 25), False),  # Christmas Day
        (date(2026, 12, 28), False),  # Boxing Day (substitute, the 26th is a Saturday)
        (date(2026, 12, 29), True),
        (date(2027, 1, 1), False),  # New Year's Day
        (date(2026, 4, 3), False),  # Good Friday
        (date(2026, 4, 6), False),  # Easter Monday
        (date(2026, 5, 4), False),  # Early May bank holiday
        (date(2026, 5, 25), False),  # Spring bank holiday
        (date(2026, 8, 31), False),  # Summer bank holiday (England and Wales, not Scotland's date)
    ],
)
def test_weekends_and_bank_holidays_are_not_working_days(day, working):
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 2),  # 2 January: a bank holiday in Scotland only
        date(2026, 11, 30),  # St Andrew's Day (Monday): Scotland only
        date(2026, 8, 3),  # Scotland's summer bank holiday
        date(2026, 3, 17),  # St Patrick's Day: Northern Ireland only
        date(2026, 7, 13),  # Battle of the Boyne (substitute): Northern Ireland only
    ],
)
def test_bank_holidays_elsewhere_in_the_uk_are_working_days_in_england_and_wales(day):
    assert is_working_day(day)


def test_adding_working_days_skips_the_weekend():
    assert add_working_days(date(2026, 11, 20), 2) == date(2026, 11, 24)  # Friday + 2 = Tuesday


def test_adding_no_working_days_is_the_same_day():
    assert add_working_days(date(2026, 11, 21), 0) == date(2026, 11, 21)


def test_adding_working_days_midweek_counts_each_day():
    assert add_working_days(date(2026, 11, 23), 3) == date(2026, 11, 26)  # Monday + 3 = Thursday


def test_departure_on_friday_with_two_days_turnaround_frees_the_bedspace_on_wednesday():
    # Monday 23 and Tuesday 24 November are the turnaround.
    assert free_from(date(2026, 11, 20), 2) == date(2026, 11, 25)


def test_departure_on_saturday_counts_turnaround_from_monday():
    assert free_from(date(2026, 11, 21), 1) == date(2026, 11, 24)


@pytest.mark.parametrize(
    ("ends_on", "turnaround", "expected"),
    [
        # Thursday 24 Dec: Friday 25 and Monday 28 are bank holidays, so Tuesday 29 and
        # Wednesday 30 are the turnaround.
        (date(2026, 12, 24), 2, date(2026, 12, 31)),
        # Wednesday 23 Dec: Thursday 24, then Tuesday 29.
        (date(2026, 12, 23), 2, date(2026, 12, 30)),
        # Into the new year: Friday 1 Jan 2027 is a bank holiday, Monday 4 Jan the only turnaround day.
        (date(2026, 12, 31), 1, date(2027, 1, 5)),
        # Easter 2026: Good Friday 3 April and Easter Monday 6 April are skipped.
        (date(2026, 4, 2), 1, date(2026, 4, 8)),
    ],
)
def test_turnaround_skips_bank_holidays(ends_on, turnaround, expected):
    assert free_from(ends_on, turnaround) == expected


def test_no_turnaround_frees_the_bedspace_on_the_day_the_stay_ends():
    assert free_from(date(2026, 12, 25), 0) == date(2026, 12, 25)


def test_turnaround_is_counted_from_the_day_after_the_stay_ends():
    # Ends Monday 23 Nov: Tuesday 24 is the one turnaround day; free on Wednesday 25.
    assert free_from(date(2026, 11, 23), 1) == date(2026, 11, 25)
