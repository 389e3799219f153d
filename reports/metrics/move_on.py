"""Move-on: where people went when their placement ended, and why they left."""

from django.utils.translation import gettext_lazy as _

from placements.models import DESTINATION_GROUPS, LEAVING_REASONS, Destination, DestinationGroup
from reports.metrics.facts import Facts
from reports.metrics.figures import group_table
from reports.metrics.registry import Scope, joined, metric
from reports.tables import Column, Row, Table

GROUPS_NOTE = _(
    "Destinations are grouped as the homelessness statistics group accommodation outcomes "
    "(England's H-CLIC, Wales's homelessness returns). Settled or permanent: social or private "
    "rent, long-term supported housing, or living with family. Temporary: temporary "
    "accommodation. Institutional: custody, hospital or treatment. Homeless: no fixed abode or "
    "rough sleeping. Other or not known: any other destination, and none recorded."
)
# The cross-table's column headings: the groups' short names.
SHORT_GROUP_LABELS = {
    DestinationGroup.SETTLED: _("Settled"),
    DestinationGroup.TEMPORARY: _("Temporary"),
    DestinationGroup.INSTITUTIONAL: _("Institutional"),
    DestinationGroup.HOMELESS: _("Homeless"),
    DestinationGroup.UNKNOWN: _("Other or not known"),
}


def _by_destination(facts: Facts) -> dict[str, int]:
    """Placements ended in the period by destination; none recorded counts as not known."""
    counts: dict[str, int] = {}
    for destination, n in facts.ended_by("destination").items():
        key = destination if destination in DESTINATION_GROUPS else Destination.UNKNOWN
        counts[key] = counts.get(key, 0) + n
    return counts


def _group_fact(group: str) -> str:
    """A group's count, the same fact in both move-on tables (and the settled one in the cost's)."""
    return f"move_on.{group}"


@metric(
    "move_on",
    "move_on",
    _("Move-on outcomes by group, and the share settled"),
    joined(
        _("Placements ended in the period (its first day included) by where the person went, in groups. "),
        GROUPS_NOTE,
    ),
    chart="count",
)
def move_on(scope: Scope, facts: Facts) -> Table:
    counts: dict = {}
    for destination, n in _by_destination(facts).items():
        group = DESTINATION_GROUPS[destination]
        counts[group] = counts.get(group, 0) + n
    table = group_table(
        counts, DestinationGroup.choices, sum(counts.values()), _("Placements ended"), "placements.ended"
    )
    for row, group in zip(table.rows, DestinationGroup.values, strict=True):
        row.facts["count"] = _group_fact(group)
    table.columns[1].denominator = "placements.ended"
    return table


@metric(
    "move_on_destinations",
    "move_on",
    _("Move-on destinations within each group"),
    joined(
        _(
            "The same placements ended, by destination: a column for each group, with the destinations "
            "in it below; the last row is the group's total, as in the table above. "
        ),
        GROUPS_NOTE,
    ),
)
def move_on_destinations(scope: Scope, facts: Facts) -> Table:
    counts = _by_destination(facts)
    columns = [Column(group, SHORT_GROUP_LABELS[group]) for group in DestinationGroup.values]
    rows = []
    # Grouped: each group's destinations together, in the groups' order.
    for group in DestinationGroup.values:
        for destination, label in Destination.choices:
            if DESTINATION_GROUPS[destination] == group:
                rows.append(Row(str(label), {group: counts.get(destination, 0)}))
    totals = {group: 0 for group in DestinationGroup.values}
    for destination, n in counts.items():
        totals[DESTINATION_GROUPS[destination]] += n
    total = Row(
        str(_("All in the group")),
        totals,
        facts={group: _group_fact(group) for group in DestinationGroup.values},
    )
    return Table(columns, rows, total=total, additive=True, row_header=str(_("Destination")))


@metric(
    "departure_reasons",
    "move_on",
    _("Reasons for leaving"),
    _("Placements ended in the period, by the reason the person left."),
    chart="count",
)
def departure_reasons(scope: Scope, facts: Facts) -> Table:
    counts = facts.ended_by("departure_reason")
    table = group_table(
        # A move to another bedspace is not a leaving (facts.py does not count it as ended).
        counts,
        LEAVING_REASONS,
        sum(counts.values()),
        _("Placements ended"),
        "placements.ended",
    )
    table.columns[1].denominator = "placements.ended"
    return table
