"""Multi-agency engagement: visits per placement-week, weeks with a visit, support hours against the
tier, the weeks each agency met the tier or missed, and the drug tests and engagement recorded on visits."""

from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, HomeVisit
from placements.models import TIER_WEEKLY_HOURS
from reports.metrics.facts import PLACEMENT_WEEKS, VISIT_IN_WEEK, Facts
from reports.metrics.figures import group_table, ratio
from reports.metrics.registry import Scope, joined, metric
from reports.metrics.sql import (
    AGENCY,
    HOME_VISIT,
    HOME_VISIT_OTHER_AGENCIES,
    SUPPORT_AGENCY,
    SUPPORT_PLAN,
    sql_one,
    sql_rows,
)
from reports.tables import NUMBER, PERCENT, RATE, Column, Row, Table

VISIT_NOTE = _(
    "A visit is a home visit, call or office appointment recorded and not cancelled. It counts in the "
    "period that holds its day (its UK local date: 00:30 in summer time is that day, not the one "
    "before), for its stay when that day is from the arrival day to the departure day, both included."
)


@metric(
    "visits_by_agency",
    "engagement",
    _("Visits per placement-week, by kind of agency"),
    joined(
        _(
            "Visits on days in the period to people in a stay, divided by the placement-weeks in the "
            "period (occupied nights ÷ 7). With all areas, a row for each kind of agency (probation "
            "services, drug and alcohol services, …): a visit counts once for each kind of agency on it. "
            "With one area chosen, a row for each agency: a joint visit counts for every agency on it. "
        ),
        VISIT_NOTE,
    ),
    chart="per_week",
    area_title=_("Visits per placement-week, by agency"),
)
def visits_by_agency(scope: Scope, facts: Facts) -> Table:
    counts = facts.visits["groups"]
    if scope.area:
        labels = [(name, name) for name in counts]
        header = _("Agency")
    else:
        labels = [(kind, label) for kind, label in Agency.Kind.choices if kind in counts]
        header = _("Kind of agency")
    weeks = facts.stays["nights"] / 7
    columns = [
        Column("visits", _("Visits")),
        Column("per_week", _("Visits per placement-week"), RATE, derived_from="visits"),
    ]
    return Table(
        columns,
        [
            Row(str(label), {"visits": counts[key], "per_week": ratio(counts[key], weeks)})
            for key, label in labels
        ],
        row_header=str(header),
    )


@metric(
    "weeks_with_visit",
    "engagement",
    _("Placement-weeks with at least one visit"),
    joined(
        _(
            "Each stay's weeks counted from the arrival day (days 1 to 7, 8 to 14, …) that start in the "
            "period and are complete before the departure (or the report): the share with at least one "
            "visit by any agency. "
        ),
        VISIT_NOTE,
    ),
)
def weeks_with_visit(scope: Scope, facts: Facts) -> Table:
    weeks, visited = facts.visits["weeks"], facts.visits["visited"]
    columns = [
        Column("weeks", _("Placement-weeks")),
        Column("visited", _("With a visit")),
        Column("not_visited", _("Without a visit")),
        Column("share", _("Share with a visit"), PERCENT, derived_from="visited", basis="weeks"),
    ]
    values = {
        "weeks": weeks,
        "visited": visited,
        "not_visited": weeks - visited,
        "share": ratio(visited, weeks),
    }
    return Table(
        columns,
        [Row(str(_("Complete placement-weeks")), values)],
        row_relations=[("weeks", ["visited", "not_visited"])],
    )


@metric(
    "support_hours",
    "engagement",
    _("Support hours delivered against the tier"),
    joined(
        _(
            "Support hours recorded on visits on days in the period to people in a stay, against the hours "
            "their support tier sets (T1 2.5, T2 5, T3 10 hours a week) for their occupied nights in the "
            "period (nights ÷ 7 × weekly hours). Stays with no support plan expect no hours. "
        ),
        VISIT_NOTE,
    ),
)
def support_hours(scope: Scope, facts: Facts) -> Table:
    tiers = " ".join(f"WHEN '{tier}' THEN {hours}" for tier, hours in TIER_WEEKLY_HOURS.items())
    row = sql_one(
        f"""WITH {facts.stays_sql}
        SELECT COALESCE(SUM(ip.nights / 7.0 * CASE sp.tier {tiers} END), 0) AS expected, COUNT(*) AS planned
        FROM in_period ip JOIN {SUPPORT_PLAN} sp ON sp.placement_id = ip.id""",
        facts.params,
    )
    delivered = facts.visits["hours"]
    columns = [
        Column("planned", _("Placements with a support plan")),
        Column("delivered", _("Hours delivered"), NUMBER, basis="planned"),
        Column("expected", _("Hours expected by tier"), NUMBER, basis="planned"),
        Column("share", _("Delivered as a share of expected"), PERCENT, basis="planned"),
    ]
    values = {
        "planned": row["planned"],
        "delivered": delivered,
        "expected": row["expected"],
        "share": ratio(delivered, row["expected"]),
    }
    return Table(columns, [Row(str(_("Support hours")), values)])


TIER_NOTE = _(
    "A placement-week is a complete week of a stay counted from the arrival day (days 1 to 7, 8 to "
    "14, …) that starts in the period, as in “Placement-weeks with at least one visit”; only stays "
    "with a support plan have a tier. An agency's week counts while it is on the plan (from the "
    "week's first day it has not stopped supporting). Its hours are those recorded on the visits it "
    "led in the week (the hours of a joint visit count once, for the agency that recorded it); a "
    "joint visit counts as a visit for every agency on it. "
)


@metric(
    "support_tier_met",
    "engagement",
    _("Placement-weeks in which each kind of agency met the support tier"),
    joined(
        _(
            "For each kind of agency (with one area chosen, each agency) on a support plan: its "
            "placement-weeks, those in which the support hours it delivered reached the person's tier "
            "(T1 2.5, T2 5, T3 10 hours a week), and those in which it made no visit at all (missed-visit "
            "weeks). The last row takes the agencies together: a week met when all their hours reach "
            "the tier, missed when no agency visited. "
        ),
        TIER_NOTE,
        VISIT_NOTE,
    ),
    area_title=_("Placement-weeks in which each agency met the support tier"),
)
def support_tier_met(scope: Scope, facts: Facts) -> Table:
    group = "{a}.name" if scope.area else "{a}.kind"
    tiers = " ".join(f"WHEN '{tier}' THEN {hours}" for tier, hours in TIER_WEEKLY_HOURS.items())
    # Each week's visits are read once and added up by agency (or kind), rather than looked up again
    # for each agency on the plan (nationally, over a million index probes).
    rows = sql_rows(
        f"""WITH {facts.stays_sql}, {PLACEMENT_WEEKS}, plan_weeks AS (
            SELECT weeks.id, weeks.w, sp.id AS plan_id, CASE sp.tier {tiers} END AS hours_due
            FROM weeks JOIN {SUPPORT_PLAN} sp ON sp.placement_id = weeks.id
        ), on_plan AS (
            SELECT DISTINCT pw.id, pw.w, pw.hours_due, {group.format(a="ag")} AS label
            FROM plan_weeks pw
            JOIN {SUPPORT_AGENCY} sa ON sa.support_plan_id = pw.plan_id
            JOIN {AGENCY} ag ON ag.id = sa.agency_id
            WHERE sa.ended_on IS NULL OR sa.ended_on > pw.w
        ), week_visits AS MATERIALIZED (
            -- Each week's hours by the agency that led the visit (from the index of visits by time,
            -- which holds the placement, the agency and the hours).
            SELECT weeks.id, weeks.w, hv.agency_id, SUM(hv.support_hours) AS hours
            FROM weeks JOIN {HOME_VISIT} hv ON {VISIT_IN_WEEK} GROUP BY 1, 2, 3
        ), label_hours AS (
            -- The hours of the visits each agency (kind) led in the week.
            SELECT wv.id, wv.w, {group.format(a="va")} AS label, SUM(wv.hours) AS hours
            FROM week_visits wv JOIN {AGENCY} va ON va.id = wv.agency_id GROUP BY 1, 2, 3
        ), joint AS (
            -- The agencies (kinds) on a visit in the week other than the one that led it.
            SELECT DISTINCT weeks.id, weeks.w, {group.format(a="ja")} AS label
            FROM {HOME_VISIT_OTHER_AGENCIES} j
            JOIN {AGENCY} ja ON ja.id = j.agency_id
            JOIN {HOME_VISIT} hv ON hv.id = j.homevisit_id
            JOIN weeks ON {VISIT_IN_WEEK}
        ), week_hours AS (
            SELECT id, w, SUM(hours) AS hours FROM week_visits GROUP BY 1, 2
        ), by_label AS (
            -- Visited: a visit in the week led by the agency (kind), or that it joined.
            SELECT pw.label, pw.hours_due, COALESCE(lh.hours, 0) AS hours,
                   lh.id IS NOT NULL OR jv.id IS NOT NULL AS visited
            FROM on_plan pw
            LEFT JOIN label_hours lh ON lh.id = pw.id AND lh.w = pw.w AND lh.label = pw.label
            LEFT JOIN joint jv ON jv.id = pw.id AND jv.w = pw.w AND jv.label = pw.label
        ), together AS (
            SELECT pw.hours_due, COALESCE(wh.hours, 0) AS hours, wh.id IS NOT NULL AS visited
            FROM plan_weeks pw LEFT JOIN week_hours wh ON wh.id = pw.id AND wh.w = pw.w
        )
        SELECT label, COUNT(*) AS weeks, COUNT(*) FILTER (WHERE hours >= hours_due) AS met,
               COUNT(*) FILTER (WHERE NOT visited) AS missed
        FROM by_label GROUP BY label
        UNION ALL
        SELECT NULL, COUNT(*), COUNT(*) FILTER (WHERE hours >= hours_due),
               COUNT(*) FILTER (WHERE NOT visited)
        FROM together""",
        facts.params,
    )
    found = {row["label"]: row for row in rows}
    if scope.area:
        labels = [(name, name) for name in sorted(k for k in found if k is not None)]
        header = _("Agency")
    else:
        labels = [(kind, label) for kind, label in Agency.Kind.choices if kind in found]
        header = _("Kind of agency")
    labels.append((None, _("All agencies on the plan, together")))
    columns = [
        Column("weeks", _("Placement-weeks")),
        Column("met", _("Tier met")),
        Column("not_met", _("Tier not met")),
        Column("share", _("Share met"), PERCENT, derived_from="met", basis="weeks"),
        Column("missed", _("Missed-visit weeks")),
        Column("missed_share", _("Share missed"), PERCENT, derived_from="missed", basis="weeks"),
    ]
    table_rows = []
    for key, label in labels:
        row = found.get(key) or {"weeks": 0, "met": 0, "missed": 0}
        weeks, met, missed = int(row["weeks"]), int(row["met"]), int(row["missed"])
        values = {
            "weeks": weeks,
            "met": met,
            "not_met": weeks - met,
            "share": ratio(met, weeks),
            "missed": missed,
            "missed_share": ratio(missed, weeks),
        }
        table_rows.append(Row(str(label), values))
    return Table(columns, table_rows, row_header=str(header), row_relations=[("weeks", ["met", "not_met"])])


RESULTS_NOTE = _(
    "Visits on days in the period to people in a stay, each counted once (a joint visit too). "
    "“Not recorded”: the visit's record leaves it blank (a phone call, say, or no one at home). "
)


def _results_table(counts: dict, choices, total: int) -> Table:
    labels = [*choices, ("", _("Not recorded"))]
    table = group_table(counts, labels, total, _("Visits"), "visits.recorded")
    table.columns[1].denominator = "visits.recorded"
    return table


@metric(
    "drug_tests",
    "engagement",
    _("Drug-test results recorded on visits"),
    joined(
        _("The result of the drug test recorded on each visit: negative, positive, or not taken. "),
        RESULTS_NOTE,
        VISIT_NOTE,
    ),
    chart="count",
)
def drug_tests(scope: Scope, facts: Facts) -> Table:
    results = facts.visit_results
    return _results_table(results["drug_test"], HomeVisit.DrugTest.choices, results["visits"])


@metric(
    "visit_engagement",
    "engagement",
    _("Engagement recorded on visits"),
    joined(
        _("How the person engaged, as recorded on each visit: good, some, or none. "),
        RESULTS_NOTE,
        VISIT_NOTE,
    ),
    chart="count",
)
def visit_engagement(scope: Scope, facts: Facts) -> Table:
    results = facts.visit_results
    return _results_table(results["engagement"], HomeVisit.Engagement.choices, results["visits"])
