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

from dataclasses import dataclass

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
