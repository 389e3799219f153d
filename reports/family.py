"""Disclosure control that holds across the published reports.

The published version is made for fixed periods only (reports/periods.py). The published tables of
one financial year form a *family*: each of its ended months, quarters and (once over) the year,
for all areas and for each area. A reader can put any members of a family side by side, so they
are suppressed together (`protect_family`), with the relations a reader knows:

- within a table: rows add up to the total, and a row's parts to its total column;
- over time: for counts marked additive over "time" (referrals received, placements started and
  ended, nights), the months add up to their quarter and the quarters to the year (people counts
  are not: a person in May and June is one person in the quarter);
- over areas: for counts marked additive over "area", the areas add up to all areas, and the all-
  areas by-area table's row for an area is that area's total;
- a count with its base ("5 of 6 reoffended"): the count and its complement (6 − 5, never shown)
  are parts of the base, and the complement is protected like a count;
- a month of a trend is the same cell in every report that shows it.

A cell withheld in one member is withheld wherever it appears (it is one variable), and what a
reader can work out is found by interval propagation to a fixpoint (reports/suppression.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from reports.metrics import REGISTRY
from reports.periods import MONTH, QUARTER, YEAR, FixedPeriod
from reports.suppression import SECONDARY, protect_jointly, whole
from reports.tables import COUNT, PERCENT, Column, Row, Table, _suppress_derived

TIME, AREA = "time", "area"


@dataclass(frozen=True)
class Member:
    period: FixedPeriod
    area: str  # "" for all areas


def _additive(metric_key: str, table: Table, row: Row, column: Column) -> frozenset[str]:
    if row.additive_over is not None:
        return frozenset(row.additive_over)
    if column.additive_over is not None:
        return frozenset(column.additive_over)
    metric = REGISTRY.get(metric_key)
    return frozenset(metric.additive_over) if metric else frozenset()


def _counts(table: Table) -> Iterator[tuple[Row, Column]]:
    """The count cells of a table: (row, column) for count columns of rows that are counts."""
    for row in table.all_rows():
        if row.kind not in (None, COUNT):
            continue
        for column in table.count_columns():
            if row.values.get(column.key) is not None:
                yield row, column


def _parts_of(table: Table) -> list[tuple[str, str]]:
    """(count, base) column pairs of the same row: declared with `part_of`, or read from a share
    worked out from a count over another count column (its `basis`)."""
    counts = {c.key for c in table.count_columns()}
    pairs = [(c.key, c.part_of) for c in table.columns if c.part_of in counts and c.key in counts]
    for column in table.columns:
        if column.kind == PERCENT and column.derived_from in counts and column.basis in counts:
            pairs.append((column.derived_from, column.basis))
    return list(dict.fromkeys(pairs))


class _System:
    """The family's cells as variables, and the equations between them."""

    def __init__(self) -> None:
        self.values: dict[Any, int] = {}
        self.equations: list[tuple[Any, list[Any]]] = []
        self.hidden: set[Any] = set()
        self.withheld: set[Any] = set()
        self.where: dict[Any, list[tuple[Table, Row, Column]]] = defaultdict(list)
        self.location: dict[Any, Any] = {}  # (member, metric, row label, column) -> variable
        self.location_additive: dict[Any, frozenset[str]] = {}  # the same keys -> what it adds up over
        self.basis: list[tuple[Row, Column, Any]] = []  # cells withheld when their row's people are few
        self.members: dict[Any, set[Member]] = defaultdict(set)  # the members each cell is shown in
        # (cell, the cell it is withheld with): a place's void nights with its occupied nights.
        self.together: list[tuple[Any, Any]] = []

    def variable(self, member: Member, metric: str, table: Table, row: Row, column: Column) -> Any:
        fact = row.facts.get(column.key)
        if row.period is not None:
            return ("row", metric, row.period, member.area, row.label, column.key)
        if fact:
            return ("fact", member, fact)
        return ("cell", member, metric, row.label, column.key)

    def add(self, member: Member, metric: str, table: Table) -> None:
        threshold_basis = []
        for row, column in _counts(table):
            var = self.variable(member, metric, table, row, column)
            value = whole(row.values[column.key])
            if var in self.values and self.values[var] != value:
                # The same fact with two values: not the same cell after all (keep them apart).
                var = ("cell", member, metric, row.label, column.key)
            self.values[var] = value
            self.where[var].append((table, row, column))
            self.members[var].add(member)
            self.location[(member, metric, row.label, column.key)] = var
            fact = row.facts.get(column.key)
            if row.period is not None and fact:
                # A trend's month that is the report's own period: the same as the section's figure.
                own = ("fact", member, fact)
                self.values.setdefault(own, value)
                self.equations.append((own, [var]))
            if row.period is None:
                self.location_additive[(member, metric, row.label, column.key)] = _additive(
                    metric, table, row, column
                )
            if column.basis:
                threshold_basis.append((row, column, var))
        self.basis.extend(threshold_basis)
        for row, column in _counts(table):
            if column.withheld_with:
                cell = self._var_key(member, metric, row, column.key)
                leader = self._var_key(member, metric, row, column.withheld_with)
                if cell is not None and leader is not None:
                    self.together.append((cell, leader))
        # Within the table.
        if table.total is not None and table.additive:
            for column in table.count_columns():
                if table.additive is not True and column.key not in table.additive:
                    continue
                total = self._var(member, metric, table.total, column)
                parts = [self._var(member, metric, row, column) for row in table.rows]
                if total is not None and None not in parts:
                    self.equations.append((total, parts))
        for row in table.all_rows():
            for total_key, part_keys in table.row_relations:
                total = self._var_key(member, metric, row, total_key)
                parts = [self._var_key(member, metric, row, key) for key in part_keys]
                if total is not None and None not in parts:
                    self.equations.append((total, parts))
            for count_key, base_key in _parts_of(table):
                count = self._var_key(member, metric, row, count_key)
                base = self._var_key(member, metric, row, base_key)
                if count is None or base is None:
                    continue
                complement = ("complement", member, metric, row.label, count_key, base_key)
                self.values[complement] = max(self.values[base] - self.values[count], 0)
                self.hidden.add(complement)
                self.equations.append((base, [count, complement]))

    def _var(self, member: Member, metric: str, row: Row, column: Column) -> Any:
        return (
            self.location.get((member, metric, row.label, column.key))
            if row.period is None
            else (self._period_var(member, metric, row, column.key))
        )

    def _var_key(self, member: Member, metric: str, row: Row, key: str) -> Any:
        if row.period is not None:
            return self._period_var(member, metric, row, key)
        return self.location.get((member, metric, row.label, key))

    def _period_var(self, member: Member, metric: str, row: Row, key: str) -> Any:
        var = ("row", metric, row.period, member.area, row.label, key)
        return var if var in self.values else None


def _sub_periods(period: FixedPeriod) -> list[FixedPeriod] | None:
    """The fixed periods that make up `period` one level down: a quarter's months, a year's quarters."""
    from reports.periods import _add_months, period_of

    if period.kind == QUARTER:
        return [period_of(MONTH, _add_months(period.start, n)) for n in range(3)]
    if period.kind == YEAR:
        return [period_of(QUARTER, _add_months(period.start, 3 * n)) for n in range(4)]
    return None


def family_system(family: dict[Member, dict[str, Table]]) -> _System:
    system = _System()
    for member, tables in family.items():
        for key, table in tables.items():
            system.add(member, key, table)
    members = set(family)
    areas = sorted({m.area for m in members if m.area})
    # Over time: months -> quarter, quarters -> year.
    for (member, metric, label, column), var in list(system.location.items()):
        additive = system.location_additive.get((member, metric, label, column), frozenset())
        if TIME in additive:
            subs = _sub_periods(member.period)
            if subs:
                parts = [system.location.get((Member(p, member.area), metric, label, column)) for p in subs]
                if None not in parts:
                    system.equations.append((var, parts))
        if AREA in additive and member.area == "" and areas:
            parts = [system.location.get((Member(member.period, a), metric, label, column)) for a in areas]
            if None not in parts:
                system.equations.append((var, parts))
            # The all-areas by-area table's row for an area is that area's own total.
            if label in areas:
                table = family[member][metric]
                if table.total is not None:
                    own = system.location.get(
                        (Member(member.period, label), metric, table.total.label, column)
                    )
                    if own is not None and own != var:
                        system.equations.append((var, [own]))
    # Months of trends: an area's months add up to all areas' for counts additive over area.
    by_period: dict[Any, dict[str, Any]] = defaultdict(dict)
    for var in system.values:
        if var[0] == "row":
            _kind, metric, period, area, label, column = var
            by_period[(metric, period, label, column)][area] = var
    for (metric, _period, _label, _column), cells in by_period.items():
        if AREA not in (REGISTRY[metric].additive_over if metric in REGISTRY else frozenset()):
            continue
        if "" in cells and areas and all(a in cells for a in areas):
            system.equations.append((cells[""], [cells[a] for a in areas]))
    return system


def protect_family(
    family: dict[Member, dict[str, Table]],
    threshold: int,
    *,
    released: dict[Member, dict[str, Table]] | None = None,
    batches: dict[Member, Any] | None = None,
) -> None:
    """Primary and secondary suppression of every member's tables together, then the values worked
    out from a withheld count (shares, rates) in each member. `released`: the members already
    published ({member: its tables as released}, each in the batch `batches[member]` it was
    published with), whose cells a reader has: their states are kept, and the other members are
    suppressed so that nothing can be worked out of all of them together (reports/releases.py).
    `family` holds every member, released ones too, computed from the data as it is now."""
    system = family_system(family)
    fixed: dict[Any, str | None] = {}
    if released:
        _know_releases(system, set(family) - set(released), released, batches or {}, fixed)
    for row, column, var in system.basis:
        basis = row.values.get(column.basis)
        if basis is not None and 1 <= whole(basis) < threshold and system.values[var]:
            system.withheld.add(var)
    while True:
        states = protect_jointly(
            system.values,
            system.equations,
            threshold,
            hidden=system.hidden,
            withheld=system.withheld,
            fixed=fixed,
        )
        # A place's void and turnaround nights go with its occupied nights: with the bedspaces'
        # nights known, the ones shown would give the one withheld.
        more = {
            cell
            for cell, leader in system.together
            if states.get(leader) and not states.get(cell) and cell not in fixed and system.values[cell]
        }
        if not more:
            break
        system.withheld |= more
    for var, places in system.where.items():
        for _table, row, column in places:
            row.states[column.key] = states.get(var)
    for _member, tables in family.items():
        suppressed_facts = {
            row.facts[column]
            for table in tables.values()
            for row in table.all_rows()
            for column, state in row.states.items()
            if state and column in row.facts
        }
        for table in tables.values():
            _suppress_derived(table, threshold, suppressed_facts)


def _know_releases(
    system: _System,
    new_members: set[Member],
    released: dict[Member, dict[str, Table]],
    batches: dict[Member, Any],
    fixed: dict[Any, str | None],
) -> None:
    """Add what a reader has from the releases to `system`: each released cell whose count is the
    same now is fixed at its released state; one whose count has changed since (late data) is a
    cell of its own, fixed, tied to the count now by a hidden difference (the late records,
    protected like a complement: two releases must not reveal that one record came late), the
    count now then known only where a new member shows it. Each batch's own equations (its
    tables' totals, months into quarters) hold of its released counts, and are added too."""
    by_batch: dict[Any, dict[Member, dict[str, Table]]] = defaultdict(dict)
    for member, tables in released.items():
        by_batch[batches.get(member)][member] = tables
    for batch, tables_of in by_batch.items():
        old = family_system(tables_of)
        mapping: dict[Any, Any] = {}
        for var, value in old.values.items():
            if var in old.hidden:
                mapped = ("released", batch, var)
                system.values[mapped] = value
                system.hidden.add(mapped)
                mapping[var] = mapped
                continue
            places = old.where.get(var)
            state = places[0][1].states.get(places[0][2].key) if places else None
            same = var in system.values and system.values[var] == value
            if same and fixed.get(var, state) == state:
                fixed[var] = state
                mapping[var] = var
                continue
            mapped = ("released", batch, var)
            system.values[mapped] = value
            fixed[mapped] = state
            mapping[var] = mapped
            if var in system.values:
                late = ("late", batch, var)
                change = system.values[var] - value
                system.values[late] = abs(change)
                system.hidden.add(late)
                system.equations.append((var, [mapped, late]) if change >= 0 else (mapped, [var, late]))
                if not system.members[var] & new_members:
                    system.hidden.add(var)  # shown only as released: its count now is not
        for total, parts in old.equations:
            system.equations.append((mapping[total], [mapping[p] for p in parts]))


def withheld_count(family: dict[Member, dict[str, Table]]) -> int:
    return sum(
        1
        for tables in family.values()
        for table in tables.values()
        for row in table.all_rows()
        for state in row.states.values()
        if state
    )


__all__ = ["SECONDARY", "Member", "family_system", "protect_family", "withheld_count"]
