"""No combination of fixed period × area × version × format fails on the demo data.

The whole sweep (every month, quarter and financial year: 162 reports, 648 files and 9 real PDFs
on the demo data, about 2.5 minutes) is `manage.py check_reports`; the suite makes a sample that
keeps it fast: every quarter and financial year and the last month, in every area and version and
format (the PDF's HTML without its layout), and one real PDF."""

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from placements.models import Destination
from referrals.models import Referral
from reports.periods import MONTH
from reports.sweep import sweep
from tests.factories import (
    BedspaceFactory,
    OffenderEventFactory,
    OffenderFactory,
    PropertyFactory,
    ReferralFactory,
)
from tests.reports import scenario

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


# Random histories: stays in two areas from April to August 2026 (some still there, some ended to
# each kind of destination), arrests before, during and after, and referrals decided or not; the
# published reports of the financial year (its months and first quarter) and the other versions of
# two of them, in every format but the real PDF. max_examples is small: each example builds the
# year's published family (every month and the quarter, each area and all areas).

RANDOM_TODAY = date(2026, 9, 1)
random_stay = st.tuples(
    st.sampled_from(["Ceredigion", "Powys"]),
    st.integers(0, 130),  # arrival: days from 1 April 2026
    st.one_of(st.none(), st.integers(1, 60)),  # nights, or still there
    st.sampled_from([d for d, _label in Destination.choices]),
    st.lists(st.integers(-200, 150), max_size=3),  # arrests: days from arrival
)


@hyp_settings(
    max_examples=2,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: an example is slow
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(random_stay, min_size=1, max_size=6), st.integers(0, 4))
def test_every_version_and_format_is_made_over_random_histories(stays, declined):
    with transaction.atomic():
        places = {
            area: PropertyFactory(local_authority=area, turnaround_days=1) for area in ("Ceredigion", "Powys")
        }
        for area, offset, nights, destination, arrests in stays:
            arrived = date(2026, 4, 1) + timedelta(days=offset)
            departed = arrived + timedelta(days=nights) if nights else None
            if departed and departed >= RANDOM_TODAY:
                departed = None
            ended = {"destination": destination, "departure_reason": "planned_move_on"} if departed else {}
            person = OffenderFactory()
            scenario._stay(person, BedspaceFactory(property=places[area]), arrived, departed, **ended)
            for after in arrests:
                day = arrived + timedelta(days=after)
                if day < RANDOM_TODAY:
                    OffenderEventFactory(offender=person, occurred_on=day)
        for n in range(declined):  # referrals decided in April and May, each way
            day = date(2026, 4, 3) + timedelta(days=17 * n)
            reason = {"decline_reason": Referral.DeclineReason.NO_SUITABLE_PROPERTY} if n % 2 else {}
            ReferralFactory(
                status=Referral.Status.DECLINED if n % 2 else Referral.Status.ACCEPTED,
                submitted_at=scenario.at(day),
                decided_at=scenario.at(day + timedelta(days=2)),
                **reason,
            )
        keep = {date(2026, 5, 1), date(2026, 4, 1)}
        result = sweep(RANDOM_TODAY, real_pdf=False, keep=lambda p: p.start in keep)
        transaction.set_rollback(True)
    assert not result.failed, "\n".join(result.failed)
    # April, May and the first quarter, all areas and each, three versions.
    assert result.reports == 3 * 3 * 3 and result.files == 4 * result.reports
