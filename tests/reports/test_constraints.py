"""The database's own rules for funding lines and comparator unit costs: rows written directly
that break a rule are refused, and the nearest rows that keep it are accepted. Each refusal is
matched on the constraint's name."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from tests.factories import FundingFactory, UnitCostFactory

pytestmark = pytest.mark.django_db


def test_funding_with_a_negative_amount_is_refused():
    with pytest.raises(IntegrityError, match="funding_amount_not_negative"), transaction.atomic():
        FundingFactory(amount=Decimal("-0.01"))


def test_funding_of_nothing_is_allowed():
    assert FundingFactory(amount=Decimal("0")).amount == 0


def test_funding_ending_before_it_starts_is_refused():
    with pytest.raises(IntegrityError, match="funding_dates_in_order"), transaction.atomic():
        FundingFactory(starts_on=date(2026, 4, 1), ends_on=date(2026, 3, 31))


@pytest.mark.parametrize("ends_on", [date(2026, 4, 1), None], ids=["same-day", "open-ended"])
def test_funding_ending_on_or_after_its_start_or_open_ended_is_allowed(ends_on):
    assert FundingFactory(starts_on=date(2026, 4, 1), ends_on=ends_on).ends_on == ends_on


def test_unit_cost_with_a_negative_low_figure_is_refused():
    with pytest.raises(IntegrityError, match="unitcost_low_not_negative"), transaction.atomic():
        UnitCostFactory(low=Decimal("-0.01"), central=Decimal("0"), high=Decimal("0"))


@pytest.mark.parametrize(
    "low, central, high",
    [("10", "9.99", "20"), ("10", "20.01", "20"), ("30", "20", "10")],
    ids=["central-below-low", "central-above-high", "reversed"],
)
def test_unit_cost_figures_out_of_order_are_refused(low, central, high):
    with pytest.raises(IntegrityError, match="unitcost_low_central_high_in_order"), transaction.atomic():
        UnitCostFactory(low=Decimal(low), central=Decimal(central), high=Decimal(high))


@pytest.mark.parametrize("low, central, high", [("0", "0", "0"), ("10", "10", "10"), ("5", "10", "15")])
def test_unit_cost_figures_in_order_from_nothing_are_allowed(low, central, high):
    cost = UnitCostFactory(low=Decimal(low), central=Decimal(central), high=Decimal(high))
    assert cost.low <= cost.central <= cost.high
