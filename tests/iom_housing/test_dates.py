"""The site's named date formats (iom_housing/dates.py and its filters): local time, GOV.UK's way
of writing times, the edge values, and that no template writes a raw `|date:"…"` format."""

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from iom_housing import dates
from tests.clock import london

TEMPLATES = settings.BASE_DIR / "templates"


def render(source: str, **context) -> str:
    return Template("{% load dates %}" + source).render(Context(context))


def test_no_template_writes_a_raw_date_format():
    raw = re.compile(r"\|\s*(date|time)\s*:")
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()[:120]}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if raw.search(line)
    ]
    assert found == [], "Use a named format from iom_housing/dates.py (|day, |day_time …):\n" + "\n".join(
        found
    )


@pytest.mark.parametrize(
    ("hour", "minute", "written"),
    [
        (0, 0, "midnight"),
        (0, 30, "12:30am"),
        (9, 5, "9:05am"),
        (10, 0, "10am"),
        (11, 59, "11:59am"),
        (12, 0, "midday"),
        (12, 45, "12:45pm"),
        (13, 37, "1:37pm"),
        (17, 30, "5:30pm"),
        (23, 59, "11:59pm"),
    ],
)
def test_times_are_written_as_gov_uk_writes_them(hour, minute, written):
    assert dates.time_of_day(london(2026, 12, 3, hour, minute)) == written


def test_a_time_to_the_second_is_always_in_figures():
    assert dates.time_of_day(london(2026, 12, 3, 0, 0), seconds=True) == "12:00:00am"
    assert dates.timestamp(london(2026, 12, 3, 13, 37).replace(second=5)) == "3 Dec 2026, 1:37:05pm"


def test_each_named_format():
    moment = london(2026, 12, 3, 13, 37)  # a Thursday
    assert dates.day(moment) == "3 December 2026"
    assert dates.day_short(moment) == "3 Dec 2026"
    assert dates.weekday(moment) == "Thursday 3 December 2026"
    assert dates.weekday_abbr(moment) == "Thu"
    assert dates.day_month_short(moment) == "3 Dec"
    assert dates.day_time(moment) == "3 December 2026, 1:37pm"
    assert dates.day_short_time(moment) == "3 Dec 2026, 1:37pm"
    assert dates.weekday_time(moment) == "Thursday 3 December 2026, 1:37pm"
    assert dates.iso_date(date(2026, 12, 3)) == "2026-12-03"


def test_single_digit_days_have_no_leading_zero():
    assert dates.day(date(2026, 3, 1)) == "1 March 2026"
    assert dates.day_short(date(2026, 3, 9)) == "9 Mar 2026"
    assert dates.weekday(date(2026, 3, 2)) == "Monday 2 March 2026"


def test_a_moment_is_written_in_london_time():
    # 23:30 UTC on 30 June is 00:30 BST on 1 July; 00:00 UTC in winter is midnight in London.
    late = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    assert dates.day_time(late) == "1 July 2026, 12:30am"
    assert dates.weekday(late) == "Wednesday 1 July 2026"
    assert dates.day_time(datetime(2026, 12, 3, 0, 0, tzinfo=UTC)) == "3 December 2026, midnight"
    assert dates.day_time(datetime(2026, 7, 3, 11, 0, tzinfo=UTC)) == "3 July 2026, midday"


def test_filters_match_the_functions_and_write_nothing_for_no_value():
    moment = london(2026, 12, 3, 13, 37)
    for write in ("day", "day_short", "weekday", "day_time", "day_short_time", "weekday_time", "timestamp"):
        assert render("{{ at|" + write + " }}", at=moment) == getattr(dates, write)(moment)
        assert render("{{ at|" + write + ' }}|{{ none|default:"–" }}', at=None, none=None) == "|–"
    assert render("{{ at|time_of_day }}", at=london(2026, 12, 3, 0, 30)) == "12:30am"


def test_machine_formats_keep_utc_when_asked():
    at = datetime(2026, 6, 30, 23, 30, 5, tzinfo=UTC)
    assert render(
        "{% load tz %}{% with u=at|utc %}{{ u|iso_date }} {{ u|iso_time }}{% endwith %}", at=at
    ) == ("2026-06-30 23:30:05")
    assert render("{{ at|iso_date }} {{ at|iso_datetime }}", at=at) == "2026-07-01 2026-07-01T00:30:05+01:00"


# Moved from tests/agencies/test_visit_tags.py with the cheap `long_date` and `short_date` filters,
# which are now `|weekday` and `|day`: they read exactly as Django's `date` filter does.
DJANGO = Template('{{ day|date:"l j F Y" }}|{{ day|date:"j F Y" }}')
OURS = Template("{% load dates %}{{ day|weekday }}|{{ day|day }}")


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_dates_read_as_the_date_filter_does(language):
    days = [date(2026, 3, 2) + timedelta(days=n * 37) for n in range(12)]
    # 23:30 UTC on 30 June is 00:30 on 1 July in London: both show the local day.
    late = datetime(2026, 6, 30, 23, 30, tzinfo=ZoneInfo("UTC"))
    with translation.override(language):
        for day in [*days, late, None]:
            assert OURS.render(Context({"day": day})) == DJANGO.render(Context({"day": day}))
        assert OURS.render(Context({"day": late})).startswith(("Wednesday 1 July", "Dydd Mercher 1"))
