"""Each metric against the hand-built scenario (tests/reports/scenario.py works every answer out)."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest

from placements.areas import CEREDIGION, POWYS
from reports.builder import build_report
from tests.factories import BedspaceFactory, HomeVisitFactory, OffenderFactory, PropertyFactory
from tests.reports import scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures():
    """The operational version (no suppression), as {metric: {row label: {column: value}}}."""
    scenario.build()
    return _figures(
        build_report(start=scenario.START, end=scenario.END, audience="officer", today=scenario.TODAY)
    )


def _figures(report) -> dict:
    out = {}
    for metric in report.metrics():
        rows = {row.label: row.values for row in metric.table.all_rows()}
        out[metric.key] = rows
    return out


def test_referrals(figures):
    outcomes = figures["referral_outcomes"]
    assert outcomes["Referrals received"]["count"] == 5
    assert [
        outcomes[k]["count"] for k in ("Accepted", "Declined", "Withdrawn", "Waiting for a decision")
    ] == [2, 1, 1, 1]
    reasons = figures["referral_decline_reasons"]
    assert reasons["Risk cannot be managed in the scheme"]["count"] == 1
    assert reasons["Declined"]["count"] == 1
    days = figures["referral_days"]
    assert days["Referral to decision"] == {"referrals": 3, "median": 2}
    assert days["Referral to arrival"] == {"referrals": 2, "median": 9.5}


def test_placements_and_people_placed_twice_counted_once(figures):
    activity = {label: v["count"] for label, v in figures["placement_activity"].items()}
    assert activity == {
        "Placements in the period": 4,
        "Placements started": 2,
        "Placements ended": 2,
        "People placed": 3,
    }


def test_bedspace_nights_with_a_void_inside_a_turnaround(figures):
    nights = {label: v["count"] for label, v in figures["bedspace_nights"].items()}
    assert nights == {
        "Occupied": 47,
        "Empty in turnaround": 1,
        "Other empty nights": 10,
        "Void (not available)": 4,
        "Bedspace-nights in the period": 62,
    }


def test_occupancy_by_area_and_overall(figures):
    # All areas: a row for each area (Alpha House is in Ceredigion, Beta Flat in Powys).
    occupancy = figures["occupancy"]
    assert list(occupancy) == ["Ceredigion", "Powys", "All properties"]
    assert occupancy["Ceredigion"]["available"] == 27 and occupancy["Ceredigion"]["occupied"] == 22
    assert occupancy["Ceredigion"]["rate"] == pytest.approx(22 / 27)
    assert occupancy["Powys"]["rate"] == pytest.approx(25 / 31)
    assert occupancy["All properties"]["rate"] == pytest.approx(47 / 58)


def test_length_of_stay_renewals_and_long_stays(figures):
    los = figures["length_of_stay"]["Placements ended in the period"]
    assert los["ended"] == 2
    assert float(los["mean"]) == 25.5 and los["median"] == 25.5
    assert float(los["renewals"]) == 0.5
    long = figures["long_stays"]
    assert long["More than 28 nights"]["count"] == 1 and long["More than 28 nights"]["share"] == 0.5
    assert long["More than 56 nights"]["count"] == 0


def test_move_on_and_reasons(figures):
    move_on = figures["move_on"]
    settled = move_on["Settled or permanent"]
    assert settled["count"] == 1 and settled["share"] == 0.5
    assert move_on["Homeless (no fixed abode, rough sleeping)"]["count"] == 1
    assert move_on["Placements ended"]["count"] == 2
    reasons = figures["departure_reasons"]
    assert reasons["Planned move-on"]["count"] == 1 and reasons["Evicted for breach of licence"]["count"] == 1


def test_reoffending(figures):
    """Changed by hand with issue 16 (time at risk; see scenario.py "Offending"): Ann's S3 began
    the day S1 ended, so her follow-up from 11 Mar ended at once (placed again, never followed
    up); only Col is followed up at 3 and 6 months (1 May is within 91 and 182 days at risk of
    5 Mar), so 1 of 1. Before: Col's recall of 1 Oct 2025 (no release) kept him in custody to his
    arrival on 1 Feb 2026, 123 days, so 365 + 242 days at risk. After: Ann 0 days, Col 263."""
    assert figures["offending_during"]["During placement"]["offended"] == 2
    after = figures["offending_after"]
    assert after["Within 3 months"] | {} == {
        "left": 2,
        "followed": 1,
        "waiting": 1,
        "placed_again": 1,
        "offended": 1,
        "share": 1.0,
    }
    assert after["Within 6 months"]["offended"] == 1 and after["Within 6 months"]["followed"] == 1
    assert after["Within 12 months"]["followed"] == 0 and after["Within 12 months"]["waiting"] == 2
    rates = figures["offence_rates"]
    month = 365.25 / 12
    assert rates["12 months before"]["rate"] == pytest.approx(2 / ((365 + 242) / month))
    assert rates["During placement"]["rate"] == pytest.approx(2 / (51 / month))
    assert rates["12 months after"]["rate"] == pytest.approx(1 / (263 / month))


def test_compliance(figures):
    compliance = figures["compliance"]
    assert compliance["Licence warnings"] == {"events": 1, "people": 1}
    assert compliance["Licence breaches"] == {"events": 1, "people": 1}
    assert compliance["Recalls to custody"] == {"events": 0, "people": 0}


def test_engagement(figures):
    # All areas: by kind of agency (Probation is a probation service, DDAS a drug and alcohol one).
    visits = figures["visits_by_agency"]
    assert visits["Probation service"]["visits"] == 2 and visits["Drug and alcohol service"]["visits"] == 2
    assert visits["Probation service"]["per_week"] == pytest.approx(2 / (47 / 7))
    weeks = figures["weeks_with_visit"]["Complete placement-weeks"]
    assert (weeks["weeks"], weeks["visited"], weeks["not_visited"], weeks["share"]) == (5, 2, 3, 0.4)
    hours = figures["support_hours"]["Support hours"]
    assert float(hours["delivered"]) == 4.0
    assert float(hours["expected"]) == pytest.approx(10 / 7 * 2.5 + 21 / 7 * 5)


def test_cost(figures):
    cost = figures["cost"]
    assert str(cost["Property costs"]["amount"]) == "930.00"
    assert str(cost["Total cost"]["amount"]) == "930.00"  # funding is not a cost
    assert str(figures["funding"]["Funding received"]["amount"]) == "286.58"
    unit = figures["unit_cost"]
    assert unit["Per placement"]["cost"] == pytest.approx(930 / 4)
    assert unit["Per occupied night"]["cost"] == pytest.approx(930 / 47)
    avoided = figures["costs_avoided"]
    assert str(avoided["Arrest"]["saving"]) == "0.00"
    assert str(avoided["Recall to custody"]["saving"]) == "335.11"
    assert str(avoided["A night in custody"]["saving"]) == "273.68"
    assert "28 nights" in avoided["A night in custody"]["assumption"]


def test_people_at_entry(figures):
    assert figures["gender"]["Male"]["count"] == 2 and figures["gender"]["Female"]["count"] == 1
    ages = {k: v["count"] for k, v in figures["age_band"].items()}
    assert ages == {"18–24": 0, "25–34": 1, "35–44": 1, "45–54": 0, "55+": 1, "People placed": 3}
    ethnicity = figures["ethnicity"]
    assert ethnicity["White"]["count"] == 1 and ethnicity["Mixed or multiple ethnic groups"]["count"] == 1
    assert ethnicity["Not stated"]["count"] == 1
    needs = figures["needs"]
    assert (
        needs["Accommodation"]["count"] == 3
        and needs["Drugs"]["count"] == 1
        and needs["Alcohol"]["count"] == 1
    )


def test_per_area_breakdown(figures):
    alpha, total = figures["per_property"]["Ceredigion"], figures["per_property"]["All properties"]
    assert {k: alpha[k] for k in ("stays", "people", "ended", "occupied", "void", "turnaround")} == {
        "stays": 2,
        "people": 2,
        "ended": 1,
        "occupied": 22,
        "void": 4,
        "turnaround": 1,
    }
    assert str(alpha["cost"]) == "310.00"
    assert total["stays"] == 4 and total["people"] == 3 and total["occupied"] == 47


def test_comparison_with_the_previous_period(figures):
    comparison = figures["comparison"]
    assert comparison["Placements started"] == {"now": 2, "before": 2}
    assert comparison["Placements ended"] == {"now": 2, "before": 0}
    assert comparison["Occupied bedspace-nights"] == {"now": 47, "before": 37}
    assert comparison["Occupancy rate"]["before"] == pytest.approx(37 / 62)
    assert str(comparison["Total cost"]["before"]) == "930.00"


def test_area_filter_keeps_one_local_authority():
    scenario.build()
    report = build_report(
        start=scenario.START, end=scenario.END, area=POWYS, audience="officer", today=scenario.TODAY
    )
    figures = _figures(report)
    assert list(figures["occupancy"]) == ["Beta Flat", "All properties"]
    assert figures["placement_activity"]["Placements in the period"]["count"] == 2  # S3 and S4
    assert str(figures["funding"]["Funding received"]["amount"]) == "0.00"  # funding is scheme-wide
    assert figures["referral_outcomes"]["Referrals received"]["count"] == 5  # referrals have no area


def test_one_area_has_a_row_for_each_agency_and_all_areas_one_for_each_kind():
    scenario.build()
    ceredigion = _figures(
        build_report(
            start=scenario.START,
            end=scenario.END,
            area=CEREDIGION,
            audience="officer",
            today=scenario.TODAY,
        )
    )
    # V1 (Probation, with DDAS jointly) and V4 (Probation) were to stays in Ceredigion.
    visits = {label: row["visits"] for label, row in ceredigion["visits_by_agency"].items()}
    assert visits == {"DDAS": 1, "Probation": 2}


def test_all_areas_add_up_each_areas_properties():
    """A second property in Ceredigion: the all-areas row for Ceredigion is its two properties
    together, and the Ceredigion report shows each of them."""
    scenario.build()
    gamma = PropertyFactory(
        name="Gamma Court", local_authority="Ceredigion", weekly_cost=Decimal("35"), turnaround_days=0
    )
    scenario._stay(
        OffenderFactory(first_name="Dilys"),
        BedspaceFactory(property=gamma, label="Flat 1"),
        date(2026, 3, 10),
        date(2026, 3, 20),
        destination="family",
        departure_reason="planned_move_on",
    )

    def report(area=""):
        return build_report(
            start=scenario.START, end=scenario.END, area=area, audience="officer", today=scenario.TODAY
        )

    everywhere, one_area = report(), report(CEREDIGION)
    areas, properties = _figures(everywhere), _figures(one_area)
    assert list(areas["occupancy"]) == ["Ceredigion", "Powys", "All properties"]
    assert list(properties["occupancy"]) == ["Alpha House", "Gamma Court", "All properties"]
    assert properties["occupancy"]["Gamma Court"] | {} == {"available": 31, "occupied": 10, "rate": 10 / 31}
    assert areas["occupancy"]["Ceredigion"] == properties["occupancy"]["All properties"] | {
        "rate": pytest.approx(32 / 58)
    }
    ceredigion = areas["per_property"]["Ceredigion"]
    assert {k: ceredigion[k] for k in ("stays", "people", "ended", "occupied", "void", "turnaround")} == {
        "stays": 3,
        "people": 3,
        "ended": 2,
        "occupied": 32,
        "void": 4,
        "turnaround": 1,
    }
    assert str(ceredigion["cost"]) == "465.00"  # £310 + £35 × 31/7 = £155
    assert properties["per_property"]["Gamma Court"]["stays"] == 1
    titles = {m.key: (m.title, m.table.row_header) for m in everywhere.metrics()}
    assert titles["occupancy"] == ("Occupancy rate by area", "Area")
    assert titles["visits_by_agency"] == ("Visits per placement-week, by kind of agency", "Kind of agency")
    titles = {m.key: (m.title, m.table.row_header) for m in one_area.metrics()}
    assert titles["per_property"] == ("Breakdown by property", "Property")
    assert titles["visits_by_agency"] == ("Visits per placement-week, by agency", "Agency")


def test_operational_version_names_people_for_case_review(figures):
    assert set(figures["placement_list"]) == {
        "Annwen Zephaniah-Quill",
        "Beatrix Vandersloot",
        "Colwyn Ffyrnig-Barlow",
    }


def test_a_period_with_no_data_gives_zeros_and_no_errors():
    scenario.build()
    report = build_report(
        start=date(2019, 1, 1), end=date(2019, 1, 31), audience="published", today=scenario.TODAY
    )
    figures = _figures(report)
    assert figures["placement_activity"]["Placements in the period"]["count"] == 0
    assert figures["length_of_stay"]["Placements ended in the period"]["median"] is None
    assert figures["occupancy"]["All properties"]["occupied"] == 0


def test_a_visit_counts_in_the_week_of_its_day_in_london():
    # Arrived Monday 6 April 2026 (summer time), left 20 April: complete weeks 6–12 and 13–19 April.
    # Each is visited at half past midnight on its first day: the day before in UTC.
    stay = scenario._stay(
        OffenderFactory(),
        BedspaceFactory(),
        date(2026, 4, 6),
        date(2026, 4, 20),
        destination="social_rent",
        departure_reason="planned_move_on",
    )
    for day in (date(2026, 4, 6), date(2026, 4, 13)):
        HomeVisitFactory(
            placement=stay, visited_at=datetime.combine(day, time(0, 30), tzinfo=scenario.LONDON)
        )
    report = build_report(
        start=date(2026, 4, 1), end=date(2026, 4, 30), audience="officer", today=scenario.TODAY
    )
    weeks = _figures(report)["weeks_with_visit"]["Complete placement-weeks"]
    assert (weeks["weeks"], weeks["visited"]) == (2, 2)
