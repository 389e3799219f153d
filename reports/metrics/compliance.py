"""Licence compliance: warnings, breaches and recalls during placement."""

from django.utils.translation import gettext_lazy as _

from referrals.models import OffenderEvent
from reports.metrics.facts import Facts
from reports.metrics.registry import Scope, metric
from reports.tables import Column, Row, Table


@metric(
    "compliance",
    "compliance",
    _("Licence warnings, breaches and recalls during placement"),
    _(
        "Licence warnings, breaches and recalls to custody dated on a day of the period while the person "
        "was in a stay: from the arrival day to the day before departure, and a recall dated on the "
        "departure day too (the recall ended the stay, as reasons for leaving shows). The number of "
        "different people they concern."
    ),
    chart="events",
)
def compliance(scope: Scope, facts: Facts) -> Table:
    by_kind = facts.events_during
    columns = [Column("events", _("Events")), Column("people", _("People"))]
    return Table(
        columns,
        [
            Row(str(label), {k: by_kind.get(kind, {}).get(k, 0) for k in ("events", "people")})
            for kind, label in (
                (OffenderEvent.Kind.LICENCE_WARNING, _("Licence warnings")),
                (OffenderEvent.Kind.LICENCE_BREACH, _("Licence breaches")),
                (OffenderEvent.Kind.RECALL, _("Recalls to custody")),
            )
        ],
    )
