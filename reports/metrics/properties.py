"""Properties: the breakdown by area (or by property in one area)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from reports.metrics.facts import Facts
from reports.metrics.figures import AREA, PLACE_NOTE, TIME_AND_AREA, place_header, place_nights_fact, ratio
from reports.metrics.registry import Scope, joined, metric
from reports.tables import MONEY, PERCENT, Column, Row, Table


@metric(
    "per_property",
    "properties",
    _("Breakdown by area"),
    joined(
        _(
            "Placements in the period, different people, placements ended, occupied nights, void nights, "
            "nights empty in turnaround, occupancy (as above) and property cost (weekly cost × weeks in "
            "the period). A person placed in two places is counted in each. In the published version a place's void and turnaround nights are withheld whenever its occupied nights are (with the bedspaces' nights known, they would give them). "
        ),
        PLACE_NOTE,
    ),
    area_title=_("Breakdown by property"),
    additive_over=TIME_AND_AREA,
)
def per_property(scope: Scope, facts: Facts) -> Table:
    columns = [
        Column("stays", _("Placements"), additive_over=AREA),
        Column("people", _("People"), additive_over=frozenset()),  # a person may be in two places
        Column("ended", _("Ended")),
        # A place with fewer residents than the threshold: its nights would describe them.
        Column("occupied", _("Occupied nights"), basis="people"),
        # With the bedspaces' nights known, void and turnaround nights would give the occupied ones.
        Column("void", _("Void nights"), basis="people", withheld_with="occupied"),
        Column("turnaround", _("Turnaround nights"), basis="people", withheld_with="occupied"),
        Column("rate", _("Occupancy"), PERCENT, derived_from="occupied"),
        Column("cost", _("Cost"), MONEY),
    ]
    rows = []
    for p in facts.places:
        values = {
            key: p[key] for key in ("stays", "people", "ended", "occupied", "void", "turnaround", "cost")
        }
        rate = ratio(p["occupied"], p["bed_nights"] - p["void"])
        rows.append(Row(p["label"], values | {"rate": rate}, {"occupied": place_nights_fact(p["label"])}))
    sums = {
        key: sum(r.values[key] for r in rows) for key in ("stays", "ended", "occupied", "void", "turnaround")
    }
    available = sum(p["bed_nights"] - p["void"] for p in facts.places)
    total = Row(
        str(_("All properties")),
        {
            **sums,
            "people": facts.stays["people"],
            "rate": ratio(sums["occupied"], available),
            "cost": sum((r.values["cost"] for r in rows), Decimal(0)),
        },
        {
            "stays": "placements.stays",
            "ended": "placements.ended",
            "occupied": "nights.occupied",
            "people": "people.placed",
        },
    )
    return Table(
        columns,
        rows,
        total=total,
        additive={"stays", "ended", "occupied", "void", "turnaround"},
        row_header=place_header(scope),
    )
