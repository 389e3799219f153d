"""Placements and occupancy: stays and people, bedspace-nights, occupancy, length of stay."""

from django.utils.translation import gettext_lazy as _

from reports.metrics.facts import Facts
from reports.metrics.figures import (
    AREA,
    PLACE_NOTE,
    TIME_AND_AREA,
    group_table,
    place_header,
    place_nights_fact,
    ratio,
)
from reports.metrics.registry import Scope, joined, metric
from reports.tables import DAYS, PERCENT, RATE, Column, Row, Table


@metric(
    "placement_activity",
    "placements",
    _("Placements and people"),
    _(
        "Placements in the period: stays with at least one night in the period (a stay is a placement "
        "the person arrived at). Started: arrived on a day of the period. Ended: departed on a day of the "
        "period, its first and last days included (a stay that leaves on the first day has no night in "
        "the period but ended in it; length of stay and move-on count the same stays). People: "
        "different people with a stay in the period, each counted once however often placed."
    ),
)
def placement_activity(scope: Scope, facts: Facts) -> Table:
    s = facts.stays
    return Table(
        [Column("count", _("Count"))],
        [
            # A stay is in one area; one that crosses months is in each month's count.
            Row(
                str(_("Placements in the period")),
                {"count": s["stays"]},
                {"count": "placements.stays"},
                additive_over=AREA,
            ),
            Row(
                str(_("Placements started")),
                {"count": s["started"]},
                {"count": "placements.started"},
                additive_over=TIME_AND_AREA,
            ),
            Row(
                str(_("Placements ended")),
                {"count": s["ended"]},
                {"count": "placements.ended"},
                additive_over=TIME_AND_AREA,
            ),
            Row(str(_("People placed")), {"count": s["people"]}, {"count": "people.placed"}),
        ],
    )


@metric(
    "bedspace_nights",
    "placements",
    _("Bedspace-nights: occupied, empty and void"),
    _(
        "Each bedspace in use (and any other that held a stay) for each night of the period. Occupied: "
        "a stay covers the night. Void: the bedspace is out of use (not available). Empty in "
        "turnaround: every night from a departure day up to the day the bedspace is free for the next "
        "arrival (free after the property's turnaround of working days, weekends and bank holidays not "
        "counted: a Friday departure with 2 working days before a bank holiday Monday is free on "
        "Thursday, so 6 nights, Friday to Wednesday), less any void nights in them. Other empty "
        "nights: available, neither occupied nor in turnaround."
    ),
    chart="count",
    additive_over=TIME_AND_AREA,
)
def bedspace_nights(scope: Scope, facts: Facts) -> Table:
    props = facts.nights_by_property.values()
    total = sum(p["bed_nights"] for p in props)
    void = sum(p["void"] for p in props)
    occupied = sum(p["occupied"] for p in props)
    turnaround = sum(p["turnaround"] for p in props)
    counts = {
        "occupied": occupied,
        "turnaround": turnaround,
        "empty": total - void - occupied - turnaround,
        "void": void,
    }
    labels = [
        ("occupied", _("Occupied")),
        ("turnaround", _("Empty in turnaround")),
        ("empty", _("Other empty nights")),
        ("void", _("Void (not available)")),
    ]
    table = group_table(counts, labels, total, _("Bedspace-nights in the period"))
    table.rows[0].facts["count"] = "nights.occupied"
    return table


@metric(
    "occupancy",
    "placements",
    _("Occupancy rate by area"),
    joined(
        _(
            "Occupied bedspace-nights divided by available bedspace-nights in the period. Void nights are "
            "not available; nights empty in turnaround are available but empty. "
        ),
        PLACE_NOTE,
    ),
    chart="rate",
    area_title=_("Occupancy rate by property"),
    additive_over=TIME_AND_AREA,
)
def occupancy(scope: Scope, facts: Facts) -> Table:
    columns = [
        Column("available", _("Available nights")),
        Column("occupied", _("Occupied nights")),
        Column("rate", _("Occupancy"), PERCENT, derived_from="occupied"),
    ]
    rows = []
    for p in facts.places:
        available = p["bed_nights"] - p["void"]
        rows.append(
            Row(
                p["label"],
                {"available": available, "occupied": p["occupied"], "rate": ratio(p["occupied"], available)},
                {"occupied": place_nights_fact(p["label"])},
            )
        )
    available = sum(r.values["available"] for r in rows)
    occupied = sum(r.values["occupied"] for r in rows)
    total = Row(
        str(_("All properties")),
        {"available": available, "occupied": occupied, "rate": ratio(occupied, available)},
        {"occupied": "nights.occupied"},
    )
    return Table(columns, rows, total=total, additive=True, row_header=place_header(scope))


@metric(
    "length_of_stay",
    "placements",
    _("Length of stay and licence renewals"),
    _(
        "Placements ended in the period (departed on one of its days, the first and last included): "
        "nights from arrival to departure (mean and median), and "
        "licence renewals per placement: the licence terms after the first that had begun before "
        "the departure day (a renewal whose term would have started on or after the day the stay "
        "ended was never used, so it is not counted), divided by the placements ended."
    ),
)
def length_of_stay(scope: Scope, facts: Facts) -> Table:
    e = facts.ended
    columns = [
        Column("ended", _("Placements ended")),
        Column("mean", _("Mean nights"), DAYS, basis="ended"),
        Column("median", _("Median nights"), DAYS, basis="ended"),
        Column("renewals", _("Renewals per placement"), RATE, basis="ended"),
    ]
    row = Row(
        str(_("Placements ended in the period")),
        {"ended": e["ended"], "mean": e["mean"], "median": e["median"], "renewals": e["renewals"]},
        {"ended": "placements.ended"},
    )
    return Table(columns, [row])


@metric(
    "long_stays",
    "placements",
    _("Placements longer than 4, 8 and 12 weeks"),
    _("Placements ended in the period that lasted more than 28, 56 and 84 nights, and their share."),
)
def long_stays(scope: Scope, facts: Facts) -> Table:
    e = facts.ended
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
    rows = [
        Row(str(label), {"count": e[key], "share": ratio(e[key], e["ended"])})
        for key, label in (
            ("over_28", _("More than 28 nights")),
            ("over_56", _("More than 56 nights")),
            ("over_84", _("More than 84 nights")),
        )
    ]
    return Table(columns, rows)
