"""Pinned "now" for the tests: the scheme's local time (Europe/London), and the awkward moments the
date rules must survive, which `@pytest.mark.awkward_dates` runs a test at (tests/conftest.py).

The app reads the clock only through Python (`timezone.now`, `timezone.localdate`; no SQL now()),
so time-machine moves all of it."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def london(year, month, day, hour=12, minute=0, *, fold=0) -> datetime:
    """A wall-clock time in London; `fold=1` is the second of a time the autumn change repeats."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON, fold=fold)


def written(day: date) -> list[str]:
    """Every way the app writes a date ("23 October 1977", "23 Oct 1977", ISO, "23/10/1977"):
    what a "must not appear" check looks for, rather than a year or a day that may occur by chance."""
    return [f"{day.day} {day:%B %Y}", f"{day.day} {day:%b %Y}", day.isoformat(), f"{day:%d/%m/%Y}"]


@dataclass(frozen=True)
class Moment:
    id: str
    at: datetime  # aware, in London
    why: str


# In the UK the clocks go forward at 01:00 GMT on the last Sunday of March (01:00-02:00 does not
# exist) and back at 02:00 BST on the last Sunday of October (01:00-02:00 happens twice). Between
# 00:00 and 01:00 BST the UTC date is still the day before.
AWKWARD_MOMENTS = [
    Moment("2026-11-30-month-end", london(2026, 11, 30, 12), "the last day of a 30-day month (a Monday)"),
    Moment("2026-12-31-2359", london(2026, 12, 31, 23, 59), "New Year's Eve a minute before midnight"),
    Moment("2028-02-29-leap-day", london(2028, 2, 29, 9), "29 February (a Tuesday)"),
    Moment("2027-03-28-0059-gmt", london(2027, 3, 28, 0, 59), "a minute before the clocks go forward"),
    Moment("2027-03-28-0230-bst", london(2027, 3, 28, 2, 30), "01:30 GMT, just after they went forward"),
    Moment("2027-03-29-0030-bst", london(2027, 3, 29, 0, 30), "Monday 00:30 BST: Sunday 23:30 in UTC"),
    Moment("2027-10-31-0015-bst", london(2027, 10, 31, 0, 15), "Sunday 00:15 BST: Saturday 23:15 in UTC"),
    Moment(
        "2027-10-31-0130-bst", london(2027, 10, 31, 1, 30), "the first 01:30 (BST) on the day they go back"
    ),
    Moment(
        "2027-10-31-0130-gmt", london(2027, 10, 31, 1, 30, fold=1), "the second 01:30 (GMT), an hour later"
    ),
]
