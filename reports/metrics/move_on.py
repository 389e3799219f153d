"""Move-on: where people went when their placement ended, and why they left."""

from django.utils.translation import gettext_lazy as _

from placements.models import DESTINATION_GROUPS, DepartureReason, DestinationGroup
from reports.metrics.facts import Facts
from reports.metrics.figures import group_table
from reports.metrics.registry import Scope, metric
from reports.tables import Table


@metric(
    "move_on",
    "move_on",
    _("Move-on outcomes and the share settled"),
    _(
        "Placements ended in the period by where the person went. Settled: social or private rent, "
        "long-term supported housing, or living with family. Other or unknown includes hospital or "
        "treatment."
    ),
    chart="count",
)
def move_on(scope: Scope, facts: Facts) -> Table:
    counts: dict = {}
    for destination, n in facts.ended_by("destination").items():
        group = DESTINATION_GROUPS.get(destination, DestinationGroup.OTHER)
        counts[group] = counts.get(group, 0) + n
    table = group_table(
        counts, DestinationGroup.choices, sum(counts.values()), _("Placements ended"), "placements.ended"
    )
    table.columns[1].denominator = "placements.ended"
    return table


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
        counts, DepartureReason.choices, sum(counts.values()), _("Placements ended"), "placements.ended"
    )
    table.columns[1].denominator = "placements.ended"
    return table
