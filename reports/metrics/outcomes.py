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


def _day_after_nth(multirange: str, n: int) -> str:
    """The day after the n-th day of a datemultirange (its ranges in order), NULL if it has fewer."""
    return f"""(SELECT lower(x) + ({n} - (c - (upper(x) - lower(x))))::int FROM (
        SELECT x, SUM(upper(x) - lower(x)) OVER (ORDER BY x) AS c FROM unnest({multirange}) AS x) y
        WHERE c >= {n} ORDER BY x LIMIT 1)"""


def _count(kinds: str, start: str, end: str, row: str = "w") -> str:
    """Events of `kinds` (a parameter name) of the row's person dated in [start, end)."""
    return f"""(SELECT COUNT(*) FROM ev WHERE ev.offender_id = {row}.offender_id
        AND ev.kind = ANY(%({kinds})s) AND ev.occurred_on >= {start} AND ev.occurred_on < {end})"""


def _during(kinds: str, which: str = "TRUE") -> str:
    """Events of `kinds` during the person's cohort stays: arrival day to the day before
    departure, and a recall on the departure day (the recall ended the stay). DISTINCT: a recall
    on the day one stay ends and the next begins is one recall."""
    return f"""(SELECT COUNT(DISTINCT ev.id) FROM ev JOIN cohort_stays s ON s.offender_id = ev.offender_id
        WHERE ev.offender_id = w.offender_id AND {which} AND ev.kind = ANY(%({kinds})s) AND ev.occurred_on >= s.a
          AND (ev.occurred_on < s.d OR (ev.kind = %(recall)s AND ev.occurred_on = s.departed_on)))"""


def person_outcomes_sql(cohort: str) -> str:
    """Common table expressions ending in `outcomes`, one row for each person of `cohort`."""
    follow = ",\n".join(
        f"{_day_after_nth('w.after_risk', days)} AS complete_{months}" for months, days in FOLLOW_UP
    )
    offended = ",\n".join(
        f"complete_{m} IS NOT NULL AND {_count('offence_kinds', 'o.left_on', f'o.complete_{m}', 'o')} > 0"
        f" AS offended_{m}"
        for m, _ in FOLLOW_UP
    )
    return f"""
ev AS MATERIALIZED (
    SELECT e.id, e.offender_id, e.kind, e.occurred_on FROM {OFFENDER_EVENT} e
    WHERE e.kind = ANY(%(outcome_kinds)s) AND e.occurred_on < %(today)s::date
      AND e.offender_id IN (SELECT offender_id FROM {cohort})
), all_stays AS MATERIALIZED (
    -- Every stay of the cohort's people, in any area: custody ends at an arrival, and time in a
    -- stay is not time at risk after leaving.
    SELECT p.offender_id, p.arrived_on AS a, COALESCE(p.departed_on, %(today)s::date) AS d,
           p.departed_on, p.departure_reason, p.destination
    FROM {PLACEMENT} p
    WHERE p.status = ANY(%(stay_statuses)s) AND p.arrived_on IS NOT NULL AND p.arrived_on < %(today)s::date
      AND p.offender_id IN (SELECT offender_id FROM {cohort})
), custody_starts AS (
    SELECT offender_id, occurred_on AS c FROM ev WHERE kind = %(recall)s
    UNION
    SELECT offender_id, departed_on FROM all_stays
    WHERE departed_on < %(today)s::date
      AND (departure_reason = ANY(%(custody_reasons)s) OR destination = %(custody_destination)s)
), spells AS (
    SELECT cs.offender_id, daterange(cs.c, LEAST(
        COALESCE((SELECT MIN(r.occurred_on) FROM ev r WHERE r.offender_id = cs.offender_id
                    AND r.kind = %(release)s AND r.occurred_on >= cs.c), %(today)s::date),
        COALESCE((SELECT MIN(s.a) FROM all_stays s WHERE s.offender_id = cs.offender_id AND s.a > cs.c),
                 %(today)s::date))) AS r
    FROM custody_starts cs
), custody AS (
    SELECT offender_id, range_agg(r) AS m FROM spells GROUP BY offender_id
), stayed AS (
    SELECT offender_id, range_agg(daterange(a, d)) AS m FROM all_stays GROUP BY offender_id
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
    CROSS JOIN LATERAL (SELECT CASE WHEN c.left_on IS NOT NULL THEN LEAST(%(today)s::date, COALESCE(
        (SELECT MIN(s.a) FROM all_stays s WHERE s.offender_id = c.offender_id AND s.a >= c.left_on),
        %(today)s::date)) END AS observed_to) o
), o AS (
    SELECT w.*,
        w.left_on IS NOT NULL AND w.observed_to < %(today)s::date AS placed_again,
        {_count("offence_kinds", "(w.joined - interval '12 months')::date", "w.joined")} AS before,
        {_count("arrest_kinds", "(w.joined - interval '12 months')::date", "w.joined")} AS arrests_before,
        {_count("recall_kinds", "(w.joined - interval '12 months')::date", "w.joined")} AS recalls_before,
        {_length("w.before_risk")} AS before_days,
        {_during("offence_kinds")} AS during,
        {_during("arrest_kinds")} AS arrests_during,
        {_during("recall_kinds")} AS recalls_during,
        (SELECT COALESCE(SUM(s.d - s.a), 0) FROM cohort_stays s WHERE s.offender_id = w.offender_id)::int
            AS during_days,
        -- The same, over the stays that ended in the period only (the leavers' figures).
        {_during("offence_kinds", "s.ended")} AS ended_during,
        {_during("arrest_kinds", "s.ended")} AS ended_arrests_during,
        {_during("recall_kinds", "s.ended")} AS ended_recalls_during,
        (SELECT COALESCE(SUM(s.d - s.a), 0) FROM cohort_stays s
         WHERE s.offender_id = w.offender_id AND s.ended)::int AS ended_days,
        {_count("offence_kinds", "w.joined", "%(today)s::date")} AS since,
        {_count("arrest_kinds", "w.joined", "%(today)s::date")} AS arrests_since,
        %(today)s::date - w.joined AS since_days,
        {_length("w.custody * datemultirange(daterange(w.joined, %(today)s::date))")} AS custody_days,
        {_length("w.after_risk")} AS risk_days,
        {follow}
    FROM w
), outcomes AS (
    SELECT o.*,
        -- "After": up to 12 months (365 days) at risk, or as far as observed.
        LEAST(o.risk_days, 365) AS after_days,
        CASE WHEN o.left_on IS NULL THEN 0 ELSE
            {_count("offence_kinds", "o.left_on", "COALESCE(o.complete_12, o.observed_to)", "o")} END AS after,
        {offended}
    FROM o
)"""
