"""The shape of a report: sections of metrics, each a small table of cells, and how a cell is shown.

Every format (page, PDF, CSV, XLSX) reads these same objects, so a figure and its suppression are
decided once.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from reports.suppression import PRIMARY, SECONDARY, suppress_group, suppress_single

# How a column's values read. Counts are suppressed; the others are suppressed with the count
# they are worked out from (`derived_from`) or when the number of people behind them is small.
COUNT, NUMBER, PERCENT, MONEY, DAYS, TEXT = "count", "number", "percent", "money", "days", "text"
# A rate (per person-month, per week, per placement) is shown to two decimals: most are 0.1 to 0.5,
# where one decimal would turn 0.22 and 0.125 into 0.2 and 0.1.
RATE = "rate"


@dataclass
class Column:
    key: str
    label: str
    kind: str = COUNT
    derived_from: str | None = None  # a count column in the same row that this value reveals
    basis: str | None = None  # a count column in the same row: the people (or stays) behind it
    denominator: str | None = None  # a fact this value is divided by: withheld with it
    # Which sums a reader knows this count takes part in across the published reports ("time":
    # months add up to their quarter and year; "area": areas add up to all areas). None: as the
    # row says, else as the metric says (reports/family.py).
    additive_over: frozenset | None = None
    # A count that is part of another count column of the same row ("5 of 6 reoffended"): its
    # complement (6 - 5) is protected as a count too.
    part_of: str | None = None
    # A count column of the same row this one is withheld with, whenever that one is withheld.
    withheld_with: str | None = None


@dataclass
class Row:
    label: str
    values: dict
    # Facts shown in more than one table (for example the number of placements ended): once
    # suppressed in one table, suppressed wherever they appear.
    facts: dict = field(default_factory=dict)
    states: dict = field(default_factory=dict)
    kind: str | None = None  # overrides the columns' kind (a comparison row of money, say)
    additive_over: frozenset | None = None  # overrides the columns' and the metric's (see Column)
    # The days [start, end) the row is about when they are not the report's period (a month of a
    # trend): the same cell in every report that shows that month.
    period: tuple | None = None


@dataclass
class Table:
    columns: list[Column]
    rows: list[Row]
    total: Row | None = None
    # The rows' counts add up to the total row (one category each): secondary suppression applies.
    additive: bool | set = False  # True for every count column, or a set of column keys
    row_header: str = ""
    # Within each row, a count column that is the sum of others: (total column, part columns).
    row_relations: list[tuple[str, list[str]]] = field(default_factory=list)
    # The ids of the people the table names (the officers' case-review list): the access log's.
    people: list[int] = field(default_factory=list)
    # A long list shows its first rows only in the page and the PDF (the CSV and XLSX hold all).
    shown_rows: int | None = None

    def count_columns(self) -> list[Column]:
        return [c for c in self.columns if c.kind == COUNT]

    def all_rows(self) -> list[Row]:
        return [*self.rows, *([self.total] if self.total else [])]


@dataclass
class MetricResult:
    key: str
    title: str
    definition: str
    table: Table
    chart_column: str | None = None  # a bar chart of this column, drawn from the table's cells


@dataclass
class Section:
    key: str
    title: str
    metrics: list[MetricResult]


@dataclass
class Report:
    scheme_name: str
    start: date
    end: date  # the last day of the period (inclusive)
    area: str  # the GSS code of the local authority chosen, "" for all areas
    audience: str
    generated_at: datetime
    threshold: int
    sections: list[Section]
    # The one-page summary (reports/metrics/summary.py), read from the suppressed tables.
    summary: object = None
    # The published version: the reports.models.PublishedRelease its figures are served from.
    release: object = None
    area_name: str = ""  # the area's name in the language the report was made in

    @property
    def named(self) -> bool:
        """The operational version: names people (its case-review list)."""
        return self.audience == "officer"

    @property
    def pseudonymised(self) -> bool:
        """The OPCC's versions: people appear only as counts or pseudonymised rows."""
        return self.audience != "officer"

    @property
    def protected(self) -> bool:
        """The published version: small numbers suppressed across the year's reports."""
        return self.audience == "published"

    def metrics(self):
        for section in self.sections:
            yield from section.metrics

    @property
    def people(self) -> list[int]:
        """The ids of everyone the report names: none in the OPCC's versions."""
        return sorted({person for metric in self.metrics() for person in metric.table.people})


# Suppression -----------------------------------------------------------------------------------


def apply_suppression(report: Report) -> None:
    """Primary and secondary suppression in every table, and the same for a fact wherever shown,
    then the values worked out from a suppressed count. Repeats until nothing changes, since a
    fact suppressed in one table may start a secondary suppression in another."""
    threshold = report.threshold
    suppressed_facts: set[str] = set()
    tables = [metric.table for metric in report.metrics()]
    while True:
        before = len(suppressed_facts)
        for table in tables:
            _suppress_counts(table, threshold, suppressed_facts)
            _suppress_row_relations(table, threshold)
            for row in table.all_rows():
                for column, fact in row.facts.items():
                    if row.states.get(column):
                        suppressed_facts.add(fact)
        if len(suppressed_facts) == before:
            break
    for table in tables:
        _suppress_derived(table, threshold, suppressed_facts)


def _suppress_counts(table: Table, threshold: int, suppressed_facts: set[str]) -> None:
    for column in table.count_columns():
        key = column.key
        for row in table.all_rows():
            value = row.values.get(key)
            if row.states.get(key) is None:
                row.states[key] = suppress_single(value, threshold)
            if row.states.get(key) is None and row.facts.get(key) in suppressed_facts and value:
                row.states[key] = SECONDARY
        if table.total is not None and (table.additive is True or (table.additive and key in table.additive)):
            parts = [row.values.get(key) or 0 for row in table.rows]
            total = table.total.values.get(key) or 0
            group = suppress_group(parts, total, threshold)
            for row, state in zip(table.rows, group.parts, strict=True):
                row.states[key] = _stronger(row.states.get(key), state)
            # A total already withheld elsewhere stays withheld; it only widens what a reader knows.
            table.total.states[key] = _stronger(table.total.states.get(key), group.total)
            if table.total.states[key] == SECONDARY or any(
                s == SECONDARY for s in (r.states.get(key) for r in table.rows)
            ):
                _recheck(table, key, threshold)


def _suppress_row_relations(table: Table, threshold: int) -> None:
    for row in table.all_rows():
        for total_key, part_keys in table.row_relations:
            parts = [row.values.get(k) or 0 for k in part_keys]
            group = suppress_group(parts, row.values.get(total_key) or 0, threshold)
            for k, state in zip(part_keys, group.parts, strict=True):
                row.states[k] = _stronger(row.states.get(k), state)
            row.states[total_key] = _stronger(row.states.get(total_key), group.total)


def _recheck(table: Table, key: str, threshold: int) -> None:
    """After a fact from elsewhere changed a state, suppress again until nothing can be worked out."""
    from reports.suppression import determined_cells

    parts = [row.values.get(key) or 0 for row in table.rows]
    total = table.total.values.get(key) or 0
    while True:
        states = [row.states.get(key) for row in table.rows]
        if not determined_cells(parts, total, states, table.total.states.get(key), threshold):
            return
        shown = [i for i, (v, s) in enumerate(zip(parts, states, strict=True)) if s is None and v > 0]
        if shown:
            table.rows[min(shown, key=lambda i: (parts[i], i))].states[key] = SECONDARY
        elif table.total.states.get(key) != SECONDARY:
            table.total.states[key] = SECONDARY
        else:
            return


def _stronger(a: str | None, b: str | None) -> str | None:
    order = {None: 0, PRIMARY: 1, SECONDARY: 2}
    # Primary keeps its "<5" (it is true and tells no more than "[c]" once the group is safe).
    if PRIMARY in (a, b):
        return PRIMARY
    return a if order[a] >= order[b] else b


def _suppress_derived(table: Table, threshold: int, suppressed_facts: set[str]) -> None:
    for row in table.all_rows():
        for column in table.columns:
            if column.kind == COUNT:
                continue
            if column.denominator in suppressed_facts:
                row.states[column.key] = SECONDARY
            source = column.derived_from
            if source and row.states.get(source):
                row.states[column.key] = SECONDARY
            basis = column.basis
            if basis is not None:
                n = row.values.get(basis)
                if n is not None and 1 <= n < threshold:
                    row.states[column.key] = SECONDARY


# Showing a cell ---------------------------------------------------------------------------------


def marker(state: str, threshold: int) -> str:
    return f"<{threshold}" if state == PRIMARY else "[c]"


def rounded(value, places: int) -> Decimal:
    quantum = Decimal(1).scaleb(-places)
    return Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)


def plain_value(column: Column, row: Row):
    """The value as a number for a spreadsheet (rounded as shown), the marker when suppressed, or
    None when there is none."""
    state = row.states.get(column.key)
    if state:
        return None
    value = row.values.get(column.key)
    kind = row.kind or column.kind
    if value is None:
        return None
    if kind == COUNT:
        return int(value)
    if kind == PERCENT:
        return float(rounded(value * 100, 1))
    if kind in (MONEY, RATE):
        return float(rounded(value, 2))
    if kind in (NUMBER, DAYS):
        return float(rounded(value, 1))
    return str(value)


def display(column: Column, row: Row, threshold: int) -> str:
    """The cell as text: the suppression marker, a dash for no value, or the formatted value."""
    state = row.states.get(column.key)
    if state:
        return marker(state, threshold)
    value = row.values.get(column.key)
    kind = row.kind or column.kind
    if value is None:
        return "–"
    if kind == COUNT:
        return number_format(int(value), force_grouping=True)
    if kind == PERCENT:
        return f"{number_format(rounded(value * 100, 1), 1)}%"
    if kind == MONEY:
        return f"£{number_format(rounded(value, 2), 2, force_grouping=True)}"
    if kind == RATE:
        return number_format(rounded(value, 2), 2, force_grouping=True)
    if kind in (NUMBER, DAYS):
        return number_format(rounded(value, 1), 1, force_grouping=True)
    return str(value)


SUPPRESSION_NOTE = _(
    "Counts from 1 to {top} are shown as “<{threshold}”. A count shown as “[c]” is withheld so that "
    "a “<{threshold}” count cannot be worked out from a total; rates and averages worked out from "
    "a withheld count, or from fewer than {threshold} people, are withheld too."
)

# The published version's rules, in every format ("How figures are protected").
PROTECTION_NOTE = _(
    "This published version is made only for a calendar month, a quarter of the financial year or a "
    "financial year, never for other dates, so two published reports cannot be subtracted to reveal "
    "a few days. Counts from 1 to {top} are shown as “<{threshold}”. Further counts are shown as “[c]” "
    "so that no withheld count can be worked out, whether from its table's total, from the months "
    "that make up a quarter or a year, from the areas that make up all areas, or from the rest of "
    "its group (“5 of 6 reoffended” would reveal the one who did not): all of the financial year's "
    "published reports, for all areas and for each area, are protected together, and a figure "
    "withheld in one is withheld in all. A property or area with fewer than {threshold} residents has "
    "its nights (occupied, void and turnaround) and occupancy withheld. Each published report is made once, protected together with every report of its year already published, and then served unchanged. Rates and shares worked out from a withheld count, or from "
    "fewer than {threshold} people, are withheld too. Zeros are shown, unless one has to be withheld "
    "(as “[c]”) to protect another figure."
)
