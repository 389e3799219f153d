"""Comparison with the previous period: headline figures of this period and the one before it."""

from django.utils.translation import gettext_lazy as _

from reports.metrics.registry import metric
from reports.tables import COUNT, DAYS, MONEY, PERCENT, Column, Row, Table

# (label, metric, row index or "total", column) for each headline figure compared.
COMPARED = [
    (_("Referrals received"), "referral_outcomes", "total", "count", COUNT),
    (_("Placements started"), "placement_activity", 1, "count", COUNT),
    (_("Placements ended"), "placement_activity", 2, "count", COUNT),
    (_("People placed"), "placement_activity", 3, "count", COUNT),
    (_("Occupied bedspace-nights"), "occupancy", "total", "occupied", COUNT),
    (_("Occupancy rate"), "occupancy", "total", "rate", PERCENT),
    (_("Median length of stay (nights)"), "length_of_stay", 0, "median", DAYS),
    (_("Share of leavers settled"), "move_on", 0, "share", PERCENT),
    (_("Total cost"), "cost", "total", "amount", MONEY),
]
COMPARISON_METRICS = sorted({entry[1] for entry in COMPARED})


@metric(
    "comparison",
    "comparison",
    _("This period and the previous one"),
    _(
        "Headline figures for this period and for the period of the same length just before it, "
        "each defined as in its own section and suppressed in the same way."
    ),
)
def comparison(now: dict[str, Table], before: dict[str, Table]) -> Table:
    """Put together from the two periods' tables, each already suppressed: a figure keeps the
    suppression it has in its own table."""
    columns = [Column("now", _("This period")), Column("before", _("Previous period"))]
    rows = []
    for label, key, index, column, kind in COMPARED:
        cells = {}
        for name, tables in (("now", now), ("before", before)):
            table = tables[key]
            source = table.total if index == "total" else table.rows[index]
            cells[name] = (source.values.get(column), source.states.get(column))
        row = Row(str(label), {k: v for k, (v, _s) in cells.items()}, kind=kind)
        row.states = {k: state for k, (_v, state) in cells.items()}
        rows.append(row)
    return Table(columns, rows)
