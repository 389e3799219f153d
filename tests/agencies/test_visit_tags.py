"""The caseload's cheap template helpers read exactly as Django's own filters, in English and Welsh."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import ngettext

DJANGO = Template('{{ day|date:"l j F Y" }}|{{ day|date:"j F Y" }}')
OURS = Template("{% load visits %}{{ day|long_date }}|{{ day|short_date }}")


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_dates_read_as_the_date_filter_does(language):
    days = [date(2026, 3, 2) + timedelta(days=n * 37) for n in range(12)]
    # 23:30 UTC on 30 June is 00:30 on 1 July in London: both show the local day.
    late = datetime(2026, 6, 30, 23, 30, tzinfo=ZoneInfo("UTC"))
    with translation.override(language):
        for day in [*days, late, None]:
            assert OURS.render(Context({"day": day})) == DJANGO.render(Context({"day": day}))
        assert OURS.render(Context({"day": late})).startswith(("Wednesday 1 July", "Dydd Mercher 1"))


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_every_days_reads_as_its_translation(language):
    template = Template("{% load visits %}{{ days|every_days }}")
    with translation.override(language):
        for days in (1, 7, 14):
            expected = ngettext("Every day", "Every %(days)s days", days) % {"days": days}
            assert template.render(Context({"days": days})) == expected
