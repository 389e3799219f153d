"""The fixed periods the published version is made for: calendar months, quarters of the UK
financial year (Apr–Jun, Jul–Sep, Oct–Dec, Jan–Mar) and financial years (1 April to 31 March).

Fixed periods cannot be differenced against each other the way "1–31 May" and "2–31 May" can: a
published figure is only ever for one of them, and the published tables of one financial year are
suppressed together (reports/family.py). Days are UK local dates, `end` inclusive.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

MONTH, QUARTER, YEAR = "month", "quarter", "year"
KINDS = (YEAR, QUARTER, MONTH)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def financial_year_start(day: date) -> date:
    """1 April of the financial year `day` is in."""
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


@dataclass(frozen=True, order=True)
class FixedPeriod:
    start: date
    end: date  # inclusive
    kind: str

    @property
    def value(self) -> str:
        """How the period travels in a form or an address: its kind and first day."""
        return f"{self.kind}:{self.start.isoformat()}"

    @property
    def label(self) -> str:
        if self.kind == MONTH:
            return date_format(self.start, "F Y")
        year = financial_year_start(self.start).year
        name = f"{year}/{str(year + 1)[-2:]}"
        if self.kind == YEAR:
            return str(_("Financial year %(year)s (April %(first)s to March %(last)s)")) % {
                "year": name,
                "first": year,
                "last": year + 1,
            }
        number = (self.start.month - 4) % 12 // 3 + 1
        return str(_("Quarter %(n)s of %(year)s (%(first)s to %(last)s)")) % {
            "n": number,
            "year": name,
            "first": date_format(self.start, "F"),
            "last": date_format(self.end, "F Y"),
        }

    def previous(self) -> "FixedPeriod":
        """The fixed period of the same kind just before this one."""
        months = {MONTH: 1, QUARTER: 3, YEAR: 12}[self.kind]
        return period_of(self.kind, _add_months(self.start, -months))


def period_of(kind: str, start: date) -> "FixedPeriod":
    """The fixed period of `kind` that begins on `start` (which must be such a first day)."""
    months = {MONTH: 1, QUARTER: 3, YEAR: 12}[kind]
    if start.day != 1 or (kind == QUARTER and start.month % 3 != 1) or (kind == YEAR and start.month != 4):
        raise ValueError(f"No {kind} starts on {start}")
    return FixedPeriod(start, _add_months(start, months) - timedelta(days=1), kind)


def parse(value: str) -> "FixedPeriod | None":
    """A period from its `value` ("quarter:2026-01-01"), or None if it is not one."""
    kind, _sep, start = (value or "").partition(":")
    try:
        return period_of(kind, date.fromisoformat(start))
    except (KeyError, ValueError):
        return None


def fixed_period(start: date, end: date) -> "FixedPeriod | None":
    """The fixed period with exactly these first and last days, if there is one."""
    for kind in KINDS:
        try:
            period = period_of(kind, start)
        except ValueError:
            continue
        if period.end == end:
            return period
    return None


def year_members(year_start: date, today: date) -> list[FixedPeriod]:
    """The fixed periods of the financial year from `year_start` that ended before `today`: its
    months, quarters and (once over) the year itself."""
    members = []
    for kind, months, count in ((MONTH, 1, 12), (QUARTER, 3, 4), (YEAR, 12, 1)):
        for n in range(count):
            period = period_of(kind, _add_months(year_start, n * months))
            if period.end < today:
                members.append(period)
    return members


def ended_periods(first: date, today: date) -> list[FixedPeriod]:
    """Every fixed period from the financial year of `first` that ended before `today`, newest
    first (a year before its last quarter before its last month)."""
    periods = []
    year = financial_year_start(first)
    while year < today:
        periods.extend(year_members(year, today))
        year = date(year.year + 1, 4, 1)
    order = {YEAR: 0, QUARTER: 1, MONTH: 2}
    return sorted(periods, key=lambda p: (-p.end.toordinal(), order[p.kind]))
