"""Calendar months on UK local days, as PostgreSQL counts them (`date + interval 'n months'`):
a day the target month does not have is clamped to its last day, so 31 August + 6 months is
28 February (29 in a leap year) and 29 February + 12 months is 28 February."""

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
