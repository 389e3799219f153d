"""Multi-agency engagement: visits per placement-week, weeks with a visit, support hours against the tier."""

from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from placements.models import TIER_WEEKLY_HOURS
from reports.metrics.facts import Facts
from reports.metrics.figures import ratio
from reports.metrics.registry import Scope, metric
from reports.metrics.sql import SUPPORT_PLAN, sql_one
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
    _(
        "Visits on days in the period to people in a stay, divided by the placement-weeks in the "
        "period (occupied nights ÷ 7). With all areas, a row for each kind of agency (probation "
        "services, drug and alcohol services, …): a visit counts once for each kind of agency on it. "
        "With one area chosen, a row for each agency: a joint visit counts for every agency on it. "
    )
    + VISIT_NOTE,
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
    _(
        "Each stay's weeks counted from the arrival day (days 1 to 7, 8 to 14, …) that start in the "
        "period and are complete before the departure (or the report): the share with at least one "
        "visit by any agency. "
    )
    + VISIT_NOTE,
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
    _(
        "Support hours recorded on visits on days in the period to people in a stay, against the hours "
        "their support tier sets (T1 2.5, T2 5, T3 10 hours a week) for their occupied nights in the "
        "period (nights ÷ 7 × weekly hours). Stays with no support plan expect no hours. "
    )
    + VISIT_NOTE,
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
