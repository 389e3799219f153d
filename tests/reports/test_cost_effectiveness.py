"""Cost against the alternatives, costs avoided as a range, the assumptions used, move-on in the
homelessness statistics' groups, and support and engagement, against a small scheme worked out by hand.

One property, Delta House, Ceredigion, £70 a week, bedspaces D1, D2, D3. Period 1–31 March 2026
(31 days); the report is made on 23 November 2026. Nights are [arrival, departure).
  P1  Aled   D1  1 Feb → 15 Mar  social rent (settled)        March nights 1–14  = 14
  P2  Bethan D2  1 Mar → 22 Mar  custody (institutional)      March nights 1–21  = 21
  P3  Carys  D3 10 Mar → (still there)                        March nights 10–31 = 22
  P4  Dewi   D1 15 Mar → 31 Mar  no fixed abode (homeless)    March nights 15–30 = 16
  Occupied nights 14 + 21 + 22 + 16 = 73; people placed 4; ended 3 (P1, P2, P4); settled 1.

Cost: £70 × 31 ÷ 7 = £310.00 (property costs only; no funding here, and funding is never added).
Unit costs (low / central / high): custody night 110 / 140 / 190; approved premises night
90 / 120 / 160; bed and breakfast night 40 / 60 / 95; recall 3,000 / 4,800 / 6,500; arrest
500 / 780 / 1,200.

Cost per person, per night and per settled move-on (central alternatives, for the same 73 nights):
  The scheme     per person 310 ÷ 4 = 77.50; per night 310 ÷ 73 = 4.2466 (£4.25); per settled 310 ÷ 1 = 310
  Custody        73 × 140 = 10,220 → ÷ 4 = 2,555.00; per night 140; per settled 10,220
  Approved pr.   73 × 120 =  8,760 → ÷ 4 = 2,190.00; per night 120; per settled 8,760
  B&B            73 × 60  =  4,380 → ÷ 4 = 1,095.00; per night 60;  per settled 4,380
The alternatives for the same nights (low / central / high; central less the scheme's £310):
  Custody   73 × 110 = 8,030; 10,220; 73 × 190 = 13,870; 10,220 − 310 = 9,910
  AP        73 × 90  = 6,570;  8,760; 73 × 160 = 11,680;  8,450
  B&B       73 × 40  = 2,920;  4,380; 73 × 95  =  6,935;  4,070

Costs avoided, for the 3 leavers (Aled, Bethan, Dewi): nights of the stays that ended 42 + 21 + 16
= 79 → 79 ÷ 30.4375 = 2.595483 person-months. Arrests in the 12 months before the first arrival:
Aled 3, Bethan 1, Dewi 2 = 6; none in placement. Recalls before: Bethan 1; none in placement.
  Arrests avoided  (6 ÷ (12 × 3) − 0) × 2.595483 = 0.432580 → × 500 = 216.29, × 780 = 337.41, × 1,200 = 519.10
  Recalls avoided  (1 ÷ 36) × 2.595483 = 0.072097 → × 3,000 = 216.29, × 4,800 = 346.06, × 6,500 = 468.63
  Custody nights   0.072097 × 28 = 2.018709 → × 110 = 222.06, × 140 = 282.62, × 190 = 383.55
  Total            low 654.64, central 966.09, high 1,371.28

Move-on (3 ended): settled 1 (social rent), temporary 0, institutional 1 (custody), homeless 1 (no
fixed abode), other or not known 0.

Support. Complete placement-weeks starting in March (days 1–7, 8–14, … from the arrival):
  P1 1 Mar, 8 Mar (2; no plan); P2 1, 8, 15 Mar (3); P3 10, 17, 24, 31 Mar (4); P4 15, 22 Mar (2; no plan) = 11.
  P2: tier T2 (5 hours), Probation. P3: tier T1 (2.5 hours), Probation and DDAS (drug and alcohol).
Visits (lead agency, hours, drug test, engagement; UK local times; summer time starts 29 March):
  P2  3 Mar Probation 3.0 negative/good;  6 Mar Probation 2.5 –/some;  10 Mar Probation 2.0
      positive/none;  22 Mar (the departure day) Probation 1.0 not taken/some
  P3 11 Mar Probation 2.5 negative/good;  12 Mar Probation, cancelled (never counted);
      18 Mar DDAS 1.0 with Probation (joint) negative/good;  25 Mar DDAS 2.0 –/some;
      30 Mar 00:30 BST (29 Mar 23:30 UTC) DDAS 1.0 positive/–;  31 Mar 00:30 BST Probation 0.5 –/good;
       2 Apr Probation 3.0 (after the period: in P3's week of 31 Mar, not in the period's visits)
  Week by week:
    P2 w1 (1–7):  Probation 3 + 2.5 = 5.5 ≥ 5 met.   w2 (8–14): 2 < 5 not met.   w3 (15–21): no visit, missed.
    P3 w1 (10–16): Probation 2.5 ≥ 2.5 met; DDAS no visit (missed); together 2.5 met.
    P3 w2 (17–23): joint visit, led by DDAS: DDAS 1 not met; Probation visited (joint) but 0 hours,
                   not met; together 1, not met.
    P3 w3 (24–30): DDAS 2 + 1 (30 Mar, local day) = 3 met; Probation no visit (its 31 Mar visit is
                   the next week's), missed; together 3 met.
    P3 w4 (31 Mar–6 Apr): Probation 0.5 + 3 = 3.5 met; DDAS missed; together met.
  Probation service: weeks 3 + 4 = 7, met 3 (P2 w1, P3 w1, P3 w4), not met 4, missed 2 (P2 w3, P3 w3).
  Drug and alcohol service: weeks 4, met 1 (P3 w3), not met 3, missed 2 (P3 w1, P3 w4).
  Together: weeks 7, met 4 (P2 w1, P3 w1, w3, w4), not met 3, missed 1 (P2 w3).
  Cross-check: weeks without any visit (the weeks table) 11 − 6 visited = 5 = the 1 plan-week
  missed + the 4 weeks of stays with no plan.
Visits in the period, each once: P2 4 + P3 5 = 9 (not the cancelled one, not 2 April).
  Drug tests: negative 3, positive 2, not taken 1, not recorded 3.
  Engagement: good 4, some 3, none 1, not recorded 1.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from agencies.models import HomeVisit
from placements.areas import CEREDIGION
from placements.models import Destination
from referrals.models import OffenderEvent
from reports.builder import build_report
from tests.factories import (
    AgencyFactory,
    BedspaceFactory,
    HomeVisitFactory,
    OffenderEventFactory,
    OffenderFactory,
    PropertyFactory,
    SupportAgencyFactory,
    SupportPlanFactory,
    UnitCostFactory,
)
from tests.reports import scenario

pytestmark = pytest.mark.django_db

START, END, TODAY = date(2026, 3, 1), date(2026, 3, 31), date(2026, 11, 23)
LONDON = ZoneInfo("Europe/London")
D = HomeVisit.DrugTest
E = HomeVisit.Engagement

UNIT_COSTS = [
    ("custody-night", "A night in custody", "night", "110", "140", "190"),
    ("approved-premises-night", "A night in approved premises", "night", "90", "120", "160"),
    ("bed-and-breakfast-night", "A night in bed and breakfast", "night", "40", "60", "95"),
    ("recall", "Recall to custody", "recall", "3000", "4800", "6500"),
    ("arrest", "Arrest", "arrest", "500", "780", "1200"),
]


def _unit_costs():
    for key, name, unit, low, central, high in UNIT_COSTS:
        UnitCostFactory(
            key=key, name=name, unit=unit, low=Decimal(low), central=Decimal(central), high=Decimal(high)
        )


def _visit(placement, agency, when: datetime, hours: str, drug: str = "", engagement: str = "", **extra):
    return HomeVisitFactory(
        placement=placement,
        agency=agency,
        visited_at=when,
        support_hours=Decimal(hours),
        drug_test=drug,
        engagement=engagement,
        **extra,
    )


def _build() -> None:
    delta = PropertyFactory(
        name="Delta House", local_authority="Ceredigion", weekly_cost=Decimal("70"), turnaround_days=0
    )
    d1, d2, d3 = (BedspaceFactory(property=delta, label=label) for label in ("D1", "D2", "D3"))
    aled, bethan, carys, dewi = (OffenderFactory(first_name=n) for n in ("Aled", "Bethan", "Carys", "Dewi"))
    left = {"departure_reason": "planned_move_on"}
    scenario._stay(aled, d1, date(2026, 2, 1), date(2026, 3, 15), destination="social_rent", **left)
    p2 = scenario._stay(
        bethan, d2, date(2026, 3, 1), date(2026, 3, 22), destination="custody", departure_reason="arrested"
    )
    p3 = scenario._stay(carys, d3, date(2026, 3, 10))
    scenario._stay(dewi, d1, date(2026, 3, 15), date(2026, 3, 31), destination="no_fixed_abode", **left)
    for person, days in (
        (aled, [date(2025, 6, 1), date(2025, 9, 1), date(2025, 12, 1)]),
        (bethan, [date(2025, 10, 10)]),
        (dewi, [date(2025, 5, 5), date(2026, 1, 20)]),
    ):
        for day in days:
            OffenderEventFactory(offender=person, kind=OffenderEvent.Kind.ARREST, occurred_on=day)
    # Bethan's recall before her stay, released before she arrived.
    OffenderEventFactory(offender=bethan, kind=OffenderEvent.Kind.RECALL, occurred_on=date(2025, 11, 1))
    OffenderEventFactory(offender=bethan, kind=OffenderEvent.Kind.RELEASE, occurred_on=date(2025, 11, 29))
    _unit_costs()

    probation = AgencyFactory(name="Probation", kind="probation")
    ddas = AgencyFactory(name="DDAS", kind="drug_alcohol")
    SupportAgencyFactory(support_plan=SupportPlanFactory(placement=p2, tier="t2"), agency=probation)
    plan3 = SupportPlanFactory(placement=p3, tier="t1")
    SupportAgencyFactory(support_plan=plan3, agency=probation)
    SupportAgencyFactory(support_plan=plan3, agency=ddas)

    def at(day, hour=12, minute=0):
        return datetime(2026, *day, hour, minute, tzinfo=LONDON)

    _visit(p2, probation, at((3, 3)), "3.0", D.NEGATIVE, E.GOOD)
    _visit(p2, probation, at((3, 6)), "2.5", "", E.SOME)
    _visit(p2, probation, at((3, 10)), "2.0", D.POSITIVE, E.NONE)
    _visit(p2, probation, at((3, 22), 10), "1.0", D.NOT_TAKEN, E.SOME)
    _visit(p3, probation, at((3, 11)), "2.5", D.NEGATIVE, E.GOOD)
    _visit(p3, probation, at((3, 12)), "2.0", D.NEGATIVE, E.GOOD, outcome=HomeVisit.Outcome.CANCELLED)
    joint = _visit(p3, ddas, at((3, 18)), "1.0", D.NEGATIVE, E.GOOD)
    joint.other_agencies.add(probation)
    _visit(p3, ddas, at((3, 25)), "2.0", "", E.SOME)
    _visit(p3, ddas, at((3, 30), 0, 30), "1.0", D.POSITIVE, "")
    _visit(p3, probation, at((3, 31), 0, 30), "0.5", "", E.GOOD)
    _visit(p3, probation, at((4, 2)), "3.0", "", E.GOOD)


@pytest.fixture
def tables():
    _build()
    report = build_report(start=START, end=END, audience="officer", today=TODAY)
    return {metric.key: metric.table for metric in report.metrics()}


def _values(table) -> dict:
    return {row.label: row.values for row in table.all_rows()}


def _money(values: dict) -> dict:
    return {
        key: str(Decimal(str(value)).quantize(Decimal("0.01")))
        for key, value in values.items()
        if value is not None
    }


def test_cost_per_person_night_and_settled_move_on_against_the_alternatives(tables):
    cost = _values(tables["cost_effectiveness"])
    per_person = cost["Per person housed"]
    assert per_person["count"] == 4
    assert _money({k: v for k, v in per_person.items() if k != "count"}) == {
        "scheme": "77.50",
        "custody-night": "2555.00",
        "approved-premises-night": "2190.00",
        "bed-and-breakfast-night": "1095.00",
    }
    per_night = cost["Per occupied night"]
    assert per_night["count"] == 73
    assert _money({k: v for k, v in per_night.items() if k != "count"}) == {
        "scheme": "4.25",
        "custody-night": "140.00",
        "approved-premises-night": "120.00",
        "bed-and-breakfast-night": "60.00",
    }
    settled = cost["Per settled move-on"]
    assert settled["count"] == 1
    assert _money({k: v for k, v in settled.items() if k != "count"}) == {
        "scheme": "310.00",
        "custody-night": "10220.00",
        "approved-premises-night": "8760.00",
        "bed-and-breakfast-night": "4380.00",
    }
    # The same counts as the tables they come from: people placed, nights, settled move-ons.
    activity = _values(tables["placement_activity"])
    assert activity["People placed"]["count"] == per_person["count"]
    assert tables["move_on"].rows[0].values["count"] == settled["count"]
    assert _values(tables["unit_cost"])["Per occupied night"]["count"] == per_night["count"]
    assert str(_values(tables["cost"])["Total cost"]["amount"]) == "310.00"


def test_the_alternatives_for_the_same_nights_low_central_high(tables):
    alternatives = _values(tables["alternative_cost"])
    scheme = alternatives["This scheme (property costs)"]
    assert scheme["nights"] == 73 and str(scheme["central"]) == "310.00"
    expected = {
        "A night in custody": ("8030.00", "10220.00", "13870.00", "9910.00"),
        "A night in approved premises": ("6570.00", "8760.00", "11680.00", "8450.00"),
        "A night in bed and breakfast": ("2920.00", "4380.00", "6935.00", "4070.00"),
    }
    for name, (low, central, high, difference) in expected.items():
        row = alternatives[name]
        assert row["nights"] == 73
        assert (str(row["low"]), str(row["central"]), str(row["high"]), str(row["difference"])) == (
            low,
            central,
            high,
            difference,
        )


def test_costs_avoided_are_a_low_central_high_range(tables):
    avoided = _values(tables["costs_avoided"])
    expected = {
        "Arrest": (0.432580, "216.29", "337.41", "519.10"),
        "Recall to custody": (0.072097, "216.29", "346.06", "468.63"),
        "A night in custody": (2.018709, "222.06", "282.62", "383.55"),
    }
    for name, (quantity, low, central, high) in expected.items():
        row = avoided[name]
        assert row["people"] == 3
        assert row["quantity"] == pytest.approx(quantity, abs=1e-6)
        assert (str(row["saving_low"]), str(row["saving"]), str(row["saving_high"])) == (low, central, high)
    total = avoided["Total estimated saving"]
    assert (str(total["saving_low"]), str(total["saving"]), str(total["saving_high"])) == (
        "654.64",
        "966.09",
        "1371.28",
    )


def test_the_report_lists_the_assumptions_it_used(tables):
    used = _values(tables["assumptions_used"])
    assert list(used) == [
        "A night in custody",
        "A night in approved premises",
        "A night in bed and breakfast",
        "Recall to custody",
        "Arrest",
    ]
    custody = used["A night in custody"]
    assert (str(custody["low"]), str(custody["central"]), str(custody["high"])) == (
        "110.00",
        "140.00",
        "190.00",
    )
    assert custody["unit"] == "night"
    assert custody["source"] == "HMPPS annual report: costs per prison place"
    assert custody["source_date"] == "October 2025"
    assert "alternative" in custody["used_for"]


def test_a_unit_cost_not_set_is_listed_as_not_set_and_its_figures_left_out():
    _build()
    from reports.models import UnitCost

    UnitCost.objects.filter(key="approved-premises-night").delete()
    report = build_report(start=START, end=END, audience="officer", today=TODAY)
    tables = {metric.key: metric.table for metric in report.metrics()}
    assert _values(tables["assumptions_used"])["approved-premises-night"]["source"] == "Not set"
    assert "approved-premises-night" not in [c.key for c in tables["cost_effectiveness"].columns]
    assert "A night in approved premises" not in _values(tables["alternative_cost"])


def test_move_on_in_the_homelessness_statistics_groups(tables):
    groups = _values(tables["move_on"])
    assert {label: v["count"] for label, v in groups.items()} == {
        "Settled or permanent": 1,
        "Temporary": 0,
        "Institutional (custody, hospital, treatment)": 1,
        "Homeless (no fixed abode, rough sleeping)": 1,
        "Other or not known": 0,
        "Placements ended": 3,
    }
    assert tables["move_on"].rows[0].values["share"] == pytest.approx(1 / 3)
    destinations = tables["move_on_destinations"]
    cells = {
        (row.label, column.key): row.values[column.key]
        for row in destinations.rows
        for column in destinations.columns
        if column.key in row.values
    }
    # Each destination under its one group, the groups in order.
    assert cells == {
        ("Settled: social rent", "settled"): 1,
        ("Settled: private rent", "settled"): 0,
        ("Settled: long-term supported housing", "settled"): 0,
        ("Settled: living with family", "settled"): 0,
        ("Temporary accommodation", "temporary"): 0,
        ("Custody", "institutional"): 1,
        ("Hospital or treatment", "institutional"): 0,
        ("No fixed abode or rough sleeping", "homeless"): 1,
        ("Other", "unknown"): 0,
        ("Unknown", "unknown"): 0,
    }
    # The group totals are the group table's counts, and they add up to the placements ended.
    totals = destinations.total.values
    assert [totals[g] for g in ("settled", "temporary", "institutional", "homeless", "unknown")] == [
        1,
        0,
        1,
        1,
        0,
    ]
    assert (
        sum(totals.values())
        == groups["Placements ended"]["count"]
        == _values(tables["placement_activity"])["Placements ended"]["count"]
    )


def test_support_tier_met_and_missed_visit_weeks_by_kind_of_agency(tables):
    tier = _values(tables["support_tier_met"])
    picked = {label: (v["weeks"], v["met"], v["not_met"], v["missed"]) for label, v in tier.items()}
    assert picked == {
        "Probation service": (7, 3, 4, 2),
        "Drug and alcohol service": (4, 1, 3, 2),
        "All agencies on the plan, together": (7, 4, 3, 1),
    }
    assert tier["Probation service"]["share"] == pytest.approx(3 / 7)
    assert tier["All agencies on the plan, together"]["missed_share"] == pytest.approx(1 / 7)
    # Cross-check with the weeks table: 11 weeks, 6 with a visit; the 5 without are the 1 plan-week
    # missed and the 4 weeks of stays without a plan.
    weeks = _values(tables["weeks_with_visit"])["Complete placement-weeks"]
    assert (weeks["weeks"], weeks["visited"], weeks["not_visited"]) == (11, 6, 5)


def test_drug_tests_and_engagement_recorded_on_visits(tables):
    drugs = {label: v["count"] for label, v in _values(tables["drug_tests"]).items()}
    assert drugs == {
        "Negative": 3,
        "Positive": 2,
        "Asked for, but not taken": 1,
        "Not recorded": 3,
        "Visits": 9,
    }
    engagement = {label: v["count"] for label, v in _values(tables["visit_engagement"]).items()}
    assert engagement == {"Good": 4, "Some": 3, "None": 1, "Not recorded": 1, "Visits": 9}


def test_with_one_area_the_tier_table_has_a_row_for_each_agency():
    _build()
    report = build_report(start=START, end=END, area=CEREDIGION, audience="officer", today=TODAY)
    tier = {m.key: m for m in report.metrics()}["support_tier_met"].table
    picked = {row.label: (row.values["weeks"], row.values["met"], row.values["missed"]) for row in tier.rows}
    assert picked == {
        "DDAS": (4, 1, 2),
        "Probation": (7, 3, 2),
        "All agencies on the plan, together": (7, 4, 1),
    }


# Random stays in May–June 2026: (arrival offset from 20 April, nights or None for not ended,
# destination, tier or None for no plan, visits as (days from arrival, hour, hours, drug test, engagement)).
DESTINATIONS = [d for d, _label in Destination.choices]
random_visit = st.tuples(
    st.integers(0, 45),
    st.sampled_from([0, 12, 23]),
    st.sampled_from(["0", "1.5", "2.5", "5", "10"]),
    st.sampled_from(["", *HomeVisit.DrugTest.values]),
    st.sampled_from(["", *HomeVisit.Engagement.values]),
)
random_histories = st.lists(
    st.tuples(
        st.integers(0, 80),
        st.one_of(st.none(), st.integers(1, 40)),
        st.sampled_from(DESTINATIONS),
        st.one_of(st.none(), st.sampled_from(["t1", "t2", "t3"])),
        st.lists(random_visit, max_size=4),
    ),
    min_size=1,
    max_size=5,
)


def _tables_for(start, end, area="") -> dict:
    report = build_report(start=start, end=end, area=area, audience="officer", today=date(2026, 9, 1))
    return {metric.key: metric.table for metric in report.metrics()}


@hyp_settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(random_histories)
def test_cost_move_on_and_engagement_invariants_over_random_histories(histories):
    """Whatever the history: the move-on groups, their destinations and the placements ended agree;
    the cost table's counts are the other tables' counts; low ≤ central ≤ high; every count is 0 or
    more; the tier table's weeks are the weeks table's weeks with a plan; and May + June add up to
    the two months for the visits, the drug tests and the tier's weeks."""
    with transaction.atomic():
        _unit_costs()
        place = PropertyFactory(local_authority="Ceredigion", turnaround_days=0)
        agency = AgencyFactory(kind="probation")
        for offset, nights, destination, tier, visits in histories:
            arrived = date(2026, 4, 20) + timedelta(days=offset)
            departed = arrived + timedelta(days=nights) if nights else None
            ended = {"destination": destination, "departure_reason": "planned_move_on"} if departed else {}
            stay = scenario._stay(
                OffenderFactory(), BedspaceFactory(property=place), arrived, departed, **ended
            )
            if tier:
                SupportAgencyFactory(
                    support_plan=SupportPlanFactory(placement=stay, tier=tier), agency=agency
                )
            for after, hour, hours, drug, engagement in visits:
                day = arrived + timedelta(days=after)
                _visit(
                    stay,
                    agency,
                    datetime(day.year, day.month, day.day, hour, 30, tzinfo=LONDON),
                    hours,
                    drug,
                    engagement,
                )
        halves = []
        for start, end in ((date(2026, 5, 1), date(2026, 5, 31)), (date(2026, 6, 1), date(2026, 6, 30)), (date(2026, 5, 1), date(2026, 6, 30))):  # fmt: skip
            tables = _tables_for(start, end)
            ended = _values(tables["placement_activity"])["Placements ended"]["count"]
            groups = tables["move_on"]
            destinations = tables["move_on_destinations"]
            assert groups.total.values["count"] == ended == sum(destinations.total.values.values())
            for row, group in zip(groups.rows, destinations.total.values, strict=True):
                assert row.values["count"] == destinations.total.values[group]
                assert destinations.total.values[group] == sum(
                    r.values.get(group, 0) for r in destinations.rows
                )
            cost = _values(tables["cost_effectiveness"])
            assert (
                cost["Per person housed"]["count"]
                == _values(tables["placement_activity"])["People placed"]["count"]
            )
            assert (
                cost["Per occupied night"]["count"]
                == _values(tables["unit_cost"])["Per occupied night"]["count"]
            )
            assert cost["Per settled move-on"]["count"] == groups.rows[0].values["count"]
            for row in tables["alternative_cost"].rows[1:]:
                assert row.values["low"] <= row.values["central"] <= row.values["high"]
            for row in tables["costs_avoided"].all_rows():
                assert 0 <= row.values["saving_low"] <= row.values["saving"] <= row.values["saving_high"]
            drugs, engagement = tables["drug_tests"], tables["visit_engagement"]
            assert drugs.total.values["count"] == engagement.total.values["count"]
            assert drugs.total.values["count"] == sum(r.values["count"] for r in drugs.rows)
            tier = _values(tables["support_tier_met"])["All agencies on the plan, together"]
            weeks = _values(tables["weeks_with_visit"])["Complete placement-weeks"]
            assert tier["met"] + tier["not_met"] == tier["weeks"] <= weeks["weeks"]
            assert tier["missed"] <= min(tier["not_met"], weeks["not_visited"])
            for table in (groups, destinations, drugs, engagement, tables["support_tier_met"]):
                for row in table.all_rows():
                    assert all(
                        row.values.get(c.key) is None or row.values[c.key] >= 0 for c in table.count_columns()
                    )
            halves.append(
                (
                    drugs.total.values["count"],
                    tier["weeks"],
                    tier["met"],
                    tier["missed"],
                    *(r.values["count"] for r in engagement.rows),
                )
            )
        may, june, both = halves
        assert both == tuple(a + b for a, b in zip(may, june, strict=True))
        transaction.set_rollback(True)
