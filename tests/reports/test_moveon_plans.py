"""The move-on plan figures (reports/metrics/moveon_plans.py) against a scenario worked by hand,
on the edges of the period.

November 2026 (1–30 November), bedspaces with no turnaround, the report made on 4 December:
  A  arrived 1 Oct, left Sun 1 Nov (the period's first day) to social rent (settled): 31 days.
     Plan: housing register done, successful (25 Oct); bank account no longer needed. Completed.
  B  arrived 2 Nov, left Mon 30 Nov (the period's last day) to temporary accommodation: 28 days.
     Plan: s.73 relief duty done, unsuccessful; supported housing still in progress. Not completed.
  C  arrived 20 Oct, left 1 Dec (after the period): not ended in it, but in it. Plan: a private
     rented viewing done, successful.
  D  arrived 10 Sep, left Sat 31 Oct (the day before): not in November at all. Plan: a benefits
     claim done, successful: counted in October only.
  E  arrived 5 Nov, left 15 Nov to family (settled): 10 days. No plan.
November by hand:
  days to move-on: ended A, B, E → 3; mean (31 + 28 + 10) / 3 = 23; median 28.
                   settled A, E → 2; mean (31 + 10) / 2 = 20.5; median 20.5.
  plans: ended 3; with a plan A, B → 2; completed A → 1 (B has one open); completed and settled 1.
  actions (stays in November: A, B, C, E): housing register 1 (successful), bank account 1 (not
    needed), s.73 relief 1 (unsuccessful), supported housing 1 (open), private rented 1
    (successful); benefits 0 (D is not in November). All: 5 = 2 successful + 1 unsuccessful +
    1 not needed + 1 open.
October by hand: ended D only (31 Oct is October's last day): 1, 51 days, not settled (custody);
  with a plan 1, completed 1, settled 0. Actions: A's two (A had nights in October), C's one, D's one.
"""

from datetime import date

import pytest

from reports.builder import build_report
from tests.factories import (
    BedspaceFactory,
    MoveOnActionFactory,
    MoveOnPlanFactory,
    OffenderFactory,
    PropertyFactory,
)
from tests.reports import scenario
from tests.reports.test_metrics import _figures

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 4)


def stay(place, arrived, departed, destination, *actions):
    placement = scenario._stay(
        OffenderFactory(),
        BedspaceFactory(property=place),
        arrived,
        departed,
        destination=destination,
        departure_reason="planned_move_on",
    )
    if actions:
        plan = MoveOnPlanFactory(placement=placement)
        for fields in actions:
            MoveOnActionFactory(plan=plan, opened_on=arrived, due_on=None, **fields)
    return placement


def done(kind, result, on, **fields):
    return {"kind": kind, "status": "done", "result": result, "outcome_on": on, **fields}


@pytest.fixture
def stays():
    place = PropertyFactory(local_authority="Ceredigion", turnaround_days=0)
    stay(
        place, date(2026, 10, 1), date(2026, 11, 1), "social_rent",
        done("housing_register", "successful", date(2026, 10, 25)),
        {"kind": "bank_account", "status": "not_needed", "outcome_on": date(2026, 10, 20)},
    )  # fmt: skip
    stay(
        place, date(2026, 11, 2), date(2026, 11, 30), "temporary",
        done("wales_s73", "unsuccessful", date(2026, 11, 20), local_authority="Ceredigion"),
        {"kind": "supported_housing", "status": "in_progress"},
    )  # fmt: skip
    stay(
        place,
        date(2026, 10, 20),
        date(2026, 12, 1),
        "private_rent",
        done("private_rented", "successful", date(2026, 11, 28)),
    )
    stay(
        place,
        date(2026, 9, 10),
        date(2026, 10, 31),
        "custody",
        done("benefits", "successful", date(2026, 10, 1)),
    )
    stay(place, date(2026, 11, 5), date(2026, 11, 15), "family")


def figures(start, end):
    return _figures(build_report(start=start, end=end, audience="officer", today=TODAY))


def test_november_by_hand(stays):
    f = figures(date(2026, 11, 1), date(2026, 11, 30))
    assert f["moveon_days"]["Placements ended"] == {"count": 3, "mean": 23, "median": 28}
    assert f["moveon_days"]["Settled move-ons"] == {"count": 2, "mean": 20.5, "median": 20.5}
    plans = {label: row["count"] for label, row in f["moveon_plans"].items()}
    assert plans == {
        "Placements ended": 3,
        "With a move-on plan": 2,
        "Plan completed": 1,
        "Plan completed and moved on to settled housing": 1,
    }
    assert f["moveon_plans"]["Plan completed"]["share"] == pytest.approx(1 / 3)
    actions = f["moveon_actions"]
    assert actions["Housing register application"] == {
        "actions": 1, "successful": 1, "unsuccessful": 0, "not_needed": 0, "open": 0,
    }  # fmt: skip
    assert actions["ID: bank account"]["not_needed"] == 1
    assert actions["Homelessness: relief duty (Housing (Wales) Act 2014 s.73)"]["unsuccessful"] == 1
    assert actions["Supported housing application"]["open"] == 1
    assert actions["Private rented offer or viewing"]["successful"] == 1
    assert actions["Benefits claim"]["actions"] == 0
    assert actions["All actions"] == {
        "actions": 5,
        "successful": 2,
        "unsuccessful": 1,
        "not_needed": 1,
        "open": 1,
    }


def test_october_by_hand(stays):
    f = figures(date(2026, 10, 1), date(2026, 10, 31))
    assert f["moveon_days"]["Placements ended"] == {"count": 1, "mean": 51, "median": 51}
    assert f["moveon_days"]["Settled move-ons"]["count"] == 0
    plans = {label: row["count"] for label, row in f["moveon_plans"].items()}
    assert plans["With a move-on plan"] == 1 and plans["Plan completed"] == 1
    assert plans["Plan completed and moved on to settled housing"] == 0
    assert f["moveon_actions"]["All actions"]["actions"] == 4


def test_an_empty_period_has_no_averages():
    f = figures(date(2026, 11, 1), date(2026, 11, 30))
    assert f["moveon_days"]["Placements ended"] == {"count": 0, "mean": None, "median": None}
    assert f["moveon_plans"]["Plan completed"]["share"] is None
