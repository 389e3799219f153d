"""Monthly trends (reports/metrics/trends.py) against the hand-built scheme of tests/reports/scenario.py.

Worked by hand from the scenario's stays (nights are [arrival, departure)), two bedspaces (B1, B2):
  S1 Ann B1 20 Feb → 11 Mar, S2 Bea B1 20 Mar → (still there), S3 Ann B2 11 Mar → 10 Apr,
  S4 Col B2 1 Feb → 5 Mar; a void on B1 12–15 Mar (ends_on 16 Mar exclusive).

Period 1 Feb – 30 Apr 2026 (three months: the trend is its months):
  Occupied  Feb: S4 1–28 = 28, S1 20–28 = 9 → 37.  Mar: 47 (scenario).  Apr: S2 1–30 = 30, S3 1–9 = 9 → 39.
  Available Feb 2 × 28 = 56; Mar 62 − 4 void = 58; Apr 2 × 30 = 60.  Total 123 of 174.
  Occupancy Feb 37/56 = 66.1%, Mar 47/58 = 81.0%, Apr 39/60 = 65.0%; total 123/174 = 70.7%.
  Started (arrival day in the month): Feb S4 (1st), S1 (20th) = 2; Mar S3 (11th), S2 (20th) = 2; Apr 0.
  Ended (departure day in the month): Feb 0; Mar S4 (5th), S1 (11th) = 2; Apr S3 (10th) = 1.
  Referrals (submitted): Feb 0, Mar 5 (R1–R5), Apr 0 (R6 was 10 Jan, before the window).
  Offences in a stay: Col's caution 2 Mar (S4), Ann's arrest 5 Mar (S1), Bea's arrest 15 Apr (S2)
    → Feb 0, Mar 2, Apr 1 (Col's arrest of 1 May is after his stay; Ann's of 1 Jun 2025 before).
    Per person-month (nights ÷ 30.4375): Mar 2 ÷ (47/30.4375) = 1.2952 → 1.30;
    Apr 1 ÷ (39/30.4375) = 0.7804 → 0.78; total 3 ÷ (123/30.4375) = 0.7424 → 0.74.

Period 15 Feb – 14 Mar 2026 (months cut to the period):
  Feb 15–28: occupied S4 14 + S1 9 = 23 of 28; started S1 = 1; ended 0.
  Mar 1–14: occupied S1 1–10 = 10 (not the departure night of the 11th), S4 1–4 = 4, S3 11–14 = 4 → 18;
    available 28 − void nights 12, 13, 14 = 25; started S3 = 1; ended S4, S1 = 2.
"""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.builder import build_report
from reports.metrics.registry import Scope
from reports.metrics.trends import Window, window
from reports.render import metric_view
from reports.tables import MetricResult
from tests.reports import scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    return scenario.build()


def _tables(start, end, audience="officer"):
    report = build_report(start=start, end=end, audience=audience, today=scenario.TODAY)
    return report, {m.key: m for m in report.metrics()}


def _column(metric: MetricResult, key: str, threshold: int = 5) -> dict[str, str]:
    view = metric_view(metric, threshold, whole=True)
    index = [c.key for c in metric.table.columns].index(key)
    shown = {label: cells[index] for label, cells in view.rows}
    shown["Total"] = view.total[1][index]
    return shown


def test_the_window_is_the_period_from_two_months_else_the_12_months_to_its_end():
    scope = Scope(date(2026, 2, 1), date(2026, 5, 1), None, scenario.TODAY)
    assert window(scope) == Window(date(2026, 2, 1), date(2026, 5, 1), True)
    # 15 Feb – 14 Mar reaches into two calendar months: its own days.
    scope = Scope(date(2026, 2, 15), date(2026, 3, 15), None, scenario.TODAY)
    assert window(scope) == Window(date(2026, 2, 15), date(2026, 3, 15), True)
    # One month: the 12 calendar months to its last day (April 2025 to March 2026).
    scope = Scope(date(2026, 3, 1), date(2026, 4, 1), None, scenario.TODAY)
    assert window(scope) == Window(
        date(2025, 4, 1), date(2026, 4, 1), False, date(2026, 3, 1), date(2026, 4, 1)
    )
    # A part of a month: the 12 months to its last day, the last one cut there.
    scope = Scope(date(2026, 3, 10), date(2026, 3, 21), None, scenario.TODAY)
    assert window(scope) == Window(
        date(2025, 4, 1), date(2026, 3, 21), False, date(2026, 3, 10), date(2026, 3, 21)
    )


def test_three_months_month_by_month(data):
    _report, m = _tables(date(2026, 2, 1), date(2026, 4, 30))
    occupancy = m["trend_occupancy"]
    assert _column(occupancy, "available") == {
        "Feb 2026": "56",
        "Mar 2026": "58",
        "Apr 2026": "60",
        "Total": "174",
    }
    assert _column(occupancy, "occupied") == {
        "Feb 2026": "37",
        "Mar 2026": "47",
        "Apr 2026": "39",
        "Total": "123",
    }
    assert _column(occupancy, "rate") == {
        "Feb 2026": "66.1%",
        "Mar 2026": "81.0%",
        "Apr 2026": "65.0%",
        "Total": "70.7%",
    }
    placements = m["trend_placements"]
    assert _column(placements, "started") == {"Feb 2026": "2", "Mar 2026": "2", "Apr 2026": "0", "Total": "4"}
    assert _column(placements, "ended") == {"Feb 2026": "0", "Mar 2026": "2", "Apr 2026": "1", "Total": "3"}
    assert _column(m["trend_referrals"], "received") == {
        "Feb 2026": "0",
        "Mar 2026": "5",
        "Apr 2026": "0",
        "Total": "5",
    }
    offending = m["trend_offending"]
    assert _column(offending, "offences") == {"Feb 2026": "0", "Mar 2026": "2", "Apr 2026": "1", "Total": "3"}
    assert _column(offending, "rate") == {
        "Feb 2026": "0.00",
        "Mar 2026": "1.30",
        "Apr 2026": "0.78",
        "Total": "0.74",
    }


def test_the_window_totals_are_the_sections_figures(data):
    """With the window the period, the months add up to the figures of the placements, occupancy
    and referrals tables (the same definitions)."""
    _report, m = _tables(date(2026, 2, 1), date(2026, 4, 30))
    total = {key: metric.table.total.values for key, metric in m.items() if metric.table.total}
    activity = {row.label: row.values["count"] for row in m["placement_activity"].table.rows}
    assert total["trend_occupancy"]["occupied"] == total["occupancy"]["occupied"]
    assert total["trend_occupancy"]["available"] == total["occupancy"]["available"]
    assert total["trend_placements"]["started"] == activity["Placements started"]
    assert total["trend_placements"]["ended"] == activity["Placements ended"]
    assert total["trend_referrals"]["received"] == total["referral_outcomes"]["count"]


def test_months_cut_to_the_period_and_the_departure_night_not_counted(data):
    _report, m = _tables(date(2026, 2, 15), date(2026, 3, 14))
    occupancy = m["trend_occupancy"]
    assert _column(occupancy, "occupied") == {
        "Feb 2026 (15–28)": "23",
        "Mar 2026 (1–14)": "18",
        "Total": "41",
    }
    assert _column(occupancy, "available") == {
        "Feb 2026 (15–28)": "28",
        "Mar 2026 (1–14)": "25",
        "Total": "53",
    }
    placements = m["trend_placements"]
    assert _column(placements, "started") == {"Feb 2026 (15–28)": "1", "Mar 2026 (1–14)": "1", "Total": "2"}
    assert _column(placements, "ended") == {"Feb 2026 (15–28)": "0", "Mar 2026 (1–14)": "2", "Total": "2"}


def test_a_one_month_report_has_the_12_months_to_its_end(data):
    """March 2026: April 2025 to March 2026. January has Col's referral R6 (10 Jan); February the
    37 nights worked out above; March the month's own figures."""
    _report, m = _tables(scenario.START, scenario.END)
    referrals = _column(m["trend_referrals"], "received")
    assert list(referrals)[:1] == ["Apr 2025"] and list(referrals)[-2:] == ["Mar 2026", "Total"]
    assert (referrals["Jan 2026"], referrals["Mar 2026"], referrals["Total"]) == ("1", "5", "6")
    occupied = _column(m["trend_occupancy"], "occupied")
    assert (occupied["Jan 2026"], occupied["Feb 2026"], occupied["Mar 2026"]) == ("0", "37", "47")


def test_the_published_version_suppresses_the_months_like_any_table(data):
    """Published, January to March 2026 (a quarter): a month from 1 to 4 is never shown;
    the chart draws no column for a withheld month."""
    report, m = _tables(date(2026, 1, 1), date(2026, 3, 31), audience="published")
    officer = _tables(date(2026, 1, 1), date(2026, 3, 31))[1]
    placements = m["trend_placements"]
    shown = _column(placements, "started")
    for label, value in _column(officer["trend_placements"], "started").items():
        if value in {"1", "2", "3", "4"}:
            assert shown[label] in {"<5", "[c]"}, label
        if value == "0":
            # A zero reveals nobody; it is withheld only as a complementary cell of the year's
            # joint suppression (reports/family.py), when no non-zero cell was left to withhold.
            assert shown[label] in {"0", "[c]"}, label
    withheld = [label for label, value in shown.items() if value in {"<5", "[c]"} and label != "Total"]
    assert withheld
    svg = str(metric_view(placements, report.threshold).chart)
    markers = svg.count(">&lt;5</text>") + svg.count(">[c]</text>")
    assert markers >= len(withheld)  # a marker, not a column, for each withheld month


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 6, 30)),
    days=st.integers(min_value=1, max_value=200),
)
def test_for_any_period_of_two_months_or_more_the_months_add_up_to_the_sections(data, start, days):
    """Whatever the period (edges on any day), when the window is the period the months' sums are
    the sections' figures, and no monthly figure is negative."""
    end = start + timedelta(days=days - 1)
    _report, m = _tables(start, end)
    totals = {key: metric.table.total for key, metric in m.items() if key.startswith("trend_")}
    for key in totals:
        for row in m[key].table.rows:
            assert all(value is None or value >= 0 for value in row.values.values())
    if (start.year, start.month) == (end.year, end.month):
        return
    activity = {row.label: row.values["count"] for row in m["placement_activity"].table.rows}
    assert totals["trend_occupancy"].values["occupied"] == m["occupancy"].table.total.values["occupied"]
    assert totals["trend_occupancy"].values["available"] == m["occupancy"].table.total.values["available"]
    assert totals["trend_placements"].values["started"] == activity["Placements started"]
    assert totals["trend_placements"].values["ended"] == activity["Placements ended"]
    assert totals["trend_referrals"].values["received"] == m["referral_outcomes"].table.total.values["count"]


def test_the_month_that_is_a_one_month_reports_period_shares_its_facts(data):
    """March 2026's trend row for March is the section's figures: it carries their facts, so a
    figure withheld in one is withheld in the other; the other months and the total do not."""
    _report, m = _tables(scenario.START, scenario.END, audience="published")
    referrals = m["trend_referrals"].table
    march = [row for row in referrals.rows if row.label == "Mar 2026"]
    assert march[0].facts == {"received": "referrals.received"}
    assert not any(row.facts for row in referrals.rows if row.label != "Mar 2026")
    assert referrals.total.facts == {}
    placements = {row.label: row for row in m["trend_placements"].table.rows}
    assert placements["Mar 2026"].facts == {"started": "placements.started", "ended": "placements.ended"}
    # Started 2 and ended 2 in March: withheld in the trend as in the placements table ("<5", or
    # "[c]" where the year's "<5" cells alone would pin the count).
    facts = {
        fact: row.states.get(column)
        for metric in m.values()
        for row in metric.table.all_rows()
        for column, fact in row.facts.items()
        if row.period is None
    }
    for column in ("started", "ended"):
        state = placements["Mar 2026"].states[column]
        assert state in {"primary", "secondary"}
        assert state == facts[f"placements.{column}"]
