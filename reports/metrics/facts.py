"""The facts layer: aggregates that several metrics share, each queried once per report from a
temporary table of the scope's stays. Every query is an aggregate (no loop over rows).

A *stay* is a placement the person arrived at (active or ended). It occupies its bedspace on the
nights [arrival, departure): the night of the departure day is not occupied. A stay not yet ended
occupies it until the report is made. The period is [start, end + 1 day) in the same half-open
convention (docs/adr/001).
"""

import itertools
from decimal import Decimal
from functools import cached_property

from django.db import connection
from django.utils.translation import get_language

from reports.metrics.figures import money
from reports.metrics.outcomes import FOLLOW_UP, OUTCOME_COLUMNS, OUTCOME_PARAMS, person_outcomes_sql
from reports.metrics.registry import Scope
from reports.metrics.sql import (
    AGENCY,
    BEDSPACE,
    CHOICE_PARAMS,
    HOME_VISIT,
    HOME_VISIT_OTHER_AGENCIES,
    LICENCE_EVENT_KINDS,
    LICENCE_TERM,
    LOCAL_AUTHORITY,
    LOCAL_ZONE,
    OFFENDER,
    OFFENDER_EVENT,
    PLACEMENT,
    PROPERTY,
    REFERRAL,
    VOID_PERIOD,
    nights_of,
    sql_one,
    sql_rows,
)
from reports.models import UNIT_COST_USES, UnitCost


def area_name(name: str, name_cy: str) -> str:
    """An area's name in the page's language (`LocalAuthority.display_name`, from raw SQL's columns)."""
    return name_cy if name_cy and (get_language() or "").startswith("cy") else name


def stays_table_sql(table: str) -> str:
    """The scope's stays that matter to the period, copied once a report into the temporary table
    `table` (see `Facts`): those with a night in it (`in_period`), those that ended on its first
    day (no night in it, but ended in it), and ended ones whose turnaround reaches into it."""
    return f"""
CREATE TEMPORARY TABLE {table} AS
SELECT p.id, p.offender_id, p.bedspace_id, b.property_id, pr.local_authority_id AS area, p.referral_id,
       p.arrived_on AS a, COALESCE(p.departed_on, %(today)s::date) AS d,
       p.departed_on, p.free_from, p.destination, p.departure_reason,
       -- The day the person left the scheme: a move to another bedspace is not a leaving (the
       -- next stay goes on), so it is NULL then, and every "ended in the period" count reads it.
       CASE WHEN p.departure_reason = %(transferred)s THEN NULL ELSE p.departed_on END AS left_on,
       COALESCE(p.departed_on, %(today)s::date) > %(s)s::date AS in_period,
       -- The instants (local) its arrival day begins and the day after its last day begins: its
       -- visits are those between (VISIT_COUNTED), worked out once a stay, not once a visit.
       (p.arrived_on::timestamp AT TIME ZONE '{LOCAL_ZONE}') AS visits_from,
       ((COALESCE(p.departed_on, %(today)s::date) + 1)::timestamp AT TIME ZONE '{LOCAL_ZONE}') AS visits_to,
       GREATEST(0, LEAST(COALESCE(p.departed_on, %(today)s::date), %(e)s::date)
                   - GREATEST(p.arrived_on, %(s)s::date)) AS nights
FROM {PLACEMENT} p
JOIN {BEDSPACE} b ON b.id = p.bedspace_id
JOIN {PROPERTY} pr ON pr.id = b.property_id
WHERE p.status = ANY(%(stay_statuses)s) AND p.arrived_on IS NOT NULL AND p.arrived_on < %(e)s::date
  AND (%(area)s::text IS NULL OR pr.local_authority_id = %(area)s::text)
  AND (COALESCE(p.departed_on, %(today)s::date) >= %(s)s::date OR p.free_from > %(s)s::date)
"""


# Bedspaces counted as available: those in use, and any other that held a stay in the period.
BEDSPACES = f"""
beds AS (
    SELECT b.id, b.property_id FROM {BEDSPACE} b
    JOIN {PROPERTY} pr ON pr.id = b.property_id
    WHERE (%(area)s::text IS NULL OR pr.local_authority_id = %(area)s::text)
      AND ((b.active AND pr.active) OR b.id IN (SELECT bedspace_id FROM in_period))
),
voids AS (
    SELECT v.bedspace_id, daterange(v.starts_on, v.ends_on) AS r FROM {VOID_PERIOD} v
    WHERE v.bedspace_id IN (SELECT id FROM beds)
      AND daterange(v.starts_on, v.ends_on) && daterange(%(s)s::date, %(e)s::date)
)
"""


# A visit `hv` to a stay `ip`, made on a day (local) of the period and of the stay, its arrival and
# departure days included: a stay that left on the period's first day has no night in it, but its
# visit that day counts (join `stays`, not `in_period`). Cancelled visits are not visits.
VISIT_COUNTED = f"""hv.outcome <> %(visit_cancelled)s
    AND hv.visited_at >= (%(s)s::date::timestamp AT TIME ZONE '{LOCAL_ZONE}')
    AND hv.visited_at < (%(e)s::date::timestamp AT TIME ZONE '{LOCAL_ZONE}')
    AND hv.visited_at >= ip.visits_from AND hv.visited_at < ip.visits_to"""

# The complete placement-weeks starting in the period: each stay's weeks counted from its arrival
# day (days 1 to 7, 8 to 14, ...), starting on a day of the period and complete before the
# departure (or the report's day, for a stay not ended). `weeks_with_visit`, `support_tier_met`.
# `starts_at` and `ends_at`: the instants its first day and the day after its last begin (local),
# worked out once a week rather than for each visit compared with it.
PLACEMENT_WEEKS = f"""weeks AS (
    SELECT ip.id, w::date AS w, (w::date::timestamp AT TIME ZONE '{LOCAL_ZONE}') AS starts_at,
           ((w::date + 7)::timestamp AT TIME ZONE '{LOCAL_ZONE}') AS ends_at
    FROM in_period ip, generate_series(ip.a, ip.d - 7, interval '7 days') AS w
    WHERE w::date >= %(s)s::date AND w::date < %(e)s::date
)"""

# A visit `hv` (not cancelled) on one of the 7 days (local) of the stay-week `weeks`. The weeks start
# in the period, so their visits fall in it or in the 7 days after: said too, so that only those
# visits are read (by the index of visits by time), not every visit ever made.
VISIT_IN_WEEK = f"""hv.placement_id = weeks.id AND hv.outcome <> %(visit_cancelled)s
    AND hv.visited_at >= weeks.starts_at AND hv.visited_at < weeks.ends_at
    AND hv.visited_at >= (%(s)s::date::timestamp AT TIME ZONE '{LOCAL_ZONE}')
    AND hv.visited_at < ((%(e)s::date + 7)::timestamp AT TIME ZONE '{LOCAL_ZONE}')"""


class Facts:
    """Aggregates several metrics share, each queried once per report (a report's builder makes
    one for each scope it computes, on each connection it uses: reports/builder.py).

    The scope's stays are copied once into a temporary table that every query reads (`stays_sql`),
    rather than each query joining placements, bedspaces and properties again. Use it as a context
    manager (inside a transaction) so the table is dropped when the report is made."""

    _numbers = itertools.count(1)

    def __init__(self, scope: Scope):
        self.scope = scope
        self.table = f"report_stays_{next(self._numbers)}"
        self._made = False

    @cached_property
    def params(self) -> dict:
        """The query parameters: the scope's, and the model choices the SQL compares with."""
        return {**self.scope.params, **CHOICE_PARAMS}

    def __enter__(self) -> "Facts":
        with connection.cursor() as cursor:
            # For the report's transaction: compiling (JIT) costs more than it saves on these
            # queries, and their sorts and hashes of a year's visits fit in memory.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '32MB'")
            # The service's connections plan no parallel workers (settings: short queries on a busy
            # server); a report's scans of a year's visits are worth the machine's second core.
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 2")
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._made:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
            self._made = False

    @property
    def stays_sql(self) -> str:
        """The common table expressions `stays` (those in the table) and `in_period`."""
        if not self._made:
            with connection.cursor() as cursor:
                cursor.execute(stays_table_sql(self.table), self.params)
                # Statistics for the columns queries join and filter on (all columns take 4 times longer).
                cursor.execute(
                    f"ANALYZE {self.table} (id, offender_id, bedspace_id, a, departed_on, in_period)"
                )
            self._made = True
        # Not materialized: each query reads the table itself, so the planner knows its size.
        return (
            f"stays AS NOT MATERIALIZED (SELECT * FROM {self.table}), "
            f"in_period AS NOT MATERIALIZED (SELECT * FROM {self.table} WHERE in_period)"
        )

    @property
    def place(self) -> str:
        """What the by-place tables have a row for: each property of the one area chosen, or each
        area (local authority) when all areas are."""
        return "property_id" if self.scope.area else "area"

    @cached_property
    def stays(self) -> dict:
        return sql_one(
            f"""WITH {self.stays_sql}
            SELECT COUNT(*) AS stays,
                   COUNT(DISTINCT offender_id) AS people,
                   COUNT(*) FILTER (WHERE a >= %(s)s::date) AS started,
                   -- Ended on a day of the period, its first day included (no night in it).
                   (SELECT COUNT(*) FROM stays
                    WHERE left_on >= %(s)s::date AND left_on < %(e)s::date) AS ended,
                   COALESCE(SUM(nights), 0) AS nights
            FROM in_period""",
            self.params,
        )

    @cached_property
    def nights_by_property(self) -> dict[int, dict]:
        rows = sql_rows(
            f"""WITH {self.stays_sql}, {BEDSPACES},
            period AS (SELECT daterange(%(s)s::date, %(e)s::date) AS r),
            turnaround AS (
                SELECT s.bedspace_id, daterange(s.departed_on, s.free_from) * (SELECT r FROM period) AS r
                FROM stays s WHERE s.departed_on IS NOT NULL AND s.free_from > s.departed_on
                  AND daterange(s.departed_on, s.free_from) && (SELECT r FROM period)
            )
            , turnaround_nights AS (
                SELECT t.bedspace_id, {nights_of("t.r")} - COALESCE((
                    SELECT SUM({nights_of("t.r * v.r")}) FROM voids v
                    WHERE v.bedspace_id = t.bedspace_id AND v.r && t.r), 0) AS n
                FROM turnaround t
            )
            SELECT pr.id AS property_id, pr.name, pr.local_authority_id AS area, la.name AS area_name,
              la.name_cy AS area_name_cy, pr.weekly_cost,
              bc.n * %(days)s AS bed_nights,
              -- A SUM of bigints is numeric (a Decimal in Python): counts are read back as integers.
              COALESCE(vo.n, 0)::bigint AS void, COALESCE(oc.n, 0)::bigint AS occupied,
              COALESCE(tn.n, 0)::bigint AS turnaround
            FROM {PROPERTY} pr
            JOIN {LOCAL_AUTHORITY} la ON la.code = pr.local_authority_id
            JOIN (SELECT property_id, COUNT(*) AS n FROM beds GROUP BY property_id) bc ON bc.property_id = pr.id
            LEFT JOIN (SELECT beds.property_id, SUM({nights_of("v.r * (SELECT r FROM period)")}) AS n
                       FROM voids v JOIN beds ON beds.id = v.bedspace_id GROUP BY beds.property_id) vo
                   ON vo.property_id = pr.id
            LEFT JOIN (SELECT property_id, SUM(nights) AS n FROM in_period GROUP BY property_id) oc
                   ON oc.property_id = pr.id
            LEFT JOIN (SELECT beds.property_id, SUM(t.n) AS n FROM turnaround_nights t
                       JOIN beds ON beds.id = t.bedspace_id GROUP BY beds.property_id) tn
                   ON tn.property_id = pr.id
            ORDER BY la.name, pr.name""",
            {**self.params, "days": self.scope.days},
        )
        return {row["property_id"]: row for row in rows}

    @cached_property
    def places(self) -> list[dict]:
        """A row for each place (see `place`): its bedspace-nights, property cost and stays."""
        weeks = Decimal(self.scope.days) / 7
        places: dict = {}
        for p in self.nights_by_property.values():
            key = p[self.place]
            # Grouped by the area's code; shown by its name, in Welsh on a Welsh page.
            label = p["name"] if self.scope.area else area_name(p["area_name"], p["area_name_cy"])
            place = places.setdefault(key, dict.fromkeys(("bed_nights", "void", "occupied", "turnaround"), 0))
            place["label"] = label
            for column in ("bed_nights", "void", "occupied", "turnaround"):
                place[column] += p[column]
            # Each property's cost is rounded to the penny first, so the places add up to the total.
            place["cost"] = place.get("cost", Decimal(0)) + money(p["weekly_cost"] * weeks)
        rows = sql_rows(
            f"""WITH {self.stays_sql}
            SELECT {self.place} AS place, COUNT(*) FILTER (WHERE in_period) AS stays,
                   COUNT(DISTINCT offender_id) FILTER (WHERE in_period) AS people,
                   COUNT(*) FILTER (WHERE left_on >= %(s)s::date AND left_on < %(e)s::date) AS ended
            FROM stays GROUP BY 1""",
            self.params,
        )
        stays = {row.pop("place"): row for row in rows}
        for key, place in places.items():
            place |= stays.get(key, dict.fromkeys(("stays", "people", "ended"), 0))
        return list(places.values())

    @cached_property
    def ended(self) -> dict:
        """Stays ended in the period: length and renewals."""
        return sql_one(
            f"""WITH {self.stays_sql}, ended AS (
                SELECT s.id, s.departed_on - s.a AS nights,
                       (SELECT COUNT(*) FROM {LICENCE_TERM} t WHERE t.placement_id = s.id
                          AND t.starts_on < s.departed_on) AS terms
                FROM stays s WHERE s.left_on >= %(s)s::date AND s.left_on < %(e)s::date
            )
            SELECT COUNT(*) AS ended, AVG(nights) AS mean,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY nights) AS median,
                   AVG(GREATEST(terms - 1, 0)) AS renewals,
                   COUNT(*) FILTER (WHERE nights > 28) AS over_28,
                   COUNT(*) FILTER (WHERE nights > 56) AS over_56,
                   COUNT(*) FILTER (WHERE nights > 84) AS over_84
            FROM ended""",
            self.params,
        )

    @cached_property
    def person_outcomes(self) -> list[dict]:
        """One row for each person with a stay in the period (a night in it, or a departure on
        its first day), in ONE query (reports/metrics/outcomes.py has the rules): offending
        before, during and after, custody, time at risk and follow-up. Every outcome table is
        added up from these rows, so the tables and the person-level rows always agree.

        `joined` is their first arrival among those stays; `left_on` their last departure in the
        period (NULL if none ended in it); "during" counts their stays in the period (to the day
        the report is made for one not ended), `ended_*` only those that ended in the period."""
        extra = ("first_arrival", "nights", "renewals", "destination")
        return sql_rows(
            # `cohort_stays` is not materialized: the cohort grouped from it is then sized from the
            # stays table's statistics (tens of thousands of people, not the 200 the planner assumes
            # of a CTE), which the outcomes' joins are planned on (reports/metrics/outcomes.py).
            f"""WITH {self.stays_sql}, cohort_stays AS NOT MATERIALIZED (
                SELECT s.id, s.offender_id, s.a, s.d, s.departed_on, s.nights, s.destination,
                       s.left_on >= %(s)s::date AND s.left_on < %(e)s::date AS ended,
                       -- Renewals used: licence terms begun before the stay ended (or today), less the first.
                       GREATEST((SELECT COUNT(*) FROM {LICENCE_TERM} t WHERE t.placement_id = s.id
                                   AND t.starts_on < s.d) - 1, 0) AS renewals
                FROM stays s WHERE s.d >= %(s)s::date
            ), cohort AS (
                SELECT offender_id, MIN(a) AS joined, MAX(departed_on) FILTER (WHERE ended) AS left_on,
                       MIN(a) AS first_arrival, SUM(nights)::int AS nights, SUM(renewals)::int AS renewals,
                       (array_agg(destination ORDER BY departed_on DESC) FILTER (WHERE ended))[1] AS destination
                FROM cohort_stays GROUP BY offender_id
            ), {person_outcomes_sql("cohort")}
            SELECT {", ".join((*OUTCOME_COLUMNS, *extra))} FROM outcomes ORDER BY offender_id""",
            {**self.params, **OUTCOME_PARAMS},
        )

    @cached_property
    def leavers(self) -> dict:
        """People whose stay ended in the period, added up from `person_outcomes`: offending in
        the 12 months before their first arrival (and its time at risk, `before_days`), during the
        stays that ended in the period (`during_days` their nights), and after their last
        departure (`after`, `after_days`: up to 365 days at risk); followed up and offended at 3,
        6 and 12 months of time at risk; `placed_again`: follow-up ended by a later stay."""
        rows = [row for row in self.person_outcomes if row["left_on"] is not None]
        total = {"people": len(rows)}
        for key, column in (
            ("before", "before"), ("arrests_before", "arrests_before"), ("recalls_before", "recalls_before"),
            ("before_days", "before_days"), ("during", "ended_during"),
            ("arrests_during", "ended_arrests_during"), ("recalls_during", "ended_recalls_during"),
            ("during_days", "ended_days"), ("after", "after"), ("after_days", "after_days"),
            ("custody_days", "custody_days"),
        ):  # fmt: skip
            total[key] = sum(row[column] for row in rows)
        total["placed_again"] = sum(1 for row in rows if row["placed_again"])
        for months, _days in FOLLOW_UP:
            total[f"followed_{months}"] = sum(1 for row in rows if row[f"complete_{months}"] is not None)
            total[f"offended_{months}"] = sum(1 for row in rows if row[f"offended_{months}"])
            # Not followed up this long because a later stay ended the follow-up first.
            total[f"placed_again_{months}"] = sum(
                1 for row in rows if row["placed_again"] and row[f"complete_{months}"] is None
            )
        return total

    ENTRANTS = f"""first_stays AS (
        SELECT DISTINCT ON (offender_id) offender_id, a, referral_id FROM in_period ORDER BY offender_id, a
    ), entrants AS MATERIALIZED (
        SELECT o.gender,
               CASE WHEN o.ethnicity = %(ethnicity_not_stated)s THEN %(ethnicity_group_not_stated)s
                    ELSE split_part(o.ethnicity, '_', 1) END AS ethnicity_group,
               date_part('year', age(f.a, o.date_of_birth)) AS years,
               -- The referral's needs if it has any, else the person's (looked up by id: cheaper
               -- than joining every referral).
               COALESCE(NULLIF((SELECT r.needs FROM {REFERRAL} r WHERE r.id = f.referral_id), '{{}}'),
                        o.needs) AS needs
        FROM first_stays f JOIN {OFFENDER} o ON o.id = f.offender_id
    )"""

    @cached_property
    def entrants(self) -> dict[str, dict]:
        """People placed in the period, described at the arrival of their first stay in it: counts
        by gender, age band, ethnic group and need, in one pass."""
        rows = sql_rows(
            f"""WITH {self.stays_sql}, {self.ENTRANTS}
            SELECT 'gender' AS by, gender AS value, COUNT(*) AS n FROM entrants GROUP BY 2
            UNION ALL SELECT 'age_band', CASE WHEN years < 25 THEN '18–24' WHEN years < 35 THEN '25–34'
                WHEN years < 45 THEN '35–44' WHEN years < 55 THEN '45–54' ELSE '55+' END, COUNT(*)
              FROM entrants GROUP BY 2
            UNION ALL SELECT 'ethnicity_group', ethnicity_group, COUNT(*) FROM entrants GROUP BY 2
            UNION ALL SELECT 'need', need, COUNT(*) FROM entrants, unnest(entrants.needs) AS need GROUP BY 2""",
            self.params,
        )
        found: dict[str, dict] = {"gender": {}, "age_band": {}, "ethnicity_group": {}, "need": {}}
        for row in rows:
            found[row["by"]][row["value"]] = row["n"]
        return found

    def ended_by(self, field: str) -> dict:
        return self.ended_counts[field]

    @cached_property
    def ended_counts(self) -> dict[str, dict]:
        """Stays ended in the period by destination and by reason for leaving."""
        rows = sql_rows(
            f"""WITH {self.stays_sql}, ended AS (
                SELECT * FROM stays WHERE left_on >= %(s)s::date AND left_on < %(e)s::date
            )
            SELECT 'destination' AS by, destination AS value, COUNT(*) AS n FROM ended GROUP BY 2
            UNION ALL SELECT 'departure_reason', departure_reason, COUNT(*) FROM ended GROUP BY 2""",
            self.params,
        )
        found: dict[str, dict] = {"destination": {}, "departure_reason": {}}
        for row in rows:
            found[row["by"]][row["value"]] = row["n"]
        return found

    REFERRALS = f"""r AS MATERIALIZED (
        SELECT r.id, r.status, r.decline_reason,
               (r.submitted_at AT TIME ZONE '{LOCAL_ZONE}')::date AS submitted,
               (r.decided_at AT TIME ZONE '{LOCAL_ZONE}')::date AS decided
        FROM {REFERRAL} r
        WHERE r.submitted_at >= (%(s)s::date::timestamp AT TIME ZONE '{LOCAL_ZONE}')
          AND r.submitted_at < (%(e)s::date::timestamp AT TIME ZONE '{LOCAL_ZONE}')
    )"""

    @cached_property
    def referrals(self) -> dict:
        """Referrals received in the period (by the day submitted), in one pass: counts by status
        and by reason declined, and the median days to a decision."""
        rows = sql_rows(
            f"""WITH {self.REFERRALS}
            SELECT 'status' AS by, status AS value, COUNT(*)::float AS n FROM r GROUP BY 2
            UNION ALL SELECT 'decline_reason', decline_reason, COUNT(*) FROM r WHERE status = %(referral_declined)s GROUP BY 2
            UNION ALL SELECT 'to_decision', NULL, percentile_cont(0.5) WITHIN GROUP (ORDER BY decided - submitted)
              FROM r WHERE status = ANY(%(referral_decided)s)""",
            self.params,
        )
        found: dict = {"status": {}, "decline_reason": {}}
        for row in rows:
            if row["by"] in found:
                found[row["by"]][row["value"]] = int(row["n"])
            else:
                found[row["by"]] = row["n"]
        return found

    @cached_property
    def events_during(self) -> dict[str, dict]:
        """Offences (arrests and cautions, as "offence") and licence events dated in the period
        while the person was in a stay (arrival day to the day before departure; a recall on the
        departure day too, since it ended the stay): events and different people, by kind."""
        rows = sql_rows(
            f"""WITH {self.stays_sql}, ev AS (
                SELECT DISTINCT ev.id, ev.offender_id,
                       CASE WHEN ev.kind = ANY(%(offence_kinds)s) THEN 'offence' ELSE ev.kind END AS kind
                FROM stays ip JOIN {OFFENDER_EVENT} ev ON ev.offender_id = ip.offender_id
                 AND ev.kind = ANY(%(event_kinds)s)
                 AND ev.occurred_on >= GREATEST(ip.a, %(s)s::date) AND ev.occurred_on < %(e)s::date
                 -- The stay's days [arrival, departure), and a recall on the departure day.
                 AND (ev.occurred_on < ip.d OR (ev.kind = %(recall)s AND ev.occurred_on = ip.departed_on))
            )
            SELECT kind, COUNT(*) AS events, COUNT(DISTINCT offender_id) AS people FROM ev GROUP BY kind""",
            self.params,
        )
        found = {kind: {"events": 0, "people": 0} for kind in ("offence", *LICENCE_EVENT_KINDS)}
        found |= {row.pop("kind"): row for row in rows}
        return found

    @cached_property
    def unit_costs(self) -> dict:
        """The unit costs a scheme manager has set, by key: read once, so the alternatives, the
        costs avoided and the "Assumptions used" table price with the same figures."""
        return {u.key: u for u in UnitCost.objects.filter(key__in=UNIT_COST_USES)}

    @cached_property
    def visit_results(self) -> dict:
        """The period's visits (each once) by the drug-test result and the engagement recorded on
        them: one query for both tables."""
        rows = sql_rows(
            f"""WITH {self.stays_sql}
            SELECT hv.drug_test, hv.engagement, COUNT(*) AS n
            FROM {HOME_VISIT} hv JOIN stays ip ON ip.id = hv.placement_id
            WHERE {VISIT_COUNTED} GROUP BY 1, 2""",
            self.params,
        )
        found: dict = {"visits": 0, "drug_test": {}, "engagement": {}}
        for row in rows:
            found["visits"] += row["n"]
            for field in ("drug_test", "engagement"):
                found[field][row[field]] = found[field].get(row[field], 0) + row["n"]
        return found

    @cached_property
    def visits(self) -> dict:
        """Visits to stays in the period: counts by agency (one area) or kind of agency (all
        areas), support hours, and the complete stay-weeks starting in the period (see
        `weeks_with_visit`) with and without a visit.

        The counts aggregate the period's visits as they are read (by index). Whether a week had a
        visit reads only the visits of the period and the week after (VISIT_IN_WEEK), compared with
        each week's bounds worked out once (PLACEMENT_WEEKS), not a time-zone conversion a visit."""
        group = "ag.name" if self.scope.area else "ag.kind"
        counted = VISIT_COUNTED  # see above
        rows = sql_rows(
            f"""WITH {self.stays_sql}, by_agency AS (
                SELECT hv.agency_id, COUNT(*) AS n, SUM(hv.support_hours) AS hours
                FROM {HOME_VISIT} hv JOIN stays ip ON ip.id = hv.placement_id
                WHERE {counted} GROUP BY hv.agency_id
            ), groups AS (
                SELECT {group} AS label, SUM(n) AS n FROM by_agency
                JOIN {AGENCY} ag ON ag.id = by_agency.agency_id GROUP BY 1
                UNION ALL
                -- A joint visit counts again for each other agency (or kind of agency) on it.
                SELECT {group}, COUNT(DISTINCT hv.id)
                FROM {HOME_VISIT_OTHER_AGENCIES} j
                JOIN {AGENCY} ag ON ag.id = j.agency_id
                JOIN {HOME_VISIT} hv ON hv.id = j.homevisit_id
                JOIN stays ip ON ip.id = hv.placement_id
                JOIN {AGENCY} lead ON lead.id = hv.agency_id
                WHERE {counted} AND {group} <> {group.replace("ag.", "lead.")}
                GROUP BY 1
            ), {PLACEMENT_WEEKS}, visited AS (
                SELECT 1 FROM weeks WHERE EXISTS (SELECT 1 FROM {HOME_VISIT} hv WHERE {VISIT_IN_WEEK})
            )
            SELECT 'groups' AS fact, label, SUM(n) AS n, row_number() OVER (ORDER BY label) AS position
            FROM groups GROUP BY label
            UNION ALL SELECT 'hours', NULL, COALESCE(SUM(hours), 0), NULL FROM by_agency
            UNION ALL SELECT 'weeks', NULL, COUNT(*), NULL FROM weeks
            UNION ALL SELECT 'visited', NULL, COUNT(*), NULL FROM visited""",
            self.params,
        )
        found: dict = {"groups": {}}
        for row in sorted(rows, key=lambda row: row["position"] or 0):
            if row["fact"] == "groups":
                found["groups"][row["label"]] = int(row["n"])
            else:
                found[row["fact"]] = row["n"] if row["fact"] == "hours" else int(row["n"])
        return found
