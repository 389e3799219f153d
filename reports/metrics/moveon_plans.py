"""Move-on plans: how long it took to move on, whether the plan was carried through, and the
actions taken (moveon app). Counted over the same stays as the move-on outcomes."""

from django.utils.translation import gettext_lazy as _

from moveon.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    ActionKind,
    ActionResult,
    ActionStatus,
    MoveOnAction,
    MoveOnPlan,
)
from placements.models import DESTINATION_GROUPS, DestinationGroup
from reports.metrics.facts import Facts
from reports.metrics.registry import Scope, metric
from reports.metrics.sql import db_table, sql_one, sql_rows
from reports.tables import DAYS, PERCENT, Column, Row, Table

ACTION = db_table(MoveOnAction)
PLAN = db_table(MoveOnPlan)

PARAMS = {
    "moveon_settled": [d for d, group in DESTINATION_GROUPS.items() if group == DestinationGroup.SETTLED],
    "moveon_open": list(OPEN_STATUSES),
    "moveon_closed": list(CLOSED_STATUSES),
    "moveon_done": ActionStatus.DONE,
    "moveon_not_needed": ActionStatus.NOT_NEEDED,
    "moveon_successful": ActionResult.SUCCESSFUL,
    "moveon_unsuccessful": ActionResult.UNSUCCESSFUL,
}


def _ended(facts: Facts) -> dict:
    """The placements ended in the period, once a report: days from arrival to departure, whether
    the move-on was settled, and their plans' actions (counted now, at the report's making)."""
    cached = getattr(facts, "_moveon_ended", None)
    if cached is None:
        cached = sql_one(
            f"""WITH {facts.stays_sql}, ended AS (
                SELECT s.departed_on - s.a AS days, s.destination = ANY(%(moveon_settled)s) AS settled,
                       COUNT(x.id) AS actions,
                       COUNT(x.id) FILTER (WHERE x.status = ANY(%(moveon_open)s)) AS open,
                       COUNT(x.id) FILTER (WHERE x.status = %(moveon_done)s) AS done
                FROM stays s
                LEFT JOIN {PLAN} p ON p.placement_id = s.id
                LEFT JOIN {ACTION} x ON x.plan_id = p.id
                WHERE s.departed_on >= %(s)s::date AND s.departed_on < %(e)s::date
                GROUP BY s.id, s.departed_on, s.a, s.destination
            )
            SELECT COUNT(*) AS ended, AVG(days) AS mean,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median,
                   COUNT(*) FILTER (WHERE settled) AS settled,
                   AVG(days) FILTER (WHERE settled) AS settled_mean,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY days) FILTER (WHERE settled) AS settled_median,
                   COUNT(*) FILTER (WHERE actions > 0) AS planned,
                   COUNT(*) FILTER (WHERE actions > 0 AND open = 0 AND done > 0) AS completed,
                   COUNT(*) FILTER (WHERE actions > 0 AND open = 0 AND done > 0 AND settled) AS completed_settled
            FROM ended""",
            {**facts.params, **PARAMS},
        )
        facts._moveon_ended = cached
    return cached


@metric(
    "moveon_days",
    "move_on",
    _("Days from arrival to move-on"),
    _(
        "Placements ended in the period (departed on one of its days, the first and last included): "
        "the days from the arrival day to the departure day (arrived 1 June, left 11 June: 10 days), "
        "mean and median, for every placement ended and for the settled move-ons alone (social or "
        "private rent, long-term supported housing, or living with family)."
    ),
)
def moveon_days(scope: Scope, facts: Facts) -> Table:
    e = _ended(facts)
    columns = [
        Column("count", _("Placements")),
        Column("mean", _("Mean days"), DAYS, basis="count"),
        Column("median", _("Median days"), DAYS, basis="count"),
    ]
    return Table(
        columns,
        [
            Row(
                str(_("Placements ended")),
                {"count": e["ended"], "mean": e["mean"], "median": e["median"]},
                {"count": "placements.ended"},
            ),
            Row(
                str(_("Settled move-ons")),
                {"count": e["settled"], "mean": e["settled_mean"], "median": e["settled_median"]},
            ),
        ],
    )


@metric(
    "moveon_plans",
    "move_on",
    _("Move-on plans completed"),
    _(
        "Placements ended in the period: those whose move-on plan had at least one action, and those "
        "whose plan was completed: at least one action done and none left not started or in progress "
        "(actions no longer needed do not count against it). Shares are of the placements ended. "
        "Actions as recorded when the report is made."
    ),
)
def moveon_plans(scope: Scope, facts: Facts) -> Table:
    e = _ended(facts)
    ended = e["ended"]

    def share(n):
        return None if not ended else n / ended

    columns = [
        Column("count", _("Placements")),
        Column(
            "share",
            _("Share of placements ended"),
            PERCENT,
            derived_from="count",
            denominator="placements.ended",
        ),
    ]
    return Table(
        columns,
        [
            Row(
                str(_("Placements ended")),
                {"count": ended, "share": 1 if ended else None},
                {"count": "placements.ended"},
            ),
            Row(str(_("With a move-on plan")), {"count": e["planned"], "share": share(e["planned"])}),
            Row(str(_("Plan completed")), {"count": e["completed"], "share": share(e["completed"])}),
            Row(
                str(_("Plan completed and moved on to settled housing")),
                {"count": e["completed_settled"], "share": share(e["completed_settled"])},
            ),
        ],
    )


@metric(
    "moveon_actions",
    "move_on",
    _("Move-on actions by kind and outcome"),
    _(
        "The actions on the move-on plans of placements in the period (a night in it, or a departure "
        "on its first day), by kind: done and successful, done and unsuccessful, no longer needed, and "
        "still open (not started or in progress) when the report is made. The four add up to the "
        "actions of each kind."
    ),
)
def moveon_actions(scope: Scope, facts: Facts) -> Table:
    rows = sql_rows(
        f"""WITH {facts.stays_sql}
            SELECT x.kind,
                   COUNT(*) AS actions,
                   COUNT(*) FILTER (WHERE x.status = %(moveon_done)s AND x.result = %(moveon_successful)s) AS successful,
                   COUNT(*) FILTER (WHERE x.status = %(moveon_done)s AND x.result = %(moveon_unsuccessful)s) AS unsuccessful,
                   COUNT(*) FILTER (WHERE x.status = %(moveon_not_needed)s) AS not_needed,
                   COUNT(*) FILTER (WHERE x.status = ANY(%(moveon_open)s)) AS open
            FROM stays s
            JOIN {PLAN} p ON p.placement_id = s.id
            JOIN {ACTION} x ON x.plan_id = p.id
            WHERE s.in_period OR (s.departed_on >= %(s)s::date AND s.departed_on < %(e)s::date)
            GROUP BY x.kind""",
        {**facts.params, **PARAMS},
    )
    by_kind = {row.pop("kind"): row for row in rows}
    keys = ("actions", "successful", "unsuccessful", "not_needed", "open")
    columns = [
        Column("actions", _("Actions")),
        Column("successful", _("Done: successful")),
        Column("unsuccessful", _("Done: unsuccessful")),
        Column("not_needed", _("No longer needed")),
        Column("open", _("Still open")),
    ]
    table_rows = [
        Row(str(label), {key: by_kind.get(kind, {}).get(key, 0) for key in keys})
        for kind, label in ActionKind.choices
    ]
    total = Row(str(_("All actions")), {key: sum(row.values[key] for row in table_rows) for key in keys})
    return Table(
        columns,
        table_rows,
        total=total,
        additive=True,
        row_relations=[("actions", ["successful", "unsuccessful", "not_needed", "open"])],
    )
