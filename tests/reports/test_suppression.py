"""Small-number suppression: no shown count is from 1 to 4, and no withheld count can be worked
out from what is shown (checked by brute force, independently of the module's own reasoning)."""

from itertools import product

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.suppression import PRIMARY, SECONDARY, suppress_group

THRESHOLD = 5
# What a reader knows a withheld cell may be: "<5" is 1 to 4, "[c]" any count (bounded for the search).
SEARCH_TOP = 40


def _possible(state):
    if state is None:
        return None
    return range(1, THRESHOLD) if state == PRIMARY else range(0, SEARCH_TOP + 1)


def _solutions(parts, total, group):
    """Every assignment of the withheld cells consistent with what is shown and the sum."""
    hidden = [i for i, s in enumerate(group.parts) if s is not None]
    shown_sum = sum(v for v, s in zip(parts, group.parts, strict=True) if s is None)
    totals = _possible(group.total) or [total]
    found = []
    for values in product(*(_possible(group.parts[i]) for i in hidden)):
        for t in totals:
            if shown_sum + sum(values) == t:
                found.append((dict(zip(hidden, values, strict=True)), t))
    return found


counts = st.lists(st.one_of(st.integers(0, 6), st.integers(5, 20)), min_size=1, max_size=4)


@settings(max_examples=300, deadline=None)
@given(counts)
def test_no_shown_count_is_small_and_no_withheld_count_can_be_worked_out(parts):
    total = sum(parts)
    group = suppress_group(parts, total, THRESHOLD)
    cells = [*zip(parts, group.parts, strict=True), (total, group.total)]
    for value, state in cells:
        assert state is not None or not 1 <= value < THRESHOLD, "a count from 1 to 4 is shown"
        assert state != PRIMARY or 1 <= value < THRESHOLD, "'<5' is only ever true"
    solutions = _solutions(parts, total, group)
    assert solutions, "the true values must be among the solutions"
    for index, state in enumerate(group.parts):
        if state is not None:
            assert len({s[index] for s, _t in solutions}) > 1, f"part {index} of {parts} can be worked out"
    if group.total is not None:
        assert len({t for _s, t in solutions}) > 1, f"the total of {parts} can be worked out"


def test_one_small_count_takes_the_next_smallest_with_it():
    group = suppress_group([3, 9, 20], 32, THRESHOLD)
    assert group.parts == (PRIMARY, SECONDARY, None) and group.total is None


def test_four_ones_under_a_small_total_withhold_the_total_as_well():
    group = suppress_group([1, 1, 1, 1], 4, THRESHOLD)
    assert group.parts == (PRIMARY,) * 4 and group.total == SECONDARY


def test_zeros_are_shown():
    assert suppress_group([0, 7, 0], 7, THRESHOLD).parts == (None, None, None)


def test_counts_that_arrive_as_decimals_are_suppressed_like_integers():
    """A PostgreSQL SUM of counts is a numeric (a Decimal in Python): the old secondary suppression
    added it to a float and raised. Decimals, ints and whole floats give the same states, alone and
    across reports."""
    from decimal import Decimal

    from reports.suppression import protect_jointly

    as_ints = suppress_group([3, 6, 20], 29, THRESHOLD)
    assert suppress_group([Decimal(3), Decimal("6"), 20], Decimal("29.000"), THRESHOLD) == as_ints
    assert suppress_group([3.0, 6, 20.0], 29, THRESHOLD) == as_ints
    assert as_ints.parts == (PRIMARY, SECONDARY, None)
    values = {"a": Decimal(3), "b": 6.0, "c": 20, "t": Decimal(29)}
    states = protect_jointly(values, [("t", ["a", "b", "c"])], THRESHOLD)
    assert states == {"a": PRIMARY, "b": SECONDARY, "c": None, "t": None}


def test_a_count_that_is_not_whole_is_refused_not_guessed():
    import pytest

    from reports.suppression import whole

    with pytest.raises(ValueError, match="whole number"):
        whole(2.5)
