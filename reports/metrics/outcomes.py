"""People's outcomes: the one SQL query that works out, for each person of a cohort, their
offending before, during and after, their time in custody and their time at risk. Every outcome
table (reoffending, the PROP cohort measures, the person-level rows, the comparison group) is
aggregated from these rows, so a table and the rows behind it can never disagree.

The rules (days are UK local dates; a range [a, b) holds the days from a up to, not including, b):

- **Custody.** A spell in custody starts on the day of a recall, or on the departure day of a stay
  ended by recall or remand ("Arrested and remanded") or whose destination is custody. It ends on
  the next "Released from custody" event (dated on or after its start), or at the person's next
  arrival at a stay (nobody arrives from custody without being released), whichever is first;
  a spell with neither is open and runs to the day the report is made. The release day is not in
  custody.
- **Time at risk** is a day neither in custody nor in a stay.
- **Before** is the 12 calendar months before the person joins, [joining − 12 months, joining):
  offences in it are counted; its time at risk leaves out custody and any earlier stay.
- **After leaving** starts on the person's last departure in the period. Another stay ENDS the
  follow-up (it does not pause it): from that arrival on, what happens is the new stay's, not the
  old one's. Custody PAUSES it: time in custody is not time at risk, and the follow-up goes on
  after release. Follow-up at 3, 6 and 12 months means 91, 182 and 365 days AT RISK: the window
  is complete on the day after the 91st (182nd, 365th) day at risk, if that day is on or before
  the report day (days up to the day before the report day are observed). An offence counts if
  it is dated from the departure day up to (not including) the day the window is complete —
  in custody days too (the arrest that led to a recall is dated the day custody began).
  People whose window is not complete are counted apart, as not yet followed up.
- An **offence** is an arrest or a caution (reports/metrics/sql.py `OFFENCE_KINDS`).

`person_outcomes_sql(cohort)` takes the name of a common table expression with one row a person:
`offender_id`, `joined` (the day the "before" window ends and "since joining" starts), `left_on`
(the day follow-up starts, or NULL); and `cohort_stays` (offender_id, a, d, departed_on) the
stays that count as "during". The placed cohort and the comparison group both use it.
"""

from placements.models import DepartureReason, Destination
from referrals.models import OffenderEvent
from reports.metrics.sql import OFFENCE_KINDS, OFFENDER_EVENT, PLACEMENT

K = OffenderEvent.Kind
# The choices the outcome SQL compares with (with reports/metrics/sql.py CHOICE_PARAMS).
OUTCOME_PARAMS = {
    "outcome_kinds": [*OFFENCE_KINDS, K.RECALL, K.RELEASE],
    "arrest_kinds": [K.ARREST],
    "recall_kinds": [K.RECALL],
    "release": K.RELEASE,
    "custody_reasons": [DepartureReason.RECALLED, DepartureReason.ARRESTED],
    "custody_destination": Destination.CUSTODY,
}
# The columns of `outcomes` a query reads back (its date ranges are not read).
OUTCOME_COLUMNS = (
    "offender_id", "joined", "left_on", "observed_to", "placed_again",
    "before", "arrests_before", "recalls_before", "before_days",
    "during", "arrests_during", "recalls_during", "during_days",
    "ended_during", "ended_arrests_during", "ended_recalls_during", "ended_days",
    "since", "arrests_since", "since_days", "custody_days", "risk_days", "after_days", "after",
    "complete_3", "complete_6", "complete_12", "offended_3", "offended_6", "offended_12",
)  # fmt: skip

# Follow-up windows: months and the days at risk each needs.
FOLLOW_UP = ((3, 91), (6, 182), (12, 365))


def _length(multirange: str) -> str:
    """Days in a datemultirange expression."""
    return f"(SELECT COALESCE(SUM(upper(x) - lower(x)), 0) FROM unnest({multirange}) AS x)::int"


def _at_risk(multirange: str) -> str:
    """A subquery (to join LATERAL) reading a datemultirange once: its days (`risk_days`) and,
    for each follow-up window, the day after its n-th day (its ranges in order; NULL if it has
    fewer), `complete_<months>`. Of the ranges that reach the n-th day, the first gives the
    earliest such day (a range's "day after" only grows from one range to the next, as ranges
    have gaps between them), hence MIN."""
    complete = ",\n        ".join(
        f"MIN(lower(x) + ({n} - (c - (upper(x) - lower(x))))::int) FILTER (WHERE c >= {n})"
        f" AS complete_{months}"
        for months, n in FOLLOW_UP
    )
    return f"""(SELECT COALESCE(SUM(upper(x) - lower(x)), 0)::int AS risk_days,
        {complete}
    FROM (SELECT x, SUM(upper(x) - lower(x)) OVER (ORDER BY x) AS c FROM unnest({multirange}) AS x) y)"""


def _counts(table: str, row: str, windows: dict[str, tuple[str, str, str]]) -> str:
    """For each name in `windows` (kinds, a parameter name; and the days [start, end) in terms of
    `row`, the alias of `table`), the events of those kinds of the row's person dated in it: one
    pass over `ev` joined to `table` (a CTE with `offender_id`), grouped by person. A person with
    no event has no row here, so a reader takes COALESCE(…, 0)."""
    counts = ",\n        ".join(
        f"COUNT(*) FILTER (WHERE ev.kind = ANY(%({kinds})s) AND ev.occurred_on >= {start}"
        f" AND ev.occurred_on < {end}) AS {name}"
        for name, (kinds, start, end) in windows.items()
    )
    return f"""SELECT {row}.offender_id,
        {counts}
    FROM {table} {row} JOIN ev ON ev.offender_id = {row}.offender_id GROUP BY {row}.offender_id"""


def _during(kinds: str, which: str = "TRUE") -> str:
    """Events of `kinds` during the person's cohort stays (see `during` in the query): arrival
    day to the day before departure, and a recall on the departure day (the recall ended the
    stay). DISTINCT: a recall on the day one stay ends and the next begins is one recall."""
    return f"COUNT(DISTINCT ev.id) FILTER (WHERE {which} AND ev.kind = ANY(%({kinds})s))"


def person_outcomes_sql(cohort: str) -> str:
    """Common table expressions ending in `outcomes`, one row for each person of `cohort`.

    Each figure is worked out for everybody at once (events, stays and spells joined by person
    and grouped), not by a subquery over the events or stays for each person: a subquery over a
    CTE reads all of it for each row, which at national scale (tens of thousands of people, each
    against every event) never finishes. Only a person's own time ranges are read row by row."""
    before = ("(o.joined - interval '12 months')::date", "o.joined")
    since = ("o.joined", "%(today)s::date")
    windows = {
        "before": ("offence_kinds", *before),
        "arrests_before": ("arrest_kinds", *before),
        "recalls_before": ("recall_kinds", *before),
        "since": ("offence_kinds", *since),
        "arrests_since": ("arrest_kinds", *since),
        # Offences from the departure day up to the day each window is complete (NULL: none
        # counted), and "after": up to the 12 months' day, or as far as observed.
        "after": ("offence_kinds", "o.left_on", "COALESCE(o.complete_12, o.observed_to)"),
        **{f"offences_{m}": ("offence_kinds", "o.left_on", f"o.complete_{m}") for m, _ in FOLLOW_UP},
    }
    offended = ",\n".join(
        f"o.complete_{m} IS NOT NULL AND COALESCE(n.offences_{m}, 0) > 0 AS offended_{m}"
        for m, _ in FOLLOW_UP
    )
    return f"""
ev AS MATERIALIZED (
    -- Joined (one row a person), not `IN (SELECT …)`: the planner then counts on the cohort's
    -- size, not 200 people, and reads the table once rather than probing it person by person.
    SELECT e.id, e.offender_id, e.kind, e.occurred_on FROM {OFFENDER_EVENT} e
    JOIN {cohort} c ON c.offender_id = e.offender_id
    WHERE e.kind = ANY(%(outcome_kinds)s) AND e.occurred_on < %(today)s::date
), all_stays AS MATERIALIZED (
    -- Every stay of the cohort's people, in any area: custody ends at an arrival, and time in a
    -- stay is not time at risk after leaving.
    SELECT p.offender_id, p.arrived_on AS a, COALESCE(p.departed_on, %(today)s::date) AS d,
           p.departed_on, p.departure_reason, p.destination, c.left_on AS follow_from
    FROM {PLACEMENT} p JOIN {cohort} c ON c.offender_id = p.offender_id
    WHERE p.status = ANY(%(stay_statuses)s) AND p.arrived_on IS NOT NULL AND p.arrived_on < %(today)s::date
), custody_starts AS (
    SELECT offender_id, occurred_on AS c FROM ev WHERE kind = %(recall)s
    UNION
    SELECT offender_id, departed_on FROM all_stays
    WHERE departed_on < %(today)s::date
      AND (departure_reason = ANY(%(custody_reasons)s) OR destination = %(custody_destination)s)
), spells AS (
    -- Each start's first release on or after it and the first arrival after it (a start's
    -- releases and arrivals joined together: MIN of each is the same).
    SELECT cs.offender_id, daterange(cs.c, LEAST(
        COALESCE(MIN(r.occurred_on), %(today)s::date), COALESCE(MIN(s.a), %(today)s::date))) AS r
    FROM custody_starts cs
    LEFT JOIN ev r ON r.offender_id = cs.offender_id AND r.kind = %(release)s AND r.occurred_on >= cs.c
    LEFT JOIN all_stays s ON s.offender_id = cs.offender_id AND s.a > cs.c
    GROUP BY cs.offender_id, cs.c
), custody AS (
    SELECT offender_id, range_agg(r) AS m FROM spells GROUP BY offender_id
), stayed AS (
    -- And the first arrival at a stay on or after the day follow-up starts.
    SELECT offender_id, range_agg(daterange(a, d)) AS m, MIN(a) FILTER (WHERE a >= follow_from) AS next_arrival
    FROM all_stays GROUP BY offender_id
), w AS (
    SELECT c.*, o.observed_to,
        COALESCE(cu.m, '{{}}'::datemultirange) AS custody,
        datemultirange(daterange((c.joined - interval '12 months')::date, c.joined))
            - COALESCE(cu.m, '{{}}'::datemultirange) - COALESCE(st.m, '{{}}'::datemultirange) AS before_risk,
        CASE WHEN c.left_on IS NULL THEN '{{}}'::datemultirange ELSE
            datemultirange(daterange(c.left_on, o.observed_to))
            - COALESCE(cu.m, '{{}}'::datemultirange) - COALESCE(st.m, '{{}}'::datemultirange) END AS after_risk
    FROM {cohort} c
    LEFT JOIN custody cu ON cu.offender_id = c.offender_id
    LEFT JOIN stayed st ON st.offender_id = c.offender_id
    -- Follow-up is observed to the day before the report day, or to the next arrival at a stay.
    CROSS JOIN LATERAL (SELECT CASE WHEN c.left_on IS NOT NULL
        THEN LEAST(%(today)s::date, COALESCE(st.next_arrival, %(today)s::date)) END AS observed_to) o
), during AS (
    SELECT ev.offender_id,
        {_during("offence_kinds")} AS during,
        {_during("arrest_kinds")} AS arrests_during,
        {_during("recall_kinds")} AS recalls_during,
        -- The same, over the stays that ended in the period only (the leavers' figures).
        {_during("offence_kinds", "s.ended")} AS ended_during,
        {_during("arrest_kinds", "s.ended")} AS ended_arrests_during,
        {_during("recall_kinds", "s.ended")} AS ended_recalls_during
    FROM ev JOIN cohort_stays s ON s.offender_id = ev.offender_id
    WHERE ev.occurred_on >= s.a
      AND (ev.occurred_on < s.d OR (ev.kind = %(recall)s AND ev.occurred_on = s.departed_on))
    GROUP BY ev.offender_id
), stay_days AS (
    SELECT offender_id, SUM(d - a) AS during_days, SUM(d - a) FILTER (WHERE ended) AS ended_days
    FROM cohort_stays GROUP BY offender_id
), o AS (
    SELECT w.*,
        w.left_on IS NOT NULL AND w.observed_to < %(today)s::date AS placed_again,
        {_length("w.before_risk")} AS before_days,
        COALESCE(du.during, 0) AS during,
        COALESCE(du.arrests_during, 0) AS arrests_during,
        COALESCE(du.recalls_during, 0) AS recalls_during,
        COALESCE(sd.during_days, 0)::int AS during_days,
        COALESCE(du.ended_during, 0) AS ended_during,
        COALESCE(du.ended_arrests_during, 0) AS ended_arrests_during,
        COALESCE(du.ended_recalls_during, 0) AS ended_recalls_during,
        COALESCE(sd.ended_days, 0)::int AS ended_days,
        %(today)s::date - w.joined AS since_days,
        {_length("w.custody * datemultirange(daterange(w.joined, %(today)s::date))")} AS custody_days,
        f.*
    FROM w
    CROSS JOIN LATERAL {_at_risk("w.after_risk")} f
    LEFT JOIN during du ON du.offender_id = w.offender_id
    LEFT JOIN stay_days sd ON sd.offender_id = w.offender_id
), counts AS (
    -- The offences of each window, in one pass over the events (the follow-up windows need `o`).
    {_counts("o", "o", windows)}
), outcomes AS (
    SELECT o.*,
        COALESCE(n.before, 0) AS before,
        COALESCE(n.arrests_before, 0) AS arrests_before,
        COALESCE(n.recalls_before, 0) AS recalls_before,
        COALESCE(n.since, 0) AS since,
        COALESCE(n.arrests_since, 0) AS arrests_since,
        -- "After": up to 12 months (365 days) at risk, or as far as observed.
        LEAST(o.risk_days, 365) AS after_days,
        CASE WHEN o.left_on IS NULL THEN 0 ELSE COALESCE(n.after, 0) END AS after,
        {offended}
    FROM o LEFT JOIN counts n ON n.offender_id = o.offender_id
)"""
