"""Small pieces the section modules share to turn facts into tables: money to the penny, a ratio,
a table of counts by group with their shares, and the by-place tables' row header."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from reports.metrics.registry import Scope
from reports.tables import PERCENT, Column, Row, Table

DAYS_PER_MONTH = 365.25 / 12

# What a count adds up over across reports (Metric/Column/Row `additive_over`, reports/family.py).
TIME, AREA, TIME_AND_AREA = frozenset({"time"}), frozenset({"area"}), frozenset({"time", "area"})

PLACE_NOTE = _(
    "With all areas, a row for each area (the local authority of the properties); with one area "
    "chosen, a row for each of its properties."
)


def money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def ratio(numerator, denominator):
    return None if not denominator else float(numerator) / float(denominator)


def group_table(counts: dict, labels, total: int, total_label, total_fact: str | None = None, share=True):
    columns = [Column("count", _("Count"))]
    if share:
        columns.append(Column("share", _("Share"), PERCENT, derived_from="count", basis=None))
    rows = [
        Row(str(label), {"count": counts.get(value, 0), "share": ratio(counts.get(value, 0), total)})
        for value, label in labels
    ]
    facts = {"count": total_fact} if total_fact else {}
    total_row = Row(str(total_label), {"count": total, "share": 1 if total else None}, facts=facts)
    return Table(columns, rows, total=total_row, additive=True)


def place_header(scope: Scope) -> str:
    """What the by-place tables' rows are: properties of the one area chosen, or areas."""
    return str(_("Property") if scope.area else _("Area"))


def place_nights_fact(label: str) -> str:
    """A place's occupied nights, the same fact in the occupancy and the by-place tables."""
    return f"nights.occupied:{label}"
