"""Total cost, funding, renewals and how rates are printed, against a small scheme worked out by hand.

One property, Gamma House, £70 a week, two bedspaces G1 and G2. Period 1–31 March 2026 (31 days).
Stays (nights are [arrival, departure)); each licence term is 28 days from the last:
  P1  G1   1 Feb → 10 Mar  2 terms: the 2nd starts 1 Mar, before the departure day → 1 renewal
  P2  G2   3 Feb →  3 Mar  2 terms: the 2nd starts 3 Mar, the departure day itself → never used, 0
  P3  G2  10 Mar → 20 Mar  3 terms: the 2nd and 3rd start 7 Apr and 5 May, after it ended → 0
  Ended in March: 3; renewals 1 + 0 + 0 = 1 → 1 / 3 = 0.333… a placement, printed "0.33"
  (counting every term after the first, as before, gave 1 + 1 + 2 = 4 → 1.33).
  Occupied nights in March: P1 1–9 = 9, P2 1–2 = 2, P3 10–19 = 10 → 21.

Cost: £70 × 31 / 7 = £310.00; that is the total cost (funding is not added).
  Per placement £310 / 3 = £103.33; per occupied night £310 / 21 = £14.76.
Funding received in March (not a cost):
  £11,000 grant 1 Apr 2025 – 31 Mar 2026 (365 days, both counted): 31 days → 11,000 × 31 / 365 = £934.2466
  £1,200 with no end from 17 Mar 2026: spread over 365 days from 17 Mar; 17–31 Mar = 15 days
    → 1,200 × 15 / 365 = £49.3151
  £730 with no end from 31 Mar 2025: its 365 days run to 30 Mar 2026; 1–30 Mar = 30 days → £60.00
  £365 with no end from 1 Jan 2025: its 365 days ended 31 Dec 2025 → £0
  Sum 934.2466 + 49.3151 + 60 = 1,043.5617 → £1,043.56.
"""

from datetime import date
from decimal import Decimal

import pytest

from reports.builder import build_report
from reports.tables import NUMBER, RATE, Column, Row, display, plain_value
from tests.factories import BedspaceFactory, FundingFactory, OffenderFactory, PropertyFactory
from tests.reports import scenario

pytestmark = pytest.mark.django_db

LEFT = {"destination": "social_rent", "departure_reason": "planned_move_on"}
START, END, TODAY = date(2026, 3, 1), date(2026, 3, 31), date(2026, 11, 23)


def _build():
    gamma = PropertyFactory(
        name="Gamma House", local_authority="Ceredigion", weekly_cost=Decimal("70"), turnaround_days=0
    )
    g1, g2 = BedspaceFactory(property=gamma, label="G1"), BedspaceFactory(property=gamma, label="G2")
    first, second, third = (OffenderFactory() for _ in range(3))
    scenario._stay(first, g1, date(2026, 2, 1), date(2026, 3, 10), terms=2, **LEFT)
    scenario._stay(second, g2, date(2026, 2, 3), date(2026, 3, 3), terms=2, **LEFT)
    scenario._stay(third, g2, date(2026, 3, 10), date(2026, 3, 20), terms=3, **LEFT)
    FundingFactory(amount=Decimal("11000"), starts_on=date(2025, 4, 1), ends_on=date(2026, 3, 31))
    FundingFactory(name="Open", amount=Decimal("1200"), starts_on=date(2026, 3, 17), ends_on=None)
    FundingFactory(name="Year edge", amount=Decimal("730"), starts_on=date(2025, 3, 31), ends_on=None)
    FundingFactory(name="Old", amount=Decimal("365"), starts_on=date(2025, 1, 1), ends_on=None)


@pytest.fixture
def report():
    _build()
    return build_report(start=START, end=END, audience="officer", today=TODAY)


def _tables(report) -> dict:
    return {metric.key: metric.table for metric in report.metrics()}


def _values(table) -> dict:
    return {row.label: row.values for row in table.all_rows()}


def test_total_cost_is_the_property_costs_and_funding_is_shown_apart(report):
    tables = _tables(report)
    cost = _values(tables["cost"])
    assert str(cost["Property costs"]["amount"]) == "310.00"
    assert str(cost["Total cost"]["amount"]) == "310.00"
    assert "Funding lines" not in cost
    assert str(_values(tables["funding"])["Funding received"]["amount"]) == "1043.56"
    unit = _values(tables["unit_cost"])
    assert unit["Per placement"]["count"] == 3
    assert unit["Per placement"]["cost"] == pytest.approx(310 / 3)
    assert unit["Per occupied night"]["count"] == 21
    assert unit["Per occupied night"]["cost"] == pytest.approx(310 / 21)


def test_an_open_ended_grant_is_spread_over_its_first_365_days():
    _build()
    # April 2026: the £11,000 has ended; the £1,200 has 30 of its days (1,200 × 30 / 365 = 98.6301);
    # the £730 ended on 30 Mar 2026 → £98.63.
    april = build_report(start=date(2026, 4, 1), end=date(2026, 4, 30), audience="officer", today=TODAY)
    assert str(_values(_tables(april)["funding"])["Funding received"]["amount"]) == "98.63"


def test_a_renewal_whose_term_never_started_is_not_counted(report):
    los = _values(_tables(report)["length_of_stay"])["Placements ended in the period"]
    assert los["ended"] == 3
    assert float(los["renewals"]) == pytest.approx(1 / 3)
    placements = _values(_tables(report)["placement_list"])
    assert sorted(row["renewals"] for row in placements.values()) == [0, 0, 1]


def test_renewals_per_placement_are_printed_to_two_decimals(report):
    table = _tables(report)["length_of_stay"]
    column = next(c for c in table.columns if c.key == "renewals")
    row = table.rows[0]
    assert display(column, row, 5) == "0.33"
    assert plain_value(column, row) == 0.33


@pytest.mark.parametrize(("value", "shown"), [(0.22, "0.22"), (0.125, "0.13"), (1 / 12, "0.08"), (2, "2.00")])
def test_rates_are_printed_to_two_decimals(value, shown):
    """Rounded half up to two decimals: 0.125 → 0.13 (not 0.1, which would read as a halving of 0.2)."""
    row = Row("A rate", {"rate": value})
    assert display(Column("rate", "Rate", RATE), row, 5) == shown
    assert plain_value(Column("rate", "Rate", RATE), row) == float(shown)


def test_other_numbers_keep_one_decimal():
    assert display(Column("months", "Person-months", NUMBER), Row("Months", {"months": 24}), 5) == "24.0"
