"""Working days for turnaround: weekends and England and Wales bank holidays are skipped.

The bank-holiday list comes from the `holidays` package, which ships it (no download at run time).
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    # England and Wales share one list of bank holidays.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (a departure on Friday with 2 days' turnaround
    frees the bedspace on Tuesday). With 0 days, `start` itself."""
    day = start
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def free_from(ends_on: date, turnaround_days: int) -> date:
    """The first day a bedspace can take a new arrival after a stay ending on `ends_on`: the
    turnaround is the `turnaround_days` working days after it, and the bedspace is free the day
    after the last of them. With no turnaround, the same day."""
    if turnaround_days <= 0:
        return ends_on
    return add_working_days(ends_on, turnaround_days) + timedelta(days=1)
