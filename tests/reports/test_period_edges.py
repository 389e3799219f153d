"""The report on the edges of its period, against figures worked out by hand.

June 2026 (1–30 June, summer time: local = UTC + 1), one property (Ceredigion), one bedspace a stay:
  A  arrives 10 May, departs Mon 1 June (the period's first day): social rent, planned move-on.
     22 nights (10–31 May), none in June. Visit at 14:00 on 1 June (its departure day), 1.5 hours.
  B  arrives Mon 1 June, departs Tue 30 June (the period's last day), recalled to custody that day
     (recall dated 30 June). 29 nights (1–29 June). Visits at 23:30 on 30 June (22:30 UTC, the
     departure day: counts) and at 00:30 on 1 July (23:30 UTC on 30 June, but its local day is
     1 July, after the departure: counts in no period), 1.5 hours each.
June by hand: placements with a night in June 1 (B); ended 2 (A and B); length of stay of those
  ended 22 and 29 → mean 25.5; move-on total 2 (settled 1, custody 1); reasons: planned 1,
  recalled 1; recalls during placement 1 (B's, on its departure day), 1 person; leavers' recalls
  during 1. B also has a recall on 1 Dec 2025 (in the 12 months before): recalls before 1 in
  2 people × 12 = 24 person-months, during 1 in 51 days ≈ 1.68 person-months, so the rate rises
  and costs avoided credit no recall (before the fix the departure-day recall was missed and
  about 1/24 × 1.68 ≈ 0.07 recalls were "avoided"). Visits 2 (A's on 1 June, B's at 23:30 on 30 June), support hours 3.0.
May (1–31 May) by hand: ended 0, visits 0.  July: ended 0, visits 0 (the 00:30 visit is after B left).
May + June (1 May – 30 June): ended 2, visits 2 — the halves add up to the whole.

Turnaround over the spring bank holiday (Mon 25 May 2026), period May 2026: C departs Fri 22 May
  from a bedspace with 2 working days' turnaround: the working days after it are Tue 26 and Wed 27
  (Sat, Sun and the bank holiday skipped), so it is free on Thu 28 May. Empty in turnaround: the
  nights of 22, 23, 24, 25, 26 and 27 May = 6.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referrals.models import OffenderEvent
from reports.builder import build_report
from reports.metrics.registry import REGISTRY
from tests.factories import (
    BedspaceFactory,
    HomeVisitFactory,
    OffenderEventFactory,
    OffenderFactory,
    PropertyFactory,
    UnitCostFactory,
)
from tests.reports import scenario
from tests.reports.test_metrics import _figures

pytestmark = pytest.mark.django_db


def _edge_stays():
    place = PropertyFactory(local_authority="Ceredigion", turnaround_days=0)
    ann, bob = OffenderFactory(), OffenderFactory()
    a = scenario._stay(
        ann,
        BedspaceFactory(property=place),
        date(2026, 5, 10),
        date(2026, 6, 1),
        destination="social_rent",
        departure_reason="planned_move_on",
    )
    b = scenario._stay(
        bob,
        BedspaceFactory(property=place),
        date(2026, 6, 1),
        date(2026, 6, 30),
        destination="custody",
        departure_reason="recalled",
    )
    OffenderEventFactory(offender=bob, kind=OffenderEvent.Kind.RECALL, occurred_on=date(2026, 6, 30))
    OffenderEventFactory(offender=bob, kind=OffenderEvent.Kind.RECALL, occurred_on=date(2025, 12, 1))
    UnitCostFactory(key="recall", name="Recall to custody", central=Decimal("4800"), unit="recall")
    for stay, day, hour, minute in (
        (a, date(2026, 6, 1), 14, 0),
        (b, date(2026, 6, 30), 23, 30),
        (b, date(2026, 7, 1), 0, 30),
    ):
        HomeVisitFactory(
            placement=stay,
            visited_at=datetime.combine(day, time(hour, minute), tzinfo=scenario.LONDON),
            support_hours=Decimal("1.5"),
        )


def _report(start, end):
    return _figures(build_report(start=start, end=end, audience="officer", today=scenario.TODAY))


def _ended_and_visits(figures):
    visits = sum(row["visits"] for row in figures["visits_by_agency"].values())
    return figures["placement_activity"]["Placements ended"]["count"], visits


def test_departures_on_the_first_and_last_day_and_a_recall_on_the_departure_day():
    _edge_stays()
    june = _report(date(2026, 6, 1), date(2026, 6, 30))
    assert june["placement_activity"]["Placements in the period"]["count"] == 1
    assert june["placement_activity"]["Placements ended"]["count"] == 2
    stay = june["length_of_stay"]["Placements ended in the period"]
    assert (stay["ended"], stay["mean"]) == (2, 25.5)
    assert june["move_on"]["Placements ended"]["count"] == 2
    assert june["departure_reasons"]["Recalled to custody"]["count"] == 1
    assert june["compliance"]["Recalls to custody"] == {"events": 1, "people": 1}
    assert june["support_hours"]["Support hours"]["delivered"] == Decimal("3.0")
    assert _ended_and_visits(june) == (2, 2)
    # Recalls before (12 months before arrival) 1 in 2 × 12 person-months; during 1 (on the
    # departure day) in 22 + 29 = 51 days ≈ 1.68 person-months: the rate rises, none avoided.
    assert str(june["costs_avoided"]["Recall to custody"]["saving"]) == "0.00"


def test_a_period_split_in_two_adds_up_for_ended_and_visits():
    _edge_stays()
    may = _ended_and_visits(_report(date(2026, 5, 1), date(2026, 5, 31)))
    june = _ended_and_visits(_report(date(2026, 6, 1), date(2026, 6, 30)))
    july = _ended_and_visits(_report(date(2026, 7, 1), date(2026, 7, 31)))
    both = _ended_and_visits(_report(date(2026, 5, 1), date(2026, 6, 30)))
    assert (may, june, july, both) == ((0, 0), (2, 2), (0, 0), (2, 2))


def test_turnaround_over_a_bank_holiday_is_every_night_to_the_day_the_bedspace_is_free():
    place = PropertyFactory(local_authority="Ceredigion", turnaround_days=2)
    scenario._stay(
        OffenderFactory(),
        BedspaceFactory(property=place),
        date(2026, 5, 1),
        date(2026, 5, 22),
        free_from=date(2026, 5, 28),
        destination="social_rent",
        departure_reason="planned_move_on",
    )
    may = _report(date(2026, 5, 1), date(2026, 5, 31))
    assert may["bedspace_nights"]["Empty in turnaround"]["count"] == 6
    definition = str(REGISTRY["bedspace_nights"].definition)
    assert "every night from a departure day up to the day the bedspace is free" in definition
    assert "working days" not in definition.split("Empty in turnaround")[1].split("free")[0]


# Random stays in May–June 2026: (arrival offset from 20 April, nights, days from arrival to a visit).
random_stays = st.lists(
    st.tuples(st.integers(0, 80), st.integers(1, 40), st.integers(0, 45)), min_size=1, max_size=6
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(random_stays)
def test_ended_leavers_and_move_on_agree_and_halves_add_up(stays):
    """Whatever the stays: ended = leavers in length of stay = move-on total, and May + June = the
    two months together for ended and visits."""
    with transaction.atomic():
        place = PropertyFactory(local_authority="Ceredigion", turnaround_days=0)
        for offset, nights, visit_after in stays:
            arrived = date(2026, 4, 20) + timedelta(days=offset)
            stay = scenario._stay(
                OffenderFactory(),
                BedspaceFactory(property=place),
                arrived,
                arrived + timedelta(days=nights),
                destination="social_rent",
                departure_reason="planned_move_on",
            )
            HomeVisitFactory(
                placement=stay,
                visited_at=datetime.combine(
                    arrived + timedelta(days=visit_after), time(0, 30), tzinfo=scenario.LONDON
                ),
            )
        halves = []
        for start, end in ((date(2026, 5, 1), date(2026, 5, 31)), (date(2026, 6, 1), date(2026, 6, 30))):
            figures = _report(start, end)
            ended = figures["placement_activity"]["Placements ended"]["count"]
            assert figures["length_of_stay"]["Placements ended in the period"]["ended"] == ended
            assert figures["move_on"]["Placements ended"]["count"] == ended
            halves.append(_ended_and_visits(figures))
        whole = _ended_and_visits(_report(date(2026, 5, 1), date(2026, 6, 30)))
        assert whole == tuple(map(sum, zip(*halves, strict=True)))
        transaction.set_rollback(True)
