"""Small-number suppression for what OPCC analysts see, with secondary suppression.

A count from 1 to `threshold - 1` is *primary* suppressed and shown as "<5" (with the default
threshold of 5). In a group of counts that add up to a total, a suppressed count could be worked
out by subtracting the shown ones from the total, so further counts are *secondary* suppressed
(shown as "[c]") until no suppressed count can be worked out.

"Worked out" is judged as a reader would: knowing that the parts add up to the total, that a "<5"
cell is 1 to 4 and a "[c]" cell is any count (0 or more). With one equation and each unknown in
an integer interval, a cell's feasible values are exactly the interval
`[max(lo, total_lo - sum(others' hi)), min(hi, total_hi - sum(others' lo))]`, so the check is exact.
Zeros are shown: a zero reveals nobody.

Counts are worked with as Python integers, whatever type they arrive as (a PostgreSQL SUM of
counts is a `numeric`, read as a Decimal), so the unbounded "[c]" interval (a float infinity)
adds to them exactly.
"""

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

PRIMARY = "primary"
SECONDARY = "secondary"
INFINITY = float("inf")


@dataclass(frozen=True)
class Group:
    """The suppression state of each part and of the total: None (shown), PRIMARY or SECONDARY."""

    parts: tuple[str | None, ...]
    total: str | None


def whole(value) -> int:
    """A count as an int; a count that is not a whole number is a mistake upstream, not a cell
    to suppress by guesswork."""
    number = int(value)
    if number != value:
        raise ValueError(f"A count must be a whole number, not {value!r}")
    return number


def is_small(value: int, threshold: int) -> bool:
    return 1 <= value < threshold


def interval(value: int, state: str | None, threshold: int) -> tuple[float, float]:
    """What a reader knows of a cell from how it is shown."""
    if state is None:
        return (value, value)
    if state == PRIMARY:
        return (1, threshold - 1)
    return (0, INFINITY)


def determined_cells(
    parts: list[int], total: int, states: list[str | None], total_state: str | None, threshold: int
) -> list[int]:
    """Indexes of suppressed cells a reader can work out exactly (-1 for the total)."""
    parts, total = [whole(v) for v in parts], whole(total)
    ranges = [interval(v, s, threshold) for v, s in zip(parts, states, strict=True)]
    total_lo, total_hi = interval(total, total_state, threshold)
    sum_lo = sum(lo for lo, _ in ranges)
    sum_hi = sum(hi for _, hi in ranges)
    found = []
    for index, (state, (lo, hi)) in enumerate(zip(states, ranges, strict=True)):
        if state is None:
            continue
        feasible_lo = max(lo, total_lo - (sum_hi - hi))
        feasible_hi = min(hi, total_hi - (sum_lo - lo))
        if feasible_lo == feasible_hi:
            found.append(index)
    if total_state is not None and max(total_lo, sum_lo) == min(total_hi, sum_hi):
        found.append(-1)
    return found


def suppress_group(parts: list[int], total: int, threshold: int) -> Group:
    """Suppress the parts of `total` (`sum(parts) == total`) so that none from 1 to threshold-1 is
    shown and no suppressed one can be worked out. Secondary suppression takes the smallest shown
    non-zero part (least information lost), then, if none is left, the total itself."""
    parts, total = [whole(v) for v in parts], whole(total)
    states: list[str | None] = [PRIMARY if is_small(v, threshold) else None for v in parts]
    total_state = PRIMARY if is_small(total, threshold) else None
    while determined_cells(parts, total, states, total_state, threshold):
        candidates = [i for i, (v, s) in enumerate(zip(parts, states, strict=True)) if s is None and v > 0]
        if candidates:
            states[min(candidates, key=lambda i: (parts[i], i))] = SECONDARY
        elif total_state != SECONDARY:
            # Only the total is left to withhold: shown as "[c]" it tells the reader nothing.
            total_state = SECONDARY
        else:
            break  # cannot happen: with the total unknown, every part has a range of values
    return Group(parts=tuple(states), total=total_state)


def suppress_single(value: int | None, threshold: int) -> str | None:
    """A count standing alone (no total it is part of)."""
    return PRIMARY if value is not None and is_small(value, threshold) else None


# Suppression across many tables ------------------------------------------------------------------
#
# A family of published tables (reports/family.py) is a set of cells (variables) tied by linear
# relations a reader knows: "total = sum of parts" within a table, months → quarter → year, areas
# → all areas, a count and its complement → their base. A reader knows each shown cell exactly, a
# "<5" cell as 1 to 4 and a "[c]" cell (or a complement, never shown) as 0 or more. What they can
# work out of each cell is found by propagating these intervals through every equation until
# nothing narrows (a fixpoint); a withheld cell whose interval closes to one value is disclosed,
# and a further cell is withheld. With one equation this is exactly `determined_cells`.


def propagate(
    bounds: dict, equations: Sequence[tuple[Any, Sequence[Any]]], limit: int = 200
) -> tuple[dict, bool]:
    """Narrow `bounds` ({cell: (lo, hi)}) through `equations` ([(total, [parts])]) to a fixpoint;
    returns the narrowed bounds and whether they are consistent (a false one means the relations
    do not hold of the values, a mistake upstream). `limit` passes over an equation at most."""
    bounds = dict(bounds)
    where: dict = {}
    for index, (total, parts) in enumerate(equations):
        for cell in (total, *parts):
            where.setdefault(cell, []).append(index)
    queue = list(range(len(equations)))
    queued = set(queue)
    passes = [0] * len(equations)
    while queue:
        index = queue.pop()
        queued.discard(index)
        passes[index] += 1
        if passes[index] > limit:
            continue
        total, parts = equations[index]
        changed = []
        lows = [bounds[p][0] for p in parts]
        highs = [bounds[p][1] for p in parts]
        sum_lo, sum_hi = sum(lows), sum(highs)
        t_lo, t_hi = bounds[total]
        new_t = (max(t_lo, sum_lo), min(t_hi, sum_hi))
        if new_t != (t_lo, t_hi):
            bounds[total] = new_t
            changed.append(total)
        t_lo, t_hi = new_t
        for i, (part, lo, hi) in enumerate(zip(parts, lows, highs, strict=True)):
            others_hi = sum_hi - hi if hi != INFINITY else sum(h for j, h in enumerate(highs) if j != i)
            new = (max(lo, t_lo - others_hi), min(hi, t_hi - (sum_lo - lo)))
            if new != (lo, hi):
                bounds[part] = new
                changed.append(part)
        for cell in changed:
            lo, hi = bounds[cell]
            if lo > hi:
                return bounds, False
            for other in where[cell]:
                if other != index and other not in queued:
                    queue.append(other)
                    queued.add(other)
    return bounds, True


def known_bounds(values: dict, states: dict, threshold: int) -> dict:
    """What a reader knows of each cell from how it is shown (a cell with no value is never shown:
    a complement)."""
    return {cell: interval(values[cell], states.get(cell), threshold) for cell in values}


def disclosed(values: dict, states: dict, equations, protected: set, threshold: int) -> list:
    """The protected cells (withheld ones, and hidden complements) a reader can work out exactly."""
    bounds, _consistent = propagate(known_bounds(values, states, threshold), equations)
    return [cell for cell in protected if bounds[cell][0] == bounds[cell][1]]


def protect_jointly(
    values: dict,
    equations: Sequence[tuple[Any, Sequence[Any]]],
    threshold: int,
    *,
    hidden: AbstractSet[Any] = frozenset(),
    withheld: AbstractSet[Any] = frozenset(),
    fixed: dict[Any, str | None] | None = None,
) -> dict:
    """States ({cell: PRIMARY | SECONDARY | None}) for `values` ({cell: count}) such that no count
    from 1 to threshold-1 is shown and no withheld cell, nor any small `hidden` cell (a complement,
    never shown), can be worked out through `equations`. `withheld` cells are withheld from the
    start (a place's nights when it had few residents). Secondary suppression withholds, for a
    disclosed cell, the smallest shown non-zero cell of an equation it is in (least information
    lost), then, failing that, a shown zero; repeated until nothing is disclosed. `fixed` cells
    ({cell: state}) keep the state given whatever happens (cells already released,
    reports/releases.py): only the other cells are withheld to protect them."""
    # Worked on cell numbers: the cells' own keys are slow to hash.
    cells = list(values)
    number = {cell: i for i, cell in enumerate(cells)}
    counts = [whole(values[cell]) for cell in cells]
    eqs = [(number[t], [number[p] for p in parts]) for t, parts in equations]
    secret = {number[c] for c in hidden}
    states: list = [None] * len(cells)
    for i, value in enumerate(counts):
        if i in secret:
            states[i] = SECONDARY  # never shown: known as 0 or more
        elif is_small(value, threshold):
            states[i] = PRIMARY
        elif cells[i] in withheld:
            states[i] = SECONDARY
    frozen = {number[c] for c in (fixed or {}) if c in number}
    for i in frozen:
        states[i] = (fixed or {})[cells[i]]
    keep = secret | frozen  # never chosen, never widened (a frozen cell's state is out already)
    small_secret = {i for i in secret if is_small(counts[i], threshold)}
    where: dict = {}
    for index, (total, parts) in enumerate(eqs):
        for i in (total, *parts):
            where.setdefault(i, []).append(index)
    while True:
        bounds, _consistent = propagate(
            {i: interval(counts[i], states[i], threshold) for i in range(len(cells))}, eqs
        )
        protected = [i for i in range(len(cells)) if (states[i] and i not in secret) or i in small_secret]
        found = [i for i in protected if bounds[i][0] == bounds[i][1]]
        if not found:
            unknown = {i for i in range(len(cells)) if states[i]}
            pinned = determined_by_equations(unknown, eqs, counts)
            found = [i for i in protected if i in pinned]
        if not found:
            return {cell: states[i] for i, cell in enumerate(cells) if i not in secret}
        # One further cell withheld for each disclosed cell whose equations have none withheld
        # this round yet: withholding it may protect the others too.
        touched: set = set()
        chosen = []
        for i in found:
            if touched.intersection(where.get(i, ())):
                continue
            candidate = _withhold_next(i, states, counts, eqs, where, keep)
            if candidate is not None:
                chosen.append(candidate)
                touched.update(where.get(candidate, ()))
                touched.update(where.get(i, ()))
        if not chosen:
            # No shown cell is left near the disclosed ones: what pins them is the "<5" cells' own
            # bounds (a "<5" total of four "<5" parts makes each exactly 1). Show such cells as
            # "[c]" (0 or more) instead, the disclosed one first, then those of its equations.
            chosen = _widen_next(found, states, eqs, where, keep)
            if not chosen:
                return {cell: states[i] for i, cell in enumerate(cells) if i not in secret}
        for candidate in chosen:
            states[candidate] = SECONDARY


def determined_by_equations(
    unknowns: AbstractSet[Any], equations: Sequence[tuple[Any, Sequence[Any]]], values: Any
) -> set[Any]:
    """The unknown cells whose value follows from the equations alone, whatever the bounds (the
    differencing a reader does by adding and subtracting tables: three sums around a cycle can fix
    a cell that no single equation narrows). Gaussian elimination, kept in reduced form, with the
    shown cells as constants; a cell is fixed when its row has no other unknown left."""
    pivots: dict = {}  # pivot cell -> (row {cell: coefficient}, constant)
    occurs: dict = {}  # cell -> the pivots whose rows hold it
    for total, parts in equations:
        terms: dict = {}
        for cell, coefficient in ((total, 1), *((p, -1) for p in parts)):
            terms[cell] = terms.get(cell, 0) + coefficient
        row: dict = {}
        constant = Fraction(0)
        for cell, coefficient in terms.items():
            if not coefficient:
                continue
            if cell in unknowns:
                row[cell] = Fraction(coefficient)
            else:
                constant -= coefficient * values[cell]
        for cell in [c for c in row if c in pivots]:
            factor = row.get(cell)
            if not factor:
                continue
            pivot_row, pivot_constant = pivots[cell]
            for other, coefficient in pivot_row.items():
                value = row.get(other, 0) - factor * coefficient
                if value:
                    row[other] = value
                else:
                    row.pop(other, None)
            constant -= factor * pivot_constant
        if not row:
            continue
        pivot = min(row, key=lambda c: (len(occurs.get(c, ())), repr(c)))
        scale = row[pivot]
        row = {c: v / scale for c, v in row.items()}
        constant /= scale
        # Keep the other rows reduced: take the new pivot out of them.
        for holder in list(occurs.get(pivot, ())):
            holder_row, holder_constant = pivots[holder]
            factor = holder_row.get(pivot)
            if not factor:
                continue
            for other, coefficient in row.items():
                value = holder_row.get(other, 0) - factor * coefficient
                if value:
                    holder_row[other] = value
                    occurs.setdefault(other, set()).add(holder)
                else:
                    holder_row.pop(other, None)
                    occurs.get(other, set()).discard(holder)
            pivots[holder] = (holder_row, holder_constant - factor * constant)
        occurs.pop(pivot, None)
        pivots[pivot] = (row, constant)
        for cell in row:
            occurs.setdefault(cell, set()).add(pivot)
    return {cell for cell, (row, _constant) in pivots.items() if len(row) == 1}


def _withhold_next(cell: int, states: list, counts: list, eqs: list, where: dict, secret: set):
    """The shown cell to withhold for a disclosed `cell`: in its own equations first, then in
    those of their cells (a step or two further)."""
    seen = {cell}
    ring = [cell]
    for _step in range(3):
        shown, nearby = [], []
        for c in ring:
            for index in where.get(c, ()):
                total, parts = eqs[index]
                for other in (total, *parts):
                    if other in seen:
                        continue
                    seen.add(other)
                    nearby.append(other)
                    if other not in secret and states[other] is None:
                        shown.append(other)
        nonzero = [c for c in shown if counts[c] > 0]
        if nonzero:
            return min(nonzero, key=lambda c: (counts[c], c))
        if shown:
            return min(shown)
        ring = nearby
    return None


def _widen_next(
    found: list[int], states: list[Any], eqs: list[Any], where: dict[int, list[int]], secret: set[int]
) -> list[int]:
    """For each disclosed cell, a "<5" cell to show as "[c]" instead: the cell itself, else one of
    the cells of its equations (a step or two further if need be)."""
    chosen: list[int] = []
    for cell in found:
        seen, ring = {cell}, [cell]
        for _step in range(3):
            primary = [c for c in ring if c not in secret and states[c] == PRIMARY]
            if primary:
                chosen.append(min(primary))
                break
            nearby = []
            for c in ring:
                for index in where.get(c, ()):
                    total, parts = eqs[index]
                    for other in (total, *parts):
                        if other not in seen:
                            seen.add(other)
                            nearby.append(other)
            ring = nearby
    return sorted(set(chosen))
