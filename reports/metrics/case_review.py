"""Placements for case review: the named list (IOM officers and scheme managers only)."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from iom_housing.dates import day_short
from placements.models import DepartureReason, Destination
from reports.metrics.facts import Facts
from reports.metrics.registry import Scope, metric
from reports.metrics.sql import BEDSPACE, LICENCE_TERM, OFFENDER, PROPERTY, sql_rows
from reports.tables import NUMBER, TEXT, Column, Row, Table

CASE_REVIEW_SHOWN = 500  # rows of the named list in the page and the PDF


@metric(
    "placement_list",
    "case_review",
    _("Placements in the period"),
    format_lazy(
        _(
            "Every stay with a night in the period, with the person's name, for case review, earliest "
            "arrival first. The page and the PDF show the first {shown}; the spreadsheet (XLSX) and "
            "CSV downloads list them all. Not in the OPCC version of the report."
        ),
        shown=CASE_REVIEW_SHOWN,
    ),
    audience="officer",
)
def placement_list(scope: Scope, facts: Facts) -> Table:
    stays = sql_rows(
        f"""WITH {facts.stays_sql}
        SELECT o.id AS offender_id, o.first_name, o.last_name, pr.name AS property, b.label AS bedspace,
               ip.a, ip.departed_on,
               ip.destination, ip.departure_reason,
               (SELECT COUNT(*) FROM {LICENCE_TERM} t WHERE t.placement_id = ip.id
                  AND (ip.departed_on IS NULL OR t.starts_on < ip.departed_on)) AS terms
        FROM in_period ip
        JOIN {OFFENDER} o ON o.id = ip.offender_id
        JOIN {BEDSPACE} b ON b.id = ip.bedspace_id
        JOIN {PROPERTY} pr ON pr.id = ip.property_id
        ORDER BY ip.a, ip.id""",
        facts.params,
    )
    # Labels translated once, not once a row: the list can run to tens of thousands of stays.
    destinations = {value: str(label) for value, label in Destination.choices}
    reasons = {value: str(label) for value, label in DepartureReason.choices}
    still_placed = str(_("Still placed"))
    columns = [
        Column("property", _("Property"), TEXT),
        Column("arrived", _("Arrived"), TEXT),
        Column("departed", _("Departed"), TEXT),
        Column("renewals", _("Renewals"), NUMBER),
        Column("destination", _("Move-on"), TEXT),
        Column("reason", _("Reason for leaving"), TEXT),
    ]
    rows = [
        Row(
            f"{p['first_name']} {p['last_name']}",
            {
                "property": f"{p['property']}, {p['bedspace']}",
                "arrived": day_short(p["a"]),
                "departed": day_short(p["departed_on"]) if p["departed_on"] else still_placed,
                "renewals": max(p["terms"] - 1, 0),
                "destination": destinations.get(p["destination"], ""),
                "reason": reasons.get(p["departure_reason"], ""),
            },
        )
        for p in stays
    ]
    return Table(
        columns,
        rows,
        row_header=str(_("Person")),
        people=sorted({p["offender_id"] for p in stays}),
        shown_rows=CASE_REVIEW_SHOWN,
    )
