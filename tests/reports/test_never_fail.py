"""No combination of fixed period × area × version × format fails on the demo data.

The whole sweep (every month, quarter and financial year: 162 reports, 648 files and 9 real PDFs
on the demo data, about 2.5 minutes) is `manage.py check_reports`; the suite makes a sample that
keeps it fast: every quarter and financial year and the last month, in every area and version and
format (the PDF's HTML without its layout), and one real PDF."""

import io
from datetime import date

import pytest
from django.core.management import call_command

from reports.periods import MONTH
from reports.sweep import sweep

pytestmark = pytest.mark.django_db

DEMO_TODAY = date(2026, 11, 23)


def test_every_fixed_period_area_version_and_format_is_made_on_the_demo_data():
    call_command("seed_demo", "--today", DEMO_TODAY.isoformat(), "--force", stdout=io.StringIO())
    last_month = date(2026, 10, 1)
    result = sweep(
        DEMO_TODAY,
        real_pdf={("quarter", "published")},
        keep=lambda p: p.kind != MONTH or p.start == last_month,
    )
    assert not result.failed, "\n".join(result.failed)
    assert result.reports >= 30 and result.files == 4 * result.reports and result.pdfs == 1
