"""The caseload's cheap template helpers read exactly as Django's own translations, in English and Welsh
(the cheap dates are tested with the others in tests/iom_housing/test_dates.py)."""

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import ngettext


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_every_days_reads_as_its_translation(language):
    template = Template("{% load visits %}{{ days|every_days }}")
    with translation.override(language):
        for days in (1, 7, 14):
            expected = ngettext("Every day", "Every %(days)s days", days) % {"days": days}
            assert template.render(Context({"days": days})) == expected
