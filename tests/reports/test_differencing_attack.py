"""A differencing attack on the published reports, written apart from the suppression it attacks.

A history is a count for each (month, area, kind): referrals of three kinds, say, in two areas over
a financial year. Every published member of the family (each ended month, quarter and the year, for
all areas and each area) shows a table of the kinds with their total, and a "with an offence, of
the people" table. The implementation (reports/family.py) suppresses the family; the attacker here
sees only the shown cells and knows each cell is a sum of the history's unknown counts. It tries to
work out each withheld cell two ways, neither shared with the implementation:

- exact linear algebra (Fractions) over the history's counts: a withheld cell whose vector is in
  the span of the shown cells' vectors is determined whatever the bounds (adding and subtracting
  tables);
- bounds: each count is 0 or more, a "<5" cell 1 to 4; the bounds are narrowed over the history's
  counts (each published cell a sum of them) until nothing changes;
- for the tiny hand-built scenarios, brute-force enumeration of every history the shown cells allow.

It must work out nothing from the family's suppression, and it does break the old per-report
suppression (an area against all areas; "5 of 6"; May against 2–31 May).
"""

import itertools
import random
from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from placements.areas import CEREDIGION, POWYS
from reports.family import Member, protect_family
from reports.metrics.registry import Scope  # noqa: F401 - the registry is imported with the family
from reports.periods import MONTH, QUARTER, period_of, year_members
from reports.suppression import PRIMARY, SECONDARY
from reports.tables import COUNT, PERCENT, Column, Report, Row, Table, apply_suppression

THRESHOLD = 5
YEAR = date(2025, 4, 1)
TODAY = date(2026, 5, 1)  # the whole year is over
AREAS = ("North", "South")  # in order, as the reports list them
# The database history's areas, by GSS code, in the order the reports list them.
DB_AREAS = (CEREDIGION, POWYS)
KINDS = ("accepted", "declined", "withdrawn")
BOTH = frozenset({"time", "area"})


# The history and its published tables --------------------------------------------------------------


def random_history(seed: int, months, high: int = 6) -> dict:
    rng = random.Random(seed)
    return {
        (m, a, k): rng.choice([0, 0, 1, 2, 3, high, rng.randint(0, 12)])
        for m in months
        for a in AREAS
        for k in KINDS
    }


def months_of(period) -> list[date]:
    out, day = [], period.start
    while day <= period.end:
        out.append(day)
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return out


def cell_vector(period, area: str, kinds) -> frozenset:
    """The history's counts a published cell adds up."""
    areas = AREAS if not area else (area,)
    return frozenset((m, a, k) for m in months_of(period) for a in areas for k in kinds)


def kinds_table(history: dict, period, area: str) -> Table:
    rows = [Row(k, {"count": sum(history[c] for c in cell_vector(period, area, [k]))}) for k in KINDS]
    total = Row("Total", {"count": sum(r.values["count"] for r in rows)})
    return Table([Column("count", "Count", additive_over=BOTH)], rows, total=total, additive=True)


def family_of(history: dict, periods) -> dict:
    return {Member(p, a): {"kinds": kinds_table(history, p, a)} for p in periods for a in ("", *AREAS)}


def published_cells(family: dict) -> list[tuple[frozenset, int, str | None]]:
    """(vector, value, state) of every count cell, as the attacker reads the tables."""
    cells = []
    for member, tables in family.items():
        table = tables["kinds"]
        for row in table.all_rows():
            kinds = KINDS if row is table.total else [row.label]
            cells.append(
                (cell_vector(member.period, member.area, kinds), row.values["count"], row.states.get("count"))
            )
    return cells


# The attacker -------------------------------------------------------------------------------------


def _reduce(vector: dict, basis: dict) -> dict:
    vector = dict(vector)
    for pivot, row in basis.items():
        factor = vector.get(pivot)
        if factor:
            for key, value in row.items():
                new = vector.get(key, 0) - factor * value
                if new:
                    vector[key] = new
                else:
                    vector.pop(key, None)
    return vector


def span_basis(vectors) -> dict:
    """A reduced basis of the shown cells' vectors: {pivot: row}."""
    basis: dict = {}
    for vector in vectors:
        row = _reduce({key: Fraction(1) for key in vector}, basis)
        if not row:
            continue
        pivot = min(row)
        scale = row[pivot]
        row = {k: v / scale for k, v in row.items()}
        for other in basis.values():
            factor = other.get(pivot)
            if factor:
                for key, value in row.items():
                    new = other.get(key, 0) - factor * value
                    if new:
                        other[key] = new
                    else:
                        other.pop(key, None)
        basis[pivot] = row
    return basis


def bounds_attack(cells, unknowns) -> dict:
    """Bounds of each withheld cell, narrowed through bounds on the history's counts."""
    lo = {u: 0 for u in unknowns}
    hi = {u: float("inf") for u in unknowns}
    limits = []
    for vector, value, state in cells:
        low, high = (
            (value, value)
            if state is None
            else ((1, THRESHOLD - 1) if state == PRIMARY else (0, float("inf")))
        )
        limits.append((vector, low, high))
    for _sweep in range(60):
        changed = False
        for vector, low, high in limits:
            sum_lo = sum(lo[u] for u in vector)
            sum_hi = sum(hi[u] for u in vector)
            for u in vector:
                others_hi = sum(hi[v] for v in vector if v != u) if hi[u] == float("inf") else sum_hi - hi[u]
                new_lo = max(lo[u], low - others_hi)
                new_hi = min(hi[u], high - (sum_lo - lo[u]))
                if (new_lo, new_hi) != (lo[u], hi[u]):
                    lo[u], hi[u] = new_lo, new_hi
                    changed = True
        if not changed:
            break
    out = {}
    for vector, _value, state in cells:
        if state is None:
            continue
        low, high = (1, THRESHOLD - 1) if state == PRIMARY else (0, float("inf"))
        out[vector] = (max(low, sum(lo[u] for u in vector)), min(high, sum(hi[u] for u in vector)))
    return out


def attack(cells) -> list[tuple[frozenset, int]]:
    """The withheld cells the attacker works out exactly, with their values."""
    unknowns = set().union(*(vector for vector, _v, _s in cells))
    basis = span_basis(vector for vector, _v, state in cells if state is None)
    bounds = bounds_attack(cells, unknowns)
    found = []
    for vector, value, state in cells:
        if state is None:
            continue
        if not _reduce({key: Fraction(1) for key in vector}, basis) or bounds[vector][0] == bounds[vector][1]:
            found.append((vector, value))
    return found


def shown_small(cells) -> list:
    return [(vector, value) for vector, value, state in cells if state is None and 1 <= value < THRESHOLD]


# The family's suppression holds --------------------------------------------------------------------


def test_the_attack_works_out_nothing_from_a_year_of_published_reports():
    """Three random histories of two areas over a financial year: 17 periods × 3 = 51 members."""
    periods = year_members(YEAR, TODAY)
    assert len(periods) == 17
    for seed in (1, 2, 3):
        history = random_history(seed, months_of(period_of("year", YEAR)))
        family = family_of(history, periods)
        protect_family(family, THRESHOLD)
        cells = published_cells(family)
        assert not shown_small(cells), seed
        assert not attack(cells), seed
        assert any(state for _v, _x, state in cells)  # there was something to protect


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=7), min_size=18, max_size=18))
def test_joint_suppression_invariants_hold_for_random_families(counts):
    """A quarter, its three months, two areas and all areas: no shown count from 1 to 4, and no
    withheld cell worked out, whatever the counts."""
    quarter = period_of(QUARTER, date(2025, 7, 1))
    months = months_of(quarter)
    keys = [(m, a, k) for m in months for a in AREAS for k in KINDS]
    history = dict(zip(keys, counts, strict=True))
    family = family_of(history, [*(period_of(MONTH, m) for m in months), quarter])
    protect_family(family, THRESHOLD)
    cells = published_cells(family)
    assert not shown_small(cells)
    assert not attack(cells)


# "5 of 6": the complement -------------------------------------------------------------------------


def offended_table(people: int, offended: int) -> Table:
    columns = [
        Column("people", "People", additive_over=frozenset()),
        Column("offended", "With an offence", additive_over=frozenset()),
        Column("share", "Share", PERCENT, derived_from="offended", basis="people"),
    ]
    return Table(
        columns, [Row("People placed", {"people": people, "offended": offended, "share": offended / people})]
    )


def test_five_of_six_does_not_reveal_the_one_who_did_not():
    # 6 people, 5 with an offence: each shown alone is not small, but 6 − 5 = 1 is the one who did
    # not. Brute force over every (people, offended) the shown cells allow: never one value of 6 − 5.
    member = Member(period_of(MONTH, date(2025, 5, 1)), "")
    family = {member: {"offending": offended_table(6, 5)}}
    protect_family(family, THRESHOLD)
    row = family[member]["offending"].rows[0]
    assert row.states.get("people") or row.states.get("offended")
    assert row.states.get("share") == SECONDARY  # worked out from a withheld count
    allowed = []
    for people, offended in itertools.product(range(0, 30), repeat=2):
        if offended > people:
            continue
        if all(
            _fits(v, row.states.get(k), row.values[k])
            for k, v in (("people", people), ("offended", offended))
        ):
            allowed.append(people - offended)
    assert len(set(allowed)) > 1


def _fits(value: int, state, shown: int) -> bool:
    if state is None:
        return value == shown
    if state == PRIMARY:
        return 1 <= value < THRESHOLD
    return value >= 0


def test_the_old_per_report_suppression_showed_five_of_six():
    table = offended_table(6, 5)
    holder = Report("", date.min, date.min, "", "published", None, THRESHOLD, [])
    from reports.tables import MetricResult, Section

    holder.sections = [Section("s", "", [MetricResult("offending", "", "", table)])]
    apply_suppression(holder)
    row = table.rows[0]
    assert row.states.get("people") is None and row.states.get("offended") is None  # 6 and 5 shown: 1 did not


# The old per-report suppression falls to the attack ------------------------------------------------


def _old_suppression(family: dict) -> None:
    for tables in family.values():
        holder = Report("", date.min, date.min, "", "published", None, THRESHOLD, [])
        from reports.tables import MetricResult, Section

        holder.sections = [Section("s", "", [MetricResult(k, "", "", t) for k, t in tables.items()])]
        apply_suppression(holder)


def test_an_area_against_all_areas_broke_the_old_suppression_and_not_the_family():
    # May 2025: North accepted 1, declined 6 (total 7: the 1 is "<5", so the 6 is withheld too);
    # South accepted 7, declined 6 (all shown); all areas accepted 8, declined 12 (all shown).
    # Old: North's accepted = 8 − 7 = 1, from two tables that each look safe.
    may = period_of(MONTH, date(2025, 5, 1))
    history = {(m, a, k): 0 for m in months_of(may) for a in AREAS for k in KINDS}
    history |= {
        (may.start, "North", "accepted"): 1,
        (may.start, "North", "declined"): 6,
        (may.start, "South", "accepted"): 7,
        (may.start, "South", "declined"): 6,
    }
    old = family_of(history, [may])
    _old_suppression(old)
    worked_out = attack(published_cells(old))
    assert (cell_vector(may, "North", ["accepted"]), 1) in worked_out

    new = family_of(history, [may])
    protect_family(new, THRESHOLD)
    assert not attack(published_cells(new))
    # Brute force: every history of May the shown cells allow (each count 0 to 14).
    cells = published_cells(new)
    unknown = sorted(c for c in history if history[c] or c[2] != "withdrawn")
    assert _enumerate_north_accepted(cells, unknown) > 1


def _enumerate_north_accepted(cells, unknown) -> int:
    values = set()
    for guess in itertools.product(range(0, 15), repeat=len(unknown)):
        h = dict(zip(unknown, guess, strict=True))
        if all(_fits(sum(h.get(u, 0) for u in vector), state, value) for vector, value, state in cells):
            values.add(h[(date(2025, 5, 1), "North", "accepted")])
            if len(values) > 1:
                break
    return len(values)


def test_may_against_two_to_thirty_one_may_broke_the_old_suppression():
    # The old version took any dates: May (referrals 6 accepted, 5 declined) and 2–31 May (5 and 5)
    # each show every count, and their difference is the one referral of 1 May. The published
    # version now takes fixed periods only (tests/reports/test_report_pages.py refuses 2–31 May).
    may = {"accepted": 6, "declined": 5}
    from_second = {"accepted": 5, "declined": 5}
    tables = []
    for counts in (may, from_second):
        rows = [Row(k, {"count": v}) for k, v in counts.items()]
        table = Table(
            [Column("count", "Count", COUNT)],
            rows,
            total=Row("Total", {"count": sum(counts.values())}),
            additive=True,
        )
        holder = Report("", date.min, date.min, "", "published", None, THRESHOLD, [])
        from reports.tables import MetricResult, Section

        holder.sections = [Section("s", "", [MetricResult("r", "", "", table)])]
        apply_suppression(holder)
        tables.append(table)
    assert all(not row.states.get("count") for t in tables for row in t.all_rows())
    assert tables[0].rows[0].values["count"] - tables[1].rows[0].values["count"] == 1


# The attack on the real published reports --------------------------------------------------------
#
# A history in the database (stays in two areas over the financial year 2025/26, departures to each
# kind of destination, arrests, referrals decided each way); every published report of the year
# (12 months, 4 quarters and the year, for all areas and each area: 51 reports) as
# reports.builder.build_family makes them. The attacker reads each report's count cells and models
# each as a sum of unknown counts from the reports' published definitions alone: a count that adds
# up over time is the sum of its months, one that adds up over areas the sum of its areas, a total
# row of an additive table the sum of its rows, a trend's month the same cell in every report that
# shows it. It then solves (the span of the shown cells) and bounds (every count 0 or more, "<5" 1
# to 4) as above: no withheld count may come out exact. (This attack found the gap that the
# "<5" cells' own bounds could pin a value, "<5" total of "<5" parts, fixed in
# reports/suppression.py by showing such cells as "[c]".)


def _atoms(member, key: str, table, row, column, areas) -> frozenset:
    from reports.family import AREA, TIME, _additive

    additive = _additive(key, table, row, column)
    member_areas = areas if (not member.area and AREA in additive) else (member.area,)
    if row.period is not None:  # a trend's month: the same cell whichever report shows it
        return frozenset((key, row.period, a, column.key) for a in member_areas)
    times = [("month", m) for m in months_of(member.period)] if TIME in additive else [member.period]
    return frozenset((key, t, a, row.label, column.key) for t in times for a in member_areas)


def real_published_cells(family: dict, areas) -> list[tuple[frozenset, int, str | None]]:
    cells = []
    for member, tables in family.items():
        for key, table in tables.items():
            counted = [
                (row, column)
                for row in table.all_rows()
                if row.kind in (None, COUNT)
                for column in table.count_columns()
                if row.values.get(column.key) is not None
            ]
            vectors = {}
            for row, column in counted:
                rows_add_up = (
                    row is table.total
                    and table.additive
                    and (table.additive is True or column.key in table.additive)
                    and all(r.values.get(column.key) is not None for r in table.rows)
                )
                if rows_add_up:  # the total row is the sum of the rows
                    atoms = [_atoms(member, key, table, r, column, areas) for r in table.rows]
                    vectors[(id(row), column.key)] = frozenset().union(*atoms)
                else:
                    vectors[(id(row), column.key)] = _atoms(member, key, table, row, column, areas)
            for row, column in counted:
                cells.append(
                    (vectors[(id(row), column.key)], int(row.values[column.key]), row.states.get(column.key))
                )
    return cells


def _history_in_the_database() -> None:
    from placements.models import Destination
    from referrals.models import Referral
    from tests.factories import (
        BedspaceFactory,
        OffenderEventFactory,
        OffenderFactory,
        PropertyFactory,
        ReferralFactory,
    )
    from tests.reports import scenario

    rng = random.Random(16)
    destinations = [d for d, _label in Destination.choices]
    for area in DB_AREAS:
        place = PropertyFactory(local_authority=area, turnaround_days=1)
        for _n in range(rng.randint(5, 8)):
            arrived = YEAR + timedelta(days=rng.randint(-30, 340))
            nights = rng.choice([None, rng.randint(3, 120)])
            departed = arrived + timedelta(days=nights) if nights else None
            if departed and departed >= TODAY:
                departed = None
            ended = {"destination": rng.choice(destinations), "departure_reason": "planned_move_on"}
            person = OffenderFactory()
            scenario._stay(
                person, BedspaceFactory(property=place), arrived, departed, **(ended if departed else {})
            )
            for _k in range(rng.randint(0, 2)):
                day = arrived + timedelta(days=rng.randint(-300, 200))
                if day < TODAY:
                    OffenderEventFactory(offender=person, occurred_on=day)
    for n in range(7):  # referrals decided through the year, each way
        day = YEAR + timedelta(days=23 + 45 * n)
        reason = {"decline_reason": Referral.DeclineReason.NO_SUITABLE_PROPERTY} if n % 3 == 0 else {}
        ReferralFactory(
            status=Referral.Status.DECLINED if n % 3 == 0 else Referral.Status.ACCEPTED,
            submitted_at=scenario.at(day),
            decided_at=scenario.at(day + timedelta(days=3)),
            **reason,
        )


@pytest.mark.django_db
def test_the_attack_works_out_nothing_from_a_year_of_real_published_reports():
    from reports.builder import areas as report_areas
    from reports.builder import build_family

    _history_in_the_database()
    areas = tuple(report_areas())
    assert areas == DB_AREAS
    family = build_family(YEAR, TODAY, THRESHOLD)
    assert len(family) == 17 * 3
    cells = real_published_cells(family, areas)
    assert not shown_small(cells)
    assert any(state for _v, _x, state in cells)  # there was something to protect
    # A withheld zero (withheld only as a complementary cell: a zero reveals nobody) may be worked
    # out as 0; no withheld count of 1 or more may be.
    worked_out = [(vector, value) for vector, value in attack(cells) if value]
    assert not worked_out, worked_out[:5]
