"""The licence figures (reports/metrics/licence.py) against a scenario worked out by hand, on the
edges of the period: November 2026, 1–30 November, so the period is [1 Nov, 1 Dec).

Two properties: Harbour View (Ceredigion) and Brecon Road (Powys).
  Ann (Harbour View) warnings: verbal 31 Oct (the day before: out), verbal 1 Nov (first day: in),
      written 30 Nov (last day: in), final 1 Dec (the day after: out).
      Agreements: term 1 issued 20 Oct, signed 1 Nov; term 2 issued 17 Nov, signed 30 Nov.
  Bob (Harbour View) written warning 15 Nov; ended immediately for a breach on 20 Nov.
      Agreement: term 1 issued 1 Nov, refused 1 Nov.
  Cai (Brecon Road) final warning 10 Nov; notice given 30 Nov (licence ends 7 Dec).
      Agreement: term 1 issued 30 Nov, not yet answered.
  Dee (Brecon Road) notice given 1 Dec (out). Agreement issued and signed 1 Dec (out).

November, all areas, by hand:
  warnings: verbal 1 (Ann's 1 Nov), written 2 (Ann's 30 Nov, Bob's), final 1 (Cai's); all 4,
      people 3 (Ann, Bob, Cai); by level the people are 1, 2 (Ann and Bob) and 1.
  endings for a breach: notice 1 (Cai, 30 Nov), immediate 1 (Bob); all 2.
  agreements: issued 3 (Ann's term 2, Bob's, Cai's), signed 2 (Ann's two), refused 1 (Bob's).
November, Ceredigion only: warnings verbal 1, written 2, final 0, all 3 in 2 people; endings notice
  0, immediate 1; agreements issued 2 (Ann's term 2, Bob's), signed 2, refused 1.
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from placements.areas import CEREDIGION
from placements.models import LicenceAgreement, LicenceBreachEnding, LicenceWarning, Placement
from placements.services_licence import licence_wording_current
from reports.metrics.licence import licence_agreements, licence_breach_endings, licence_warnings
from reports.metrics.registry import REGISTRY, Scope
from tests.factories import (
    BedspaceFactory,
    LicenceTermFactory,
    PlacementFactory,
    PropertyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)
NOVEMBER = (date(2026, 11, 1), date(2026, 12, 1))


def _stay(place, arrived: date, **fields) -> Placement:
    return PlacementFactory(
        bedspace=BedspaceFactory(property=place),
        status=Placement.Status.ACTIVE,
        starts_on=arrived,
        arrived_on=arrived,
        ends_on=arrived + timedelta(days=56),
        free_from=arrived + timedelta(days=56),
        **fields,
    )


def _agreement(stay, number, issued_on, status="issued", responded_on=None):
    term = LicenceTermFactory(
        placement=stay, number=number, starts_on=stay.starts_on + timedelta(days=28 * (number - 1))
    )
    LicenceAgreement.objects.create(
        term=term,
        wording=licence_wording_current(),
        issued_at=timezone.now(),
        issued_on=issued_on,
        status=status,
        responded_on=responded_on,
    )


@pytest.fixture
def scenario():
    officer = UserFactory()
    harbour = PropertyFactory(name="Harbour View", local_authority="Ceredigion")
    brecon = PropertyFactory(name="Brecon Road", local_authority="Powys")
    ann = _stay(harbour, date(2026, 10, 20))
    bob = _stay(harbour, date(2026, 11, 1))
    cai = _stay(brecon, date(2026, 10, 25))
    dee = _stay(brecon, date(2026, 10, 26))

    def warn(stay, level, day):
        LicenceWarning.objects.create(
            placement=stay,
            level=level,
            condition="No nuisance.",
            what_happened="Noise.",
            issued_on=day,
            issued_by=officer,
        )

    warn(ann, "verbal", date(2026, 10, 31))
    warn(ann, "verbal", date(2026, 11, 1))
    warn(ann, "written", date(2026, 11, 30))
    warn(ann, "final", date(2026, 12, 1))
    warn(bob, "written", date(2026, 11, 15))
    warn(cai, "final", date(2026, 11, 10))
    for stay, kind, notice_on, leave_by in (
        (bob, "immediate", date(2026, 11, 20), date(2026, 11, 20)),
        (cai, "notice", date(2026, 11, 30), date(2026, 12, 7)),
        (dee, "notice", date(2026, 12, 1), date(2026, 12, 8)),
    ):
        LicenceBreachEnding.objects.create(
            placement=stay,
            kind=kind,
            reason="Breach.",
            notice_on=notice_on,
            leave_by=leave_by,
            decided_by=officer,
        )
    _agreement(ann, 1, date(2026, 10, 20), "signed", date(2026, 11, 1))
    _agreement(ann, 2, date(2026, 11, 17), "signed", date(2026, 11, 30))
    _agreement(bob, 1, date(2026, 11, 1), "refused", date(2026, 11, 1))
    _agreement(cai, 1, date(2026, 11, 30))
    _agreement(dee, 1, date(2026, 12, 1), "signed", date(2026, 12, 1))


def _rows(table) -> dict:
    rows = {row.label: row.values for row in table.rows}
    if table.total is not None:
        rows[table.total.label] = table.total.values
    return rows


def _scope(start, end, area=None) -> Scope:
    return Scope(start=start, end=end, area=area, today=TODAY)


def test_the_figures_are_in_the_compliance_section():
    assert {
        REGISTRY[key].section for key in ("licence_warnings", "licence_breach_endings", "licence_agreements")
    } == {"compliance"}


def test_november_across_all_areas_matches_the_figures_worked_by_hand(scenario):
    scope = _scope(*NOVEMBER)
    assert _rows(licence_warnings(scope, None)) == {
        "Verbal warning": {"warnings": 1, "people": 1},
        "Written warning": {"warnings": 2, "people": 2},
        "Final warning": {"warnings": 1, "people": 1},
        "All warnings": {"warnings": 4, "people": 3},
    }
    assert _rows(licence_breach_endings(scope, None)) == {
        "Notice given": {"placements": 1},
        "Immediate (serious breach)": {"placements": 1},
        "All endings for a breach": {"placements": 2},
    }
    assert _rows(licence_agreements(scope, None)) == {
        "Issued": {"agreements": 3},
        "Signed": {"agreements": 2},
        "Refused": {"agreements": 1},
    }


def test_november_in_one_area_counts_only_its_properties(scenario):
    scope = _scope(*NOVEMBER, area=CEREDIGION)
    warnings = _rows(licence_warnings(scope, None))
    assert [warnings[k]["warnings"] for k in ("Verbal warning", "Written warning", "Final warning")] == [
        1,
        2,
        0,
    ]
    assert warnings["All warnings"] == {"warnings": 3, "people": 2}
    assert _rows(licence_breach_endings(scope, None))["Notice given"] == {"placements": 0}
    assert _rows(licence_breach_endings(scope, None))["Immediate (serious breach)"] == {"placements": 1}
    assert [v["agreements"] for v in _rows(licence_agreements(scope, None)).values()] == [2, 2, 1]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(split=st.integers(min_value=0, max_value=61))
def test_two_adjacent_periods_add_up_to_the_whole(scenario, split):
    """Counted by their own dates, so any split of 1 Oct – 1 Dec adds up: no day counted twice or lost."""
    start, end = date(2026, 10, 1), date(2026, 12, 1)
    middle = start + timedelta(days=split)

    def counts(a, b):
        scope = _scope(a, b)
        return (
            _rows(licence_warnings(scope, None))["All warnings"]["warnings"],
            _rows(licence_breach_endings(scope, None))["All endings for a breach"]["placements"],
            tuple(v["agreements"] for v in _rows(licence_agreements(scope, None)).values()),
        )

    whole, first, second = counts(start, end), counts(start, middle), counts(middle, end)
    assert whole[0] == first[0] + second[0]
    assert whole[1] == first[1] + second[1]
    assert whole[2] == tuple(x + y for x, y in zip(first[2], second[2], strict=True))
