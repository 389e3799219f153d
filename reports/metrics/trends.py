"""Monthly trends: referrals, occupancy, placements started and ended, and offending during
placement, month by month, each one query over a `generate_series` of months (not a report a month).

The months are those of the report's period when it reaches into two calendar months or more (the
first and last months cut to the period), else the 12 calendar months to the period's end (the
last cut at the period's last day), so a monthly report still has a trend. Each table's rows are
the months and its total the whole window: the months add up to it, so the published version's
suppression (reports/tables.apply_suppression) protects a withheld month from the total. When the
window is the report's period, the totals are the same facts as the section tables' and are
withheld wherever those are.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from reports.metrics.facts import Facts
from reports.metrics.figures import DAYS_PER_MONTH, ratio
from reports.metrics.registry import Scope, joined, metric
from reports.metrics.sql import (
    BEDSPACE,
    CHOICE_PARAMS,
    LOCAL_ZONE,
    OFFENDER_EVENT,
    PLACEMENT,
    PROPERTY,
    REFERRAL,
    VOID_PERIOD,
    nights_of,
    sql_rows,
)
from reports.tables import PERCENT, RATE, Column, Row, Table

WINDOW_NOTE = _(
    "Months: the calendar months (UK dates) of the period, the first and last cut to it; for a "
    "period within one month, the 12 months to its last day. Total: all those months."
)


@dataclass(frozen=True)
class Window:
    start: date
    end: date  # exclusive
    is_period: bool  # the report's own period (its totals are the sections' figures)
    period_start: date | None = None  # the report's period, when a month of the window is it
    period_end: date | None = None


def window(scope: Scope) -> Window:
    last = scope.end - timedelta(days=1)
    if (scope.start.year, scope.start.month) != (last.year, last.month):
        return Window(scope.start, scope.end, True)
    month = last.year * 12 + last.month - 1 - 11
    first = max(date(month // 12, month % 12 + 1, 1), scope.earliest or date.min)
    return Window(first, scope.end, False, scope.start, scope.end)


# The months of the window as (ms, me): each month's first day and the day after its last, cut to
# the window [ws, we).
MONTHS = """months AS (
    SELECT GREATEST(g::date, %(ws)s::date) AS ms,
           LEAST((g + interval '1 month')::date, %(we)s::date) AS me
    FROM generate_series(date_trunc('month', %(ws)s::date), %(we)s::date - 1, interval '1 month') AS g
)"""

# Stays (placements arrived at) of properties in the area, with a night in the window or ended in it.
WINDOW_STAYS = f"""window_stays AS (
    SELECT p.id, p.offender_id, p.bedspace_id, p.arrived_on AS a, p.departed_on,
           COALESCE(p.departed_on, %(today)s::date) AS d,
           -- A move to another bedspace is not a leaving (as in reports/metrics/facts.py).
           CASE WHEN p.departure_reason = %(transferred)s THEN NULL ELSE p.departed_on END AS left_on
    FROM {PLACEMENT} p
    JOIN {BEDSPACE} b ON b.id = p.bedspace_id
    JOIN {PROPERTY} pr ON pr.id = b.property_id
    WHERE p.status = ANY(%(stay_statuses)s) AND p.arrived_on IS NOT NULL AND p.arrived_on < %(we)s::date
      AND COALESCE(p.departed_on, %(today)s::date) >= %(ws)s::date
      AND (%(area)s::text IS NULL OR pr.local_authority_id = %(area)s::text)
)"""


def _params(scope: Scope, w: Window) -> dict:
    return {**scope.params, **CHOICE_PARAMS, "ws": w.start, "we": w.end}


def _window_stays(facts: Facts, w: Window) -> str:
    """The common table expression `window_stays` (see WINDOW_STAYS). When the window is the
    report's period, the report's stays table (reports/metrics/facts.py) holds them (with the stays
    whose turnaround alone reaches into the period): read from it rather than from placements,
    bedspaces and properties again, for each trend."""
    if not w.is_period:
        return WINDOW_STAYS
    return f"""{facts.stays_sql}, window_stays AS NOT MATERIALIZED (
    SELECT id, offender_id, bedspace_id, a, departed_on, d, left_on FROM stays WHERE d >= %(ws)s::date
)"""


def _month_of(day: str) -> str:
    """The first day of the calendar month of `day`, which keys the months of MONTHS (`m.ms`'s
    month): each row is counted into its month in one pass, rather than every row read again for
    each month."""
    return f"date_trunc('month', {day})::date"


# Each window stay's nights in each month of the window that it reaches (a row a stay a month).
STAY_MONTHS = f"""stay_months AS (
    SELECT GREATEST(g::date, %(ws)s::date) AS ms,
           {nights_of("s.r * daterange(GREATEST(g::date, %(ws)s::date), LEAST((g + interval '1 month')::date, %(we)s::date))")} AS n
    FROM win_stays s, generate_series(date_trunc('month', GREATEST(lower(s.r), %(ws)s::date)),
                                      LEAST(upper(s.r), %(we)s::date) - 1, interval '1 month') AS g
), occupied AS (
    SELECT ms, SUM(n) AS n FROM stay_months GROUP BY ms
)"""


def month_label(month_start: date, month_end: date) -> str:
    """A trend row's label in the active language: "Jun 2026", or a month cut to the period with its days."""
    label = date_format(month_start, "M Y")
    whole = month_start.day == 1 and (month_end.day == 1)
    if whole:
        return label
    # A month cut to the period: its days.
    return f"{label} ({month_start.day}–{(month_end - timedelta(days=1)).day})"


def _table(columns: list[Column], rows: list[dict], values, facts: dict | None, w: Window) -> Table:
    """A row a month and the window's total (the months' sums, and the derived values of the sums).

    The cells that are the report's own figures carry their facts, so a figure withheld in a
    section is withheld here too (and the other way round): the total when the window is the
    period, and, for a one-month report, the month that is the period."""
    out = [
        Row(
            month_label(r["ms"], r["me"]),
            values(r),
            dict(facts or {}) if (r["ms"], r["me"]) == (w.period_start, w.period_end) else {},
            period=(r["ms"], r["me"]),
        )
        for r in rows
    ]
    count_keys = [c.key for c in columns if c.kind == "count"]
    sums = {key: sum(int(r.values[key] or 0) for r in out) for key in count_keys}
    total = Row(str(_("Total")), values(sums), dict(facts or {}) if w.is_period else {})
    for row in out:
        for key in count_keys:
            row.values[key] = int(row.values[key] or 0)
    return Table(columns, out, total=total, additive=set(count_keys), row_header=str(_("Month")))


def referral_series(scope: Scope) -> list[dict]:
    w = window(scope)
    return sql_rows(
        f"""WITH {MONTHS}
        SELECT m.ms, m.me, COUNT(r.id) AS received
        FROM months m LEFT JOIN {REFERRAL} r
          ON r.submitted_at >= (m.ms::timestamp AT TIME ZONE '{LOCAL_ZONE}')
         AND r.submitted_at < (m.me::timestamp AT TIME ZONE '{LOCAL_ZONE}')
        GROUP BY m.ms, m.me ORDER BY m.ms""",
        _params(scope, w),
    )


@metric(
    "trend_referrals",
    "trends",
    _("Referrals received, by month"),
    joined(
        _(
            "Referrals received in each month (by the UK local date submitted), whatever their outcome; "
            "for the whole scheme even when an area is chosen (a referral has no area until the person "
            "is placed). "
        ),
        WINDOW_NOTE,
    ),
    chart="received",
)
def trend_referrals(scope: Scope, facts: Facts) -> Table:
    w = window(scope)
    columns = [Column("received", _("Referrals received"))]
    return _table(
        columns,
        referral_series(scope),
        lambda r: {"received": r["received"]},
        {"received": "referrals.received"},
        w,
    )


def occupancy_series(scope: Scope, facts: Facts) -> list[dict]:
    """Each month's available bedspace-nights (bedspaces in use, or that held a stay in the window,
    less void nights) and occupied nights."""
    w = window(scope)
    return sql_rows(
        f"""WITH {MONTHS}, {_window_stays(facts, w)},
        win_stays AS (SELECT bedspace_id, daterange(a, d) AS r FROM window_stays WHERE d > %(ws)s::date),
        {STAY_MONTHS},
        beds AS (
            SELECT b.id FROM {BEDSPACE} b JOIN {PROPERTY} pr ON pr.id = b.property_id
            WHERE (%(area)s::text IS NULL OR pr.local_authority_id = %(area)s::text)
              AND ((b.active AND pr.active) OR b.id IN (SELECT bedspace_id FROM win_stays))
        ),
        voids AS (
            SELECT daterange(v.starts_on, v.ends_on) AS r FROM {VOID_PERIOD} v
            WHERE v.bedspace_id IN (SELECT id FROM beds)
              AND daterange(v.starts_on, v.ends_on) && daterange(%(ws)s::date, %(we)s::date)
        )
        SELECT m.ms, m.me,
          (SELECT COUNT(*) FROM beds) * (m.me - m.ms)
            - COALESCE((SELECT SUM({nights_of("v.r * daterange(m.ms, m.me)")}) FROM voids v
                        WHERE v.r && daterange(m.ms, m.me)), 0)::bigint AS available,
          COALESCE(o.n, 0)::bigint AS occupied
        FROM months m LEFT JOIN occupied o ON o.ms = m.ms ORDER BY m.ms""",
        _params(scope, w),
    )


@metric(
    "trend_occupancy",
    "trends",
    _("Occupancy, by month"),
    joined(
        _(
            "For each month: available bedspace-nights (each bedspace in use, or that held a stay in the "
            "window, for each night of the month, less its void nights), the nights a stay covered "
            "(a stay occupies the nights from its arrival day to the night before its departure), and "
            "occupied ÷ available. "
        ),
        WINDOW_NOTE,
    ),
    chart="rate",
)
def trend_occupancy(scope: Scope, facts: Facts) -> Table:
    w = window(scope)
    columns = [
        Column("available", _("Available nights")),
        Column("occupied", _("Occupied nights")),
        Column("rate", _("Occupancy"), PERCENT, derived_from="occupied"),
    ]
    return _table(
        columns,
        occupancy_series(scope, facts),
        lambda r: {
            "available": r["available"],
            "occupied": r["occupied"],
            "rate": ratio(r["occupied"], r["available"]),
        },
        {"occupied": "nights.occupied"},
        w,
    )


def placement_series(scope: Scope, facts: Facts) -> list[dict]:
    w = window(scope)
    return sql_rows(
        f"""WITH {MONTHS}, {_window_stays(facts, w)},
        started AS (
            SELECT {_month_of("a")} AS month, COUNT(*) AS n FROM window_stays
            WHERE a >= %(ws)s::date AND a < %(we)s::date AND d > %(ws)s::date GROUP BY 1
        ), ended AS (
            SELECT {_month_of("left_on")} AS month, COUNT(*) AS n FROM window_stays
            WHERE left_on >= %(ws)s::date AND left_on < %(we)s::date GROUP BY 1
        )
        SELECT m.ms, m.me, COALESCE(st.n, 0) AS started, COALESCE(en.n, 0) AS ended
        FROM months m
        LEFT JOIN started st ON st.month = {_month_of("m.ms")}
        LEFT JOIN ended en ON en.month = {_month_of("m.ms")}
        ORDER BY m.ms""",
        _params(scope, w),
    )


@metric(
    "trend_placements",
    "trends",
    _("Placements started and ended, by month"),
    joined(
        _(
            "Placements started: stays whose arrival day is in the month. Ended: stays whose departure "
            "day is in the month (its first and last days included), as in the placements section. "
        ),
        WINDOW_NOTE,
    ),
    chart="started",
)
def trend_placements(scope: Scope, facts: Facts) -> Table:
    w = window(scope)
    columns = [Column("started", _("Started")), Column("ended", _("Ended"))]
    return _table(
        columns,
        placement_series(scope, facts),
        lambda r: {"started": r["started"], "ended": r["ended"]},
        {"started": "placements.started", "ended": "placements.ended"},
        w,
    )


def offending_series(scope: Scope, facts: Facts) -> list[dict]:
    """Offences dated in each month while the person was in a stay (arrival day to the day before
    departure), and the month's occupied nights (the person-months at risk)."""
    w = window(scope)
    return sql_rows(
        f"""WITH {MONTHS}, {_window_stays(facts, w)},
        win_stays AS (SELECT daterange(a, d) AS r FROM window_stays WHERE d > %(ws)s::date),
        {STAY_MONTHS},
        offences AS (
            SELECT DISTINCT ev.id, ev.occurred_on FROM window_stays s
            JOIN {OFFENDER_EVENT} ev ON ev.offender_id = s.offender_id
             AND ev.kind = ANY(%(offence_kinds)s)
             AND ev.occurred_on >= GREATEST(s.a, %(ws)s::date) AND ev.occurred_on < LEAST(s.d, %(we)s::date)
        ), by_month AS (
            -- Each offence is dated in the window (above), so in one of its months.
            SELECT {_month_of("occurred_on")} AS month, COUNT(*) AS n FROM offences GROUP BY 1
        )
        SELECT m.ms, m.me, COALESCE(bm.n, 0) AS offences, COALESCE(o.n, 0)::bigint AS occupied
        FROM months m
        LEFT JOIN by_month bm ON bm.month = {_month_of("m.ms")}
        LEFT JOIN occupied o ON o.ms = m.ms
        ORDER BY m.ms""",
        _params(scope, w),
    )


@metric(
    "trend_offending",
    "trends",
    _("Offences during placement, by month"),
    joined(
        _(
            "Offences (an arrest, or a caution given without one) dated in the month while the person was "
            "in a stay (from the arrival day up to, not including, the departure day), and per "
            "person-month in placement: the offences ÷ (the month's occupied nights ÷ 30.44). "
        ),
        WINDOW_NOTE,
    ),
    chart="offences",
)
def trend_offending(scope: Scope, facts: Facts) -> Table:
    w = window(scope)
    columns = [
        Column("offences", _("Offences")),
        Column("rate", _("Offences per person-month"), RATE, derived_from="offences"),
    ]
    rows = offending_series(scope, facts)
    months = {id(r): float(r["occupied"]) / DAYS_PER_MONTH for r in rows}
    table = _table(
        columns,
        rows,
        lambda r: {"offences": r["offences"], "rate": ratio(r["offences"], months.get(id(r), 0))},
        None,
        w,
    )
    occupied = sum(float(r["occupied"]) for r in rows) / DAYS_PER_MONTH
    table.total.values["rate"] = ratio(table.total.values["offences"], occupied)
    return table
