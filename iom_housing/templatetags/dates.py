"""The site's named date formats as filters (`{% load dates %}`): see `iom_housing.dates`.

Templates write `{{ visit.visited_at|day_time }}`, never `|date:"…"`. Like Django's `date`
filter, each is given local time by the template engine (`expects_localtime`, so `|utc` and
`{% localtime off %}` still work) and writes nothing for no value.
"""

from django import template

from iom_housing import dates

register = template.Library()

FILTERS = (
    dates.day,
    dates.day_short,
    dates.weekday,
    dates.weekday_abbr,
    dates.day_month_short,
    dates.time_of_day,
    dates.day_time,
    dates.day_short_time,
    dates.weekday_time,
    dates.timestamp,
    dates.iso_date,
    dates.iso_time,
    dates.iso_datetime,
)


def _filter(write):
    def written(value) -> str:
        if value in (None, ""):
            return ""
        return write(value)

    written.__name__ = written.__qualname__ = write.__name__
    written.__doc__ = write.__doc__
    return written


for write in FILTERS:
    register.filter(write.__name__, _filter(write), expects_localtime=True)
