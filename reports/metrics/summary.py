"""The report's one-page summary: headline figures, each with the previous period's, a small trend
and a sentence in plain English.

Built only from the report's tables **after** suppression (their cells and states), never from
the facts, so in the published version it shows nothing a table withholds: a headline read from a
withheld cell is withheld, and so is one worked out from a withheld cell (a cost per person from a
withheld count of people). A headline is one line of `HEADLINES`: the table (by metric key), the
row and the column it is read from, and the words. Another section's figure is added the same way,
for example `Headline("cost_vs_custody", _("…"), Cell("cost_effectiveness", 0, "ratio"), …)`.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from reports.suppression import PRIMARY
from reports.tables import COUNT, MONEY, PERCENT, RATE, Column, Row, Table, display, rounded

WITHHELD = "withheld"  # the state of a headline worked out from a withheld cell


@dataclass(frozen=True)
class Cell:
    """A cell of a report table: its metric key, its row (an index, or "total") and its column."""

    metric: str
    row: int | str
    column: str

    def read(self, tables: dict[str, Table]) -> tuple[object, str | None] | None:
        """(value, suppression state), or None when the table is not in the report."""
        table = tables.get(self.metric)
        if table is None:
            return None
        if self.row == "total":
            row = table.total
        else:
            row = table.rows[self.row] if isinstance(self.row, int) and self.row < len(table.rows) else None
        if row is None:
            return None
        return row.values.get(self.column), row.states.get(self.column)


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    cell: Cell
    kind: str
    # The sentence with the figure (singular, plural): "%(value)s people were housed".
    sentence: tuple[str, str]
    # What the figure is, for a sentence saying it is withheld: "the number of people housed".
    subject: str
    divide_by: Cell | None = None  # the headline is cell ÷ divide_by (a count)
    trend: Cell | None = None  # a trend table's column (row ignored): its months as a small chart
    trend_label: str = ""


HEADLINES = [
    Headline(
        "people_housed",
        _("People housed"),
        Cell("placement_activity", 3, "count"),
        COUNT,
        (_("%(value)s person was housed"), _("%(value)s people were housed")),
        _("the number of people housed"),
        trend=Cell("trend_placements", 0, "started"),
        trend_label=_("Placements started, last 6 months"),
    ),
    Headline(
        "nights",
        _("Nights occupied"),
        Cell("occupancy", "total", "occupied"),
        COUNT,
        (_("%(value)s bedspace-night was occupied"), _("%(value)s bedspace-nights were occupied")),
        _("the number of nights occupied"),
        trend=Cell("trend_occupancy", 0, "occupied"),
        trend_label=_("Occupied nights, last 6 months"),
    ),
    Headline(
        "occupancy",
        _("Occupancy"),
        Cell("occupancy", "total", "rate"),
        PERCENT,
        (_("Bedspaces were occupied %(value)s of the available nights"),) * 2,
        _("the occupancy rate"),
        trend=Cell("trend_occupancy", 0, "rate"),
        trend_label=_("Occupancy, last 6 months"),
    ),
    Headline(
        "settled",
        _("Moved on to settled accommodation"),
        Cell("move_on", 0, "count"),
        COUNT,
        (
            _("%(value)s placement ended with a move to settled accommodation"),
            _("%(value)s placements ended with a move to settled accommodation"),
        ),
        _("the number of moves to settled accommodation"),
    ),
    Headline(
        "offending_before",
        _("Offences per person-month, 12 months before"),
        Cell("offence_rates", 0, "rate"),
        RATE,
        (_("In the 12 months before their placement, leavers committed %(value)s offences per person-month"),)
        * 2,
        _("the offence rate before placement"),
    ),
    Headline(
        "offending_during",
        _("Offences per person-month, during placement"),
        Cell("offence_rates", 1, "rate"),
        RATE,
        (_("During their placement, leavers committed %(value)s offences per person-month"),) * 2,
        _("the offence rate during placement"),
        trend=Cell("trend_offending", 0, "rate"),
        trend_label=_("Offences per person-month in placement, last 6 months"),
    ),
    Headline(
        "offending_after",
        _("Offences per person-month, 12 months after"),
        Cell("offence_rates", 2, "rate"),
        RATE,
        (
            _(
                "In the 12 months after leaving (as far as seen), leavers committed %(value)s offences per person-month"
            ),
        )
        * 2,
        _("the offence rate after leaving"),
    ),
    Headline(
        "cost_per_person",
        _("Cost per person housed"),
        Cell("cost", "total", "amount"),
        MONEY,
        (_("The property costs came to %(value)s for each person housed"),) * 2,
        _("the cost per person"),
        divide_by=Cell("placement_activity", 3, "count"),
    ),
    Headline(
        "cost_per_move_on",
        _("Cost per move to settled accommodation"),
        Cell("cost", "total", "amount"),
        MONEY,
        (_("The property costs came to %(value)s for each move to settled accommodation"),) * 2,
        _("the cost per move to settled accommodation"),
        divide_by=Cell("move_on", 0, "count"),
    ),
]

# The tables the headlines read, for the previous period too (reports/builder.py computes them).
SUMMARY_METRICS = sorted(
    {h.cell.metric for h in HEADLINES} | {h.divide_by.metric for h in HEADLINES if h.divide_by}
)

DEFINITION = _(
    "Each headline is read from its section's table, after the same suppression: a figure withheld "
    "there (or worked out from one that is) is withheld here. Cost per person: the total property "
    "cost ÷ the people housed; per move to settled accommodation: ÷ the placements that ended with "
    "one. The previous period is the one of the same length just before. The small charts are the "
    "monthly trends (their numbers are in the Trends section and under each chart)."
)


@dataclass
class Figure:
    value: object  # the number as computed (None: no figure)
    state: str | None  # PRIMARY, SECONDARY, WITHHELD or None (shown)


@dataclass
class TrendPoint:
    label: str
    value: float | None  # None: withheld or no figure (no bar)
    text: str  # as shown in the table


@dataclass
class SummaryLine:
    headline: Headline
    now: Figure
    before: Figure | None
    sentence: str
    trend: list[TrendPoint] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.headline.key

    @property
    def label(self) -> str:
        return str(self.headline.label)

    @property
    def kind(self) -> str:
        return self.headline.kind


@dataclass
class Summary:
    previous_label: str  # "the previous 92 days"
    previous_start: date
    previous_end: date
    lines: list[SummaryLine]
    threshold: int
    # Made when the summary is (in the reader's language), not when this module is imported.
    definition: str = field(default_factory=lambda: str(DEFINITION))

    def line(self, key: str) -> "SummaryLine | None":
        return next((line for line in self.lines if line.key == key), None)


def previous_label(start: date, end: date) -> str:
    """The previous period in words: it is the same number of days just before this one (as in
    the comparison section), so "the previous 31 days" rather than "the previous month"."""
    days = (end - start).days + 1
    return str(ngettext("the previous day", "the previous %(days)s days", days) % {"days": days})


def previous_dates(start: date, end: date) -> tuple[date, date]:
    """The previous period's first and last days."""
    days = (end - start).days + 1
    return start - timedelta(days=days), start - timedelta(days=1)


def _figure(headline: Headline, tables: dict[str, Table]) -> Figure | None:
    found = headline.cell.read(tables)
    if found is None:
        return None
    value, state = found
    if headline.divide_by is None:
        return Figure(value, state)
    divisor = headline.divide_by.read(tables)
    if divisor is None:
        return None
    count, count_state = divisor
    if state or count_state:
        # Worked out from a withheld cell: withheld (its value is not kept, so no format shows it).
        return Figure(None, WITHHELD)
    if value is None or not count:
        return Figure(None, None)
    return Figure(float(value) / float(count), None)


def figure_text(figure: Figure, kind: str, threshold: int) -> str:
    if figure.state == WITHHELD:
        return "[c]"
    column = Column("v", "", kind)
    return display(column, Row("", {"v": figure.value}, states={"v": figure.state}), threshold)


def _why(state: str, threshold: int) -> str:
    if state == PRIMARY:
        return str(_("it is fewer than %(threshold)s") % {"threshold": threshold})
    if state == WITHHELD:
        return str(_("it is worked out from a figure that is withheld"))
    return str(_("it could otherwise be worked out from other figures, or from few people"))


def _change(headline: Headline, now: Figure, before: Figure | None, previous: str, threshold: int) -> str:
    if before is None:
        return ""
    if before.state:
        return str(_("the figure for %(previous)s is withheld") % {"previous": previous})
    if before.value is None:
        return str(_("there is no figure for %(previous)s") % {"previous": previous})
    if now.value is None:
        return ""
    kind = headline.kind
    if kind == COUNT:
        difference = int(now.value) - int(before.value)
        if difference == 0:
            return str(_("the same as in %(previous)s") % {"previous": previous})
        words = (
            ngettext("%(n)s more than in %(previous)s", "%(n)s more than in %(previous)s", difference)
            if difference > 0
            else ngettext("%(n)s fewer than in %(previous)s", "%(n)s fewer than in %(previous)s", -difference)
        )
        return words % {"n": number_format(abs(difference), force_grouping=True), "previous": previous}
    places = {PERCENT: 3, RATE: 2, MONEY: 2}.get(kind, 1)
    a, b = rounded(now.value, places), rounded(before.value, places)
    then = figure_text(before, kind, threshold)
    if a == b:
        return str(_("the same as in %(previous)s") % {"previous": previous})
    if a > b:
        return str(_("up from %(then)s in %(previous)s") % {"then": then, "previous": previous})
    return str(_("down from %(then)s in %(previous)s") % {"then": then, "previous": previous})


def sentence(headline: Headline, now: Figure, before: Figure | None, previous: str, threshold: int) -> str:
    if now.state:
        text = _("%(subject)s is withheld: %(why)s") % {
            "subject": str(headline.subject),
            "why": _why(now.state, threshold),
        }
        return text[0].upper() + text[1:] + "."
    if now.value is None:
        return str(_("There is no figure for %(subject)s in this period.") % {"subject": headline.subject})
    singular, plural = headline.sentence
    n = int(now.value) if headline.kind == COUNT else 2
    text = str(singular if n == 1 else plural) % {"value": figure_text(now, headline.kind, threshold)}
    change = _change(headline, now, before, previous, threshold)
    if not change:
        return f"{text}."
    # A comparison reads on after a comma; a remark that there is none, after a semicolon.
    joined = ", " if before is not None and not before.state and before.value is not None else "; "
    return f"{text}{joined}{change}."


def trend_points(cell: Cell, tables: dict[str, Table], threshold: int, months: int = 6) -> list[TrendPoint]:
    """The last `months` months of a trend table's column (a withheld month has no value)."""
    table = tables.get(cell.metric)
    if table is None:
        return []
    column = next((c for c in table.columns if c.key == cell.column), None)
    if column is None:
        return []
    points = []
    for row in table.rows[-months:]:
        value = None if row.states.get(column.key) else row.values.get(column.key)
        points.append(
            TrendPoint(row.label, None if value is None else float(value), display(column, row, threshold))
        )
    return points


def build_summary(
    tables: dict[str, Table],
    before: dict[str, Table],
    *,
    start: date,
    end: date,
    threshold: int,
    previous_period: tuple[date, date, str] | None = None,
) -> Summary:
    """The summary from the period's tables and the previous period's, both already suppressed.
    `previous_period`: its first and last days and name, when it is not the same number of days
    just before (the published version's previous month, quarter or year)."""
    previous = previous_period[2] if previous_period else previous_label(start, end)
    lines = []
    for headline in HEADLINES:
        now = _figure(headline, tables)
        if now is None:
            continue
        then = _figure(headline, before)
        lines.append(
            SummaryLine(
                headline,
                now,
                then,
                sentence(headline, now, then, previous, threshold),
                trend_points(headline.trend, tables, threshold) if headline.trend else [],
            )
        )
    dates = previous_period[:2] if previous_period else previous_dates(start, end)
    return Summary(previous, *dates, lines, threshold)
