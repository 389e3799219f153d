"""How the site writes dates and times for people: a few named formats, one place.

Dates as GOV.UK writes them ("3 December 2026", "3 Dec 2026" where space is short, "Thursday
3 December 2026" where the day of the week matters) and times as the GOV.UK style guide asks:
the 12-hour clock, no leading zero, no ":00" on the hour, "am"/"pm" with no space or points
("5:30pm", "10am"), and "midnight" and "midday" for 00:00 and 12:00. Everything is written in the
scheme's local time (Europe/London, `TIME_ZONE`), so an event at 00:30 BST is on its own day.

Templates use the filters of `iom_housing/templatetags/dates.py` (`{% load dates %}`, then
`|day`, `|day_short`, `|weekday`, `|day_time` …); Python code calls these functions. The machine
formats (`ISO_DATE`, `ISO_TIME`, `ISO_DATETIME`) are for values a program reads back (hidden inputs,
`<time datetime>`) and for the access log, which shows UTC as its CSV export does.
"""

from datetime import date, datetime
from functools import lru_cache
from typing import overload

from django.utils import formats, timezone
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

DAY = "j F Y"  # 3 December 2026
DAY_SHORT = "j M Y"  # 3 Dec 2026
WEEKDAY = "l j F Y"  # Thursday 3 December 2026
WEEKDAY_ABBR = "D"  # Thu (calendar column headings)
DAY_MONTH_SHORT = "j M"  # 3 Dec (calendar week rows)

# For programs, not people: no translation, no local time of their own.
ISO_DATE = "Y-m-d"  # 2026-12-03
ISO_TIME = "H:i:s"  # 13:37:05
ISO_DATETIME = "c"  # 2026-12-03T13:37:05+00:00 (a <time datetime="…"> attribute)


@overload
def _local(value: datetime) -> datetime: ...
@overload
def _local(value: date) -> date: ...
def _local(value: date) -> date:
    """An aware datetime in local time; a date (or naive datetime) as it is."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _format(value: date, format_string: str) -> str:
    return formats.date_format(_local(value), format_string)


@lru_cache
def _names(language: str) -> tuple[list[str], dict[int, str]]:
    """Weekday and month names in the active language (`language` keys the cache)."""
    return [str(name) for name in WEEKDAYS.values()], {number: str(name) for number, name in MONTHS.items()}


# `day` and `weekday` write what `formats.date_format(value, DAY)` and `(value, WEEKDAY)` write,
# at a tenth of the cost: a caseload or a timeline writes hundreds of them.


def day(value: date) -> str:
    """3 December 2026"""
    local = _local(value)
    return f"{local.day} {_names(get_language())[1][local.month]} {local.year}"


def day_short(value: date) -> str:
    """3 Dec 2026"""
    return _format(value, DAY_SHORT)


def weekday(value: date) -> str:
    """Thursday 3 December 2026"""
    local = _local(value)
    weekdays, months = _names(get_language())
    return f"{weekdays[local.weekday()]} {local.day} {months[local.month]} {local.year}"


def weekday_abbr(value: date) -> str:
    """Thu"""
    return _format(value, WEEKDAY_ABBR)


def day_month_short(value: date) -> str:
    """3 Dec"""
    return _format(value, DAY_MONTH_SHORT)


def time_of_day(value: datetime, *, seconds: bool = False) -> str:
    """5:30pm, 10am, 12:30am, midnight, midday. With `seconds` (audit trails, where the order of
    events within a minute matters) always in figures: 5:30:07pm, 12:00:00am."""
    local = _local(value)
    hour, minute, second = local.hour, local.minute, local.second
    if not seconds and minute == 0:
        if hour == 0:
            return pgettext("time of day", "midnight")
        if hour == 12:
            return pgettext("time of day", "midday")
    clock = str(hour % 12 or 12)
    if seconds:
        clock += f":{minute:02d}:{second:02d}"
    elif minute:
        clock += f":{minute:02d}"
    return clock + (pgettext("time of day", "am") if hour < 12 else pgettext("time of day", "pm"))


def _with_time(written_day: str, time: str) -> str:
    return _("%(day)s, %(time)s") % {"day": written_day, "time": time}


def day_time(value: datetime) -> str:
    """3 December 2026, 1:37pm"""
    return _with_time(day(value), time_of_day(value))


def day_short_time(value: datetime) -> str:
    """3 Dec 2026, 1:37pm"""
    return _with_time(day_short(value), time_of_day(value))


def weekday_time(value: datetime) -> str:
    """Thursday 3 December 2026, 1:37pm"""
    return _with_time(weekday(value), time_of_day(value))


def timestamp(value: datetime) -> str:
    """3 Dec 2026, 1:37:05pm: to the second, for change histories."""
    return _with_time(day_short(value), time_of_day(value, seconds=True))


def iso_date(value: date) -> str:
    """2026-12-03, for a program (a hidden input), as the value is given."""
    return formats.date_format(value, ISO_DATE)


def iso_datetime(value: date) -> str:
    """2026-12-03T13:37:05+00:00 (or 2026-12-03 for a date), for a `<time datetime>` attribute."""
    return formats.date_format(value, ISO_DATETIME)


def iso_time(value: datetime) -> str:
    """13:37:05, for the access log (in UTC there), as the value is given."""
    return formats.time_format(value, ISO_TIME)
