"""Every figure of the evaluation report, each defined once: a title, the definition shown under it
in every format, and the database query that computes it (aggregates only: no loop over rows).

A *stay* is a placement the person arrived at (active or ended). It occupies its bedspace on the
nights [arrival, departure): the night of the departure day is not occupied. A stay not yet ended
occupies it until the report is made. The period is [start, end + 1 day) in the same half-open
convention (docs/adr/001).
"""

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

from django.db import connection
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from placements.models import (
    DESTINATION_GROUPS,
    TIER_WEEKLY_HOURS,
    DepartureReason,
    Destination,
    DestinationGroup,
)
from referrals.models import EthnicityGroup, Gender, Need, Referral
from reports.models import UnitCost
from reports.tables import COUNT, DAYS, MONEY, NUMBER, PERCENT, TEXT, Column, Row, Table

DAYS_PER_MONTH = 365.25 / 12
# Offences are counted where they enter the record: an arrest, or a caution given without one.
# Charges and convictions follow an arrest and would count the same offence again.
OFFENCE_KINDS = ("arrest", "caution")
OFFENCE_SQL = "(" + ", ".join(f"'{kind}'" for kind in OFFENCE_KINDS) + ")"
RECALL_CUSTODY_NIGHTS = 28


@dataclass(frozen=True)
class Scope:
    """What a report is about: the period [start, end), an optional local authority area, and the
    day the report is made (stays not yet ended run to it; follow-up windows must end by it)."""

    start: date
    end: date  # exclusive
    area: str | None
    today: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def params(self) -> dict:
        return {"s": self.start, "e": self.end, "today": self.today, "area": self.area or None}


@dataclass(frozen=True)
class Metric:
    key: str
    section: str
    title: str
    definition: str
    compute: Callable
    chart: str | None = None
    audience: str = "all"  # "officer": the named, operational rows
    area_title: str | None = None  # the title when one area is chosen, if the table differs


SECTIONS = {
    "referrals": _("Referrals"),
    "placements": _("Placements and occupancy"),
    "move_on": _("Move-on"),
    "reoffending": _("Reoffending"),
    "compliance": _("Licence compliance"),
    "engagement": _("Multi-agency engagement"),
    "cost": _("Cost"),
    "people": _("People"),
    "comparison": _("Comparison with the previous period"),
    "properties": _("Properties"),
    "case_review": _("Placements for case review"),
}

REGISTRY: dict[str, Metric] = {}


def metric(
    key: str,
    section: str,
    title,
    definition,
    chart: str | None = None,
    audience: str = "all",
    area_title=None,
):
    def register(compute):
        REGISTRY[key] = Metric(key, section, title, definition, compute, chart, audience, area_title)
        return compute

    return register


# SQL building blocks ------------------------------------------------------------------------------

# The scope's stays that matter to the period, copied once a report into a temporary table (see
# `Facts`): those with a night in it (`in_period`), and ended ones whose turnaround reaches into it.
STAYS_TABLE = """
CREATE TEMPORARY TABLE {table} AS
SELECT p.id, p.offender_id, p.bedspace_id, b.property_id, pr.local_authority AS area, p.referral_id,
       p.arrived_on AS a, COALESCE(p.departed_on, %(today)s::date) AS d,
       p.departed_on, p.free_from, p.destination, p.departure_reason,
       COALESCE(p.departed_on, %(today)s::date) > %(s)s::date AS in_period,
       GREATEST(0, LEAST(COALESCE(p.departed_on, %(today)s::date), %(e)s::date)
                   - GREATEST(p.arrived_on, %(s)s::date)) AS nights
FROM placements_placement p
JOIN placements_bedspace b ON b.id = p.bedspace_id
JOIN placements_property pr ON pr.id = b.property_id
WHERE p.status IN ('active', 'ended') AND p.arrived_on IS NOT NULL AND p.arrived_on < %(e)s::date
  AND (%(area)s::text IS NULL OR pr.local_authority = %(area)s::text)
  AND (COALESCE(p.departed_on, %(today)s::date) > %(s)s::date OR p.free_from > %(s)s::date)
"""

LOCAL_ZONE = "Europe/London"  # a visit's day is its date in this zone

# Bedspaces counted as available: those in use, and any other that held a stay in the period.
BEDSPACES = """
beds AS (
    SELECT b.id, b.property_id FROM placements_bedspace b
    JOIN placements_property pr ON pr.id = b.property_id
    WHERE (%(area)s::text IS NULL OR pr.local_authority = %(area)s::text)
      AND ((b.active AND pr.active) OR b.id IN (SELECT bedspace_id FROM in_period))
),
voids AS (
    SELECT v.bedspace_id, daterange(v.starts_on, v.ends_on) AS r FROM placements_voidperiod v
    WHERE v.bedspace_id IN (SELECT id FROM beds)
      AND daterange(v.starts_on, v.ends_on) && daterange(%(s)s::date, %(e)s::date)
)
"""


def nights_of(range_sql: str) -> str:
    """Nights in a daterange expression (0 when empty)."""
    return f"COALESCE(upper({range_sql}) - lower({range_sql}), 0)"


def sql_rows(sql: str, params: dict) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def sql_one(sql: str, params: dict) -> dict:
    return sql_rows(sql, params)[0]


class Facts:
    """Aggregates several metrics share, each queried once per report.

    The scope's stays are copied once into a temporary table that every query reads (`stays_sql`),
    rather than each query joining placements, bedspaces and properties again. Use it as a context
    manager (inside a transaction) so the table is dropped when the report is made."""

    _numbers = itertools.count(1)

    def __init__(self, scope: Scope):
        self.scope = scope
        self.table = f"report_stays_{next(self._numbers)}"
        self._made = False

    def __enter__(self) -> "Facts":
        with connection.cursor() as cursor:
            # For the report's transaction: compiling (JIT) costs more than it saves on these
            # queries, and their sorts and hashes of a year's visits fit in memory.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '32MB'")
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
                cursor.execute(STAYS_TABLE.format(table=self.table), self.scope.params)
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
                   COUNT(*) FILTER (WHERE departed_on >= %(s)s::date AND departed_on < %(e)s::date) AS ended,
                   COALESCE(SUM(nights), 0) AS nights
            FROM in_period""",
            self.scope.params,
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
            SELECT pr.id AS property_id, pr.name, pr.local_authority AS area, pr.weekly_cost,
              bc.n * %(days)s AS bed_nights,
              -- A SUM of bigints is numeric (a Decimal in Python): counts are read back as integers.
              COALESCE(vo.n, 0)::bigint AS void, COALESCE(oc.n, 0)::bigint AS occupied,
              COALESCE(tn.n, 0)::bigint AS turnaround
            FROM placements_property pr
            JOIN (SELECT property_id, COUNT(*) AS n FROM beds GROUP BY property_id) bc ON bc.property_id = pr.id
            LEFT JOIN (SELECT beds.property_id, SUM({nights_of("v.r * (SELECT r FROM period)")}) AS n
                       FROM voids v JOIN beds ON beds.id = v.bedspace_id GROUP BY beds.property_id) vo
                   ON vo.property_id = pr.id
            LEFT JOIN (SELECT property_id, SUM(nights) AS n FROM in_period GROUP BY property_id) oc
                   ON oc.property_id = pr.id
            LEFT JOIN (SELECT beds.property_id, SUM(t.n) AS n FROM turnaround_nights t
                       JOIN beds ON beds.id = t.bedspace_id GROUP BY beds.property_id) tn
                   ON tn.property_id = pr.id
            ORDER BY pr.local_authority, pr.name""",
            {**self.scope.params, "days": self.scope.days},
        )
        return {row["property_id"]: row for row in rows}

    @cached_property
    def places(self) -> list[dict]:
        """A row for each place (see `place`): its bedspace-nights, property cost and stays."""
        weeks = Decimal(self.scope.days) / 7
        places: dict = {}
        for p in self.nights_by_property.values():
            key = p[self.place]
            label = p["name"] if self.scope.area else p["area"]
            place = places.setdefault(key, dict.fromkeys(("bed_nights", "void", "occupied", "turnaround"), 0))
            place["label"] = label
            for column in ("bed_nights", "void", "occupied", "turnaround"):
                place[column] += p[column]
            # Each property's cost is rounded to the penny first, so the places add up to the total.
            place["cost"] = place.get("cost", Decimal(0)) + _money(p["weekly_cost"] * weeks)
        rows = sql_rows(
            f"""WITH {self.stays_sql}
            SELECT {self.place} AS place, COUNT(*) AS stays, COUNT(DISTINCT offender_id) AS people,
                   COUNT(*) FILTER (WHERE departed_on >= %(s)s::date AND departed_on < %(e)s::date) AS ended
            FROM in_period GROUP BY 1""",
            self.scope.params,
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
                       (SELECT COUNT(*) FROM placements_licenceterm t WHERE t.placement_id = s.id) AS terms
                FROM stays s WHERE s.departed_on >= %(s)s::date AND s.departed_on < %(e)s::date
            )
            SELECT COUNT(*) AS ended, AVG(nights) AS mean,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY nights) AS median,
                   AVG(GREATEST(terms - 1, 0)) AS renewals,
                   COUNT(*) FILTER (WHERE nights > 28) AS over_28,
                   COUNT(*) FILTER (WHERE nights > 56) AS over_56,
                   COUNT(*) FILTER (WHERE nights > 84) AS over_84
            FROM ended""",
            self.scope.params,
        )

    @cached_property
    def leavers(self) -> dict:
        """People whose stays ended in the period: offending before, during and after."""
        kinds = OFFENCE_SQL
        return sql_one(
            f"""WITH {self.stays_sql}, ended AS (
                SELECT * FROM stays WHERE departed_on >= %(s)s::date AND departed_on < %(e)s::date
            ), people AS (
                SELECT offender_id, MIN(a) AS first_a, MAX(departed_on) AS last_d, SUM(departed_on - a) AS days
                FROM ended GROUP BY offender_id
            ), ev AS (
                SELECT e.offender_id, e.kind, e.occurred_on FROM referrals_offenderevent e
                WHERE e.kind IN ('arrest', 'caution', 'recall') AND e.offender_id IN (
                    SELECT offender_id FROM {self.table}
                    WHERE departed_on >= %(s)s::date AND departed_on < %(e)s::date)
            ), during AS (
                SELECT ev.offender_id,
                  COUNT(*) FILTER (WHERE ev.kind IN {kinds}) AS during,
                  COUNT(*) FILTER (WHERE ev.kind = 'arrest') AS arrests_during,
                  COUNT(*) FILTER (WHERE ev.kind = 'recall') AS recalls_during
                FROM ev JOIN ended s ON s.offender_id = ev.offender_id
                  AND ev.occurred_on >= s.a AND ev.occurred_on < s.departed_on
                GROUP BY ev.offender_id
            ), around AS (
                SELECT p.offender_id,
                  COUNT(*) FILTER (WHERE ev.kind IN {kinds} AND ev.occurred_on >= (p.first_a - interval '12 months')::date
                                   AND ev.occurred_on < p.first_a) AS before,
                  COUNT(*) FILTER (WHERE ev.kind = 'arrest' AND ev.occurred_on >= (p.first_a - interval '12 months')::date
                                   AND ev.occurred_on < p.first_a) AS arrests_before,
                  COUNT(*) FILTER (WHERE ev.kind = 'recall' AND ev.occurred_on >= (p.first_a - interval '12 months')::date
                                   AND ev.occurred_on < p.first_a) AS recalls_before,
                  COUNT(*) FILTER (WHERE ev.kind IN {kinds} AND ev.occurred_on >= p.last_d
                    AND ev.occurred_on < LEAST((p.last_d + interval '12 months')::date, %(today)s::date)) AS after,
                  MIN(ev.occurred_on) FILTER (WHERE ev.kind IN {kinds} AND ev.occurred_on >= p.last_d) AS next_offence
                FROM people p JOIN ev ON ev.offender_id = p.offender_id
                GROUP BY p.offender_id
            ), counted AS (
                SELECT p.*,
                  COALESCE(ar.before, 0) AS before, COALESCE(ar.arrests_before, 0) AS arrests_before,
                  COALESCE(ar.recalls_before, 0) AS recalls_before, COALESCE(ar.after, 0) AS after,
                  ar.next_offence,
                  COALESCE(du.during, 0) AS during, COALESCE(du.arrests_during, 0) AS arrests_during,
                  COALESCE(du.recalls_during, 0) AS recalls_during,
                  LEAST((p.last_d + interval '12 months')::date, %(today)s::date) - p.last_d AS after_days
                FROM people p
                LEFT JOIN around ar ON ar.offender_id = p.offender_id
                LEFT JOIN during du ON du.offender_id = p.offender_id
            )
            -- Sums of counts as integers (a SUM of bigints is numeric, a Decimal in Python).
            SELECT COUNT(*) AS people,
              COALESCE(SUM(before), 0)::bigint AS before, COALESCE(SUM(during), 0)::bigint AS during,
              COALESCE(SUM(after), 0)::bigint AS after,
              COALESCE(SUM(arrests_before), 0)::bigint AS arrests_before,
              COALESCE(SUM(arrests_during), 0)::bigint AS arrests_during,
              COALESCE(SUM(recalls_before), 0)::bigint AS recalls_before,
              COALESCE(SUM(recalls_during), 0)::bigint AS recalls_during,
              COALESCE(SUM(days), 0) AS during_days, COALESCE(SUM(after_days), 0) AS after_days,
              COUNT(*) FILTER (WHERE (last_d + interval '3 months')::date <= %(today)s::date) AS followed_3,
              COUNT(*) FILTER (WHERE (last_d + interval '3 months')::date <= %(today)s::date
                               AND next_offence < (last_d + interval '3 months')::date) AS offended_3,
              COUNT(*) FILTER (WHERE (last_d + interval '6 months')::date <= %(today)s::date) AS followed_6,
              COUNT(*) FILTER (WHERE (last_d + interval '6 months')::date <= %(today)s::date
                               AND next_offence < (last_d + interval '6 months')::date) AS offended_6,
              COUNT(*) FILTER (WHERE (last_d + interval '12 months')::date <= %(today)s::date) AS followed_12,
              COUNT(*) FILTER (WHERE (last_d + interval '12 months')::date <= %(today)s::date
                               AND next_offence < (last_d + interval '12 months')::date) AS offended_12
            FROM counted""",
            self.scope.params,
        )

    ENTRANTS = """first_stays AS (
        SELECT DISTINCT ON (offender_id) offender_id, a, referral_id FROM in_period ORDER BY offender_id, a
    ), entrants AS MATERIALIZED (
        SELECT o.gender,
               CASE WHEN o.ethnicity = 'not_stated' THEN 'not_stated'
                    ELSE split_part(o.ethnicity, '_', 1) END AS ethnicity_group,
               date_part('year', age(f.a, o.date_of_birth)) AS years,
               -- The referral's needs if it has any, else the person's (looked up by id: cheaper
               -- than joining every referral).
               COALESCE(NULLIF((SELECT r.needs FROM referrals_referral r WHERE r.id = f.referral_id), '{}'),
                        o.needs) AS needs
        FROM first_stays f JOIN referrals_offender o ON o.id = f.offender_id
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
            self.scope.params,
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
                SELECT * FROM stays WHERE departed_on >= %(s)s::date AND departed_on < %(e)s::date
            )
            SELECT 'destination' AS by, destination AS value, COUNT(*) AS n FROM ended GROUP BY 2
            UNION ALL SELECT 'departure_reason', departure_reason, COUNT(*) FROM ended GROUP BY 2""",
            self.scope.params,
        )
        found: dict[str, dict] = {"destination": {}, "departure_reason": {}}
        for row in rows:
            found[row["by"]][row["value"]] = row["n"]
        return found

    REFERRALS = f"""r AS MATERIALIZED (
        SELECT r.id, r.status, r.decline_reason,
               (r.submitted_at AT TIME ZONE '{LOCAL_ZONE}')::date AS submitted,
               (r.decided_at AT TIME ZONE '{LOCAL_ZONE}')::date AS decided
        FROM referrals_referral r
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
            UNION ALL SELECT 'decline_reason', decline_reason, COUNT(*) FROM r WHERE status = 'declined' GROUP BY 2
            UNION ALL SELECT 'to_decision', NULL, percentile_cont(0.5) WITHIN GROUP (ORDER BY decided - submitted)
              FROM r WHERE status IN ('accepted', 'declined')""",
            self.scope.params,
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
        while the person was in a stay: events and different people, by kind."""
        rows = sql_rows(
            f"""WITH {self.stays_sql}, ev AS (
                SELECT DISTINCT ev.id, ev.offender_id,
                       CASE WHEN ev.kind IN {OFFENCE_SQL} THEN 'offence' ELSE ev.kind END AS kind
                FROM in_period ip JOIN referrals_offenderevent ev ON ev.offender_id = ip.offender_id
                 AND ev.kind IN ('arrest', 'caution', 'licence_warning', 'licence_breach', 'recall')
                 AND ev.occurred_on >= GREATEST(ip.a, %(s)s::date) AND ev.occurred_on < LEAST(ip.d, %(e)s::date)
            )
            SELECT kind, COUNT(*) AS events, COUNT(DISTINCT offender_id) AS people FROM ev GROUP BY kind""",
            self.scope.params,
        )
        found = {
            kind: {"events": 0, "people": 0}
            for kind in ("offence", "licence_warning", "licence_breach", "recall")
        }
        found |= {row.pop("kind"): row for row in rows}
        return found

    @cached_property
    def visits(self) -> dict:
        """Visits to stays in the period: counts by agency (one area) or kind of agency (all
        areas), support hours, and the complete stay-weeks starting in the period (see
        `weeks_with_visit`) with and without a visit.

        The counts aggregate the period's visits as they are read (by index). Whether a week had a
        visit is one index probe a stay-week (tens of thousands a year), not a year's visits
        (half a million nationally) put into weeks, which cost a time-zone conversion each."""
        group = "ag.name" if self.scope.area else "ag.kind"
        # A visit `hv` to a stay `ip` in the period, made in the period (its local day).
        counted = f"""hv.outcome <> 'cancelled'
            AND hv.visited_at >= (%(s)s::date::timestamp AT TIME ZONE '{LOCAL_ZONE}')
            AND hv.visited_at < (%(e)s::date::timestamp AT TIME ZONE '{LOCAL_ZONE}')"""
        rows = sql_rows(
            f"""WITH {self.stays_sql}, by_agency AS (
                SELECT hv.agency_id, COUNT(*) AS n, SUM(hv.support_hours) AS hours
                FROM agencies_homevisit hv JOIN in_period ip ON ip.id = hv.placement_id
                WHERE {counted} GROUP BY hv.agency_id
            ), groups AS (
                SELECT {group} AS label, SUM(n) AS n FROM by_agency
                JOIN agencies_agency ag ON ag.id = by_agency.agency_id GROUP BY 1
                UNION ALL
                -- A joint visit counts again for each other agency (or kind of agency) on it.
                SELECT {group}, COUNT(DISTINCT hv.id)
                FROM agencies_homevisit_other_agencies j
                JOIN agencies_agency ag ON ag.id = j.agency_id
                JOIN agencies_homevisit hv ON hv.id = j.homevisit_id
                JOIN in_period ip ON ip.id = hv.placement_id
                JOIN agencies_agency lead ON lead.id = hv.agency_id
                WHERE {counted} AND {group} <> {group.replace("ag.", "lead.")}
                GROUP BY 1
            ), weeks AS (
                SELECT ip.id, w::date AS w
                FROM in_period ip, generate_series(ip.a, ip.d - 7, interval '7 days') AS w
                WHERE w::date >= %(s)s::date AND w::date < %(e)s::date
            ), visited AS (
                SELECT 1 FROM weeks WHERE EXISTS (
                    SELECT 1 FROM agencies_homevisit hv
                    WHERE hv.placement_id = weeks.id AND hv.outcome <> 'cancelled'
                      AND hv.visited_at >= (weeks.w::timestamp AT TIME ZONE '{LOCAL_ZONE}')
                      AND hv.visited_at < ((weeks.w + 7)::timestamp AT TIME ZONE '{LOCAL_ZONE}')
                )
            )
            SELECT 'groups' AS fact, label, SUM(n) AS n, row_number() OVER (ORDER BY label) AS position
            FROM groups GROUP BY label
            UNION ALL SELECT 'hours', NULL, COALESCE(SUM(hours), 0), NULL FROM by_agency
            UNION ALL SELECT 'weeks', NULL, COUNT(*), NULL FROM weeks
            UNION ALL SELECT 'visited', NULL, COUNT(*), NULL FROM visited""",
            self.scope.params,
        )
        found: dict = {"groups": {}}
        for row in sorted(rows, key=lambda row: row["position"] or 0):
            if row["fact"] == "groups":
                found["groups"][row["label"]] = int(row["n"])
            else:
                found[row["fact"]] = row["n"] if row["fact"] == "hours" else int(row["n"])
        return found


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def _ratio(numerator, denominator):
    return None if not denominator else float(numerator) / float(denominator)


def _group_table(counts: dict, labels, total: int, total_label, total_fact: str | None = None, share=True):
    columns = [Column("count", _("Count"))]
    if share:
        columns.append(Column("share", _("Share"), PERCENT, derived_from="count", basis=None))
    rows = [
        Row(str(label), {"count": counts.get(value, 0), "share": _ratio(counts.get(value, 0), total)})
        for value, label in labels
    ]
    facts = {"count": total_fact} if total_fact else {}
    total_row = Row(str(total_label), {"count": total, "share": 1 if total else None}, facts=facts)
    return Table(columns, rows, total=total_row, additive=True)


# Referrals ------------------------------------------------------------------------------------------


REFERRAL_AREA_NOTE = _(
    "A referral has no area until the person is placed, so referral figures are for the whole "
    "scheme even when an area is chosen."
)


@metric(
    "referral_outcomes",
    "referrals",
    _("Referrals received and their outcome"),
    _(
        "Referrals received in the period (by the date submitted), by their status when the report "
        "was made: accepted, declined, withdrawn, or still waiting for a decision. "
    )
    + REFERRAL_AREA_NOTE,
    chart="count",
)
def referral_outcomes(scope: Scope, facts: Facts) -> Table:
    counts = dict(facts.referrals["status"])
    received = sum(counts.values())
    counts["waiting"] = counts.get("submitted", 0) + counts.get("in_review", 0)
    labels = [
        (Referral.Status.ACCEPTED, _("Accepted")),
        (Referral.Status.DECLINED, _("Declined")),
        (Referral.Status.WITHDRAWN, _("Withdrawn")),
        ("waiting", _("Waiting for a decision")),
    ]
    table = _group_table(counts, labels, received, _("Referrals received"), "referrals.received")
    table.rows[1].facts["count"] = "referrals.declined"
    return table


@metric(
    "referral_decline_reasons",
    "referrals",
    _("Referrals declined, by reason"),
    _("Referrals received in the period and declined, by the reason recorded. ") + REFERRAL_AREA_NOTE,
    chart="count",
)
def referral_decline_reasons(scope: Scope, facts: Facts) -> Table:
    counts = facts.referrals["decline_reason"]
    return _group_table(
        counts, Referral.DeclineReason.choices, sum(counts.values()), _("Declined"), "referrals.declined"
    )


@metric(
    "referral_days",
    "referrals",
    _("Days from referral to decision and to placement"),
    _(
        "Median calendar days from the day a referral received in the period was submitted to the "
        "day it was accepted or declined, and to the day the person arrived at a placement made from "
        "it. Withdrawn referrals and referrals still waiting are left out. "
    )
    + REFERRAL_AREA_NOTE,
)
def referral_days(scope: Scope, facts: Facts) -> Table:
    r = facts.referrals
    decided = sum(
        r["status"].get(status, 0) for status in (Referral.Status.ACCEPTED, Referral.Status.DECLINED)
    )
    placed = sql_one(
        f"""WITH {Facts.REFERRALS}, placed AS (
            SELECT r.id, MIN(p.arrived_on) - MIN(r.submitted) AS days FROM r
            JOIN placements_placement p ON p.referral_id = r.id AND p.arrived_on IS NOT NULL
            GROUP BY r.id
        )
        SELECT COUNT(*) AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median FROM placed""",
        scope.params,
    )
    columns = [
        Column("referrals", _("Referrals")),
        Column("median", _("Median days"), DAYS, basis="referrals"),
    ]
    return Table(
        columns,
        [
            Row(str(_("Referral to decision")), {"referrals": decided, "median": r["to_decision"]}),
            Row(str(_("Referral to arrival")), {"referrals": placed["n"], "median": placed["median"]}),
        ],
    )


# Placements and occupancy ------------------------------------------------------------------------


@metric(
    "placement_activity",
    "placements",
    _("Placements and people"),
    _(
        "Placements in the period: stays with at least one night in the period (a stay is a placement "
        "the person arrived at). Started: arrived in the period. Ended: departed in the period. People: "
        "different people with a stay in the period, each counted once however often placed."
    ),
)
def placement_activity(scope: Scope, facts: Facts) -> Table:
    s = facts.stays
    return Table(
        [Column("count", _("Count"))],
        [
            Row(str(_("Placements in the period")), {"count": s["stays"]}, {"count": "placements.stays"}),
            Row(str(_("Placements started")), {"count": s["started"]}, {"count": "placements.started"}),
            Row(str(_("Placements ended")), {"count": s["ended"]}, {"count": "placements.ended"}),
            Row(str(_("People placed")), {"count": s["people"]}, {"count": "people.placed"}),
        ],
    )


@metric(
    "bedspace_nights",
    "placements",
    _("Bedspace-nights: occupied, empty and void"),
    _(
        "Each bedspace in use (and any other that held a stay) for each night of the period. Occupied: "
        "a stay covers the night. Void: the bedspace is out of use (not available). Empty in "
        "turnaround: the working days after a departure before the next arrival is allowed, less any "
        "void nights in them. Other empty nights: available, neither occupied nor in turnaround."
    ),
    chart="count",
)
def bedspace_nights(scope: Scope, facts: Facts) -> Table:
    props = facts.nights_by_property.values()
    total = sum(p["bed_nights"] for p in props)
    void = sum(p["void"] for p in props)
    occupied = sum(p["occupied"] for p in props)
    turnaround = sum(p["turnaround"] for p in props)
    counts = {
        "occupied": occupied,
        "turnaround": turnaround,
        "empty": total - void - occupied - turnaround,
        "void": void,
    }
    labels = [
        ("occupied", _("Occupied")),
        ("turnaround", _("Empty in turnaround")),
        ("empty", _("Other empty nights")),
        ("void", _("Void (not available)")),
    ]
    table = _group_table(counts, labels, total, _("Bedspace-nights in the period"))
    table.rows[0].facts["count"] = "nights.occupied"
    return table


PLACE_NOTE = _(
    "With all areas, a row for each area (the local authority of the properties); with one area "
    "chosen, a row for each of its properties."
)


def _place_header(scope: Scope) -> str:
    return str(_("Property") if scope.area else _("Area"))


@metric(
    "occupancy",
    "placements",
    _("Occupancy rate by area"),
    _(
        "Occupied bedspace-nights divided by available bedspace-nights in the period. Void nights are "
        "not available; nights empty in turnaround are available but empty. "
    )
    + PLACE_NOTE,
    chart="rate",
    area_title=_("Occupancy rate by property"),
)
def occupancy(scope: Scope, facts: Facts) -> Table:
    columns = [
        Column("available", _("Available nights")),
        Column("occupied", _("Occupied nights")),
        Column("rate", _("Occupancy"), PERCENT, derived_from="occupied"),
    ]
    rows = []
    for p in facts.places:
        available = p["bed_nights"] - p["void"]
        rows.append(
            Row(
                p["label"],
                {"available": available, "occupied": p["occupied"], "rate": _ratio(p["occupied"], available)},
            )
        )
    available = sum(r.values["available"] for r in rows)
    occupied = sum(r.values["occupied"] for r in rows)
    total = Row(
        str(_("All properties")),
        {"available": available, "occupied": occupied, "rate": _ratio(occupied, available)},
        {"occupied": "nights.occupied"},
    )
    return Table(columns, rows, total=total, additive=True, row_header=_place_header(scope))


@metric(
    "length_of_stay",
    "placements",
    _("Length of stay and licence renewals"),
    _(
        "Placements ended in the period: nights from arrival to departure (mean and median), and "
        "licence renewals per placement (licence terms after the first)."
    ),
)
def length_of_stay(scope: Scope, facts: Facts) -> Table:
    e = facts.ended
    columns = [
        Column("ended", _("Placements ended")),
        Column("mean", _("Mean nights"), DAYS, basis="ended"),
        Column("median", _("Median nights"), DAYS, basis="ended"),
        Column("renewals", _("Renewals per placement"), NUMBER, basis="ended"),
    ]
    row = Row(
        str(_("Placements ended in the period")),
        {"ended": e["ended"], "mean": e["mean"], "median": e["median"], "renewals": e["renewals"]},
        {"ended": "placements.ended"},
    )
    return Table(columns, [row])


@metric(
    "long_stays",
    "placements",
    _("Placements longer than 4, 8 and 12 weeks"),
    _("Placements ended in the period that lasted more than 28, 56 and 84 nights, and their share."),
)
def long_stays(scope: Scope, facts: Facts) -> Table:
    e = facts.ended
    columns = [
        Column("count", _("Placements")),
        Column(
            "share",
            _("Share of placements ended"),
            PERCENT,
            derived_from="count",
            denominator="placements.ended",
        ),
    ]
    rows = [
        Row(str(label), {"count": e[key], "share": _ratio(e[key], e["ended"])})
        for key, label in (
            ("over_28", _("More than 28 nights")),
            ("over_56", _("More than 56 nights")),
            ("over_84", _("More than 84 nights")),
        )
    ]
    return Table(columns, rows)


# Move-on -------------------------------------------------------------------------------------------


@metric(
    "move_on",
    "move_on",
    _("Move-on outcomes and the share settled"),
    _(
        "Placements ended in the period by where the person went. Settled: social or private rent, "
        "long-term supported housing, or living with family. Other or unknown includes hospital or "
        "treatment."
    ),
    chart="count",
)
def move_on(scope: Scope, facts: Facts) -> Table:
    counts: dict = {}
    for destination, n in facts.ended_by("destination").items():
        group = DESTINATION_GROUPS.get(destination, DestinationGroup.OTHER)
        counts[group] = counts.get(group, 0) + n
    table = _group_table(
        counts, DestinationGroup.choices, sum(counts.values()), _("Placements ended"), "placements.ended"
    )
    table.columns[1].denominator = "placements.ended"
    return table


@metric(
    "departure_reasons",
    "move_on",
    _("Reasons for leaving"),
    _("Placements ended in the period, by the reason the person left."),
    chart="count",
)
def departure_reasons(scope: Scope, facts: Facts) -> Table:
    counts = facts.ended_by("departure_reason")
    table = _group_table(
        counts, DepartureReason.choices, sum(counts.values()), _("Placements ended"), "placements.ended"
    )
    table.columns[1].denominator = "placements.ended"
    return table


# Reoffending -----------------------------------------------------------------------------------------

OFFENCE_NOTE = _(
    "An offence is an arrest or a caution recorded on the person's timeline (charges and "
    "convictions follow an arrest and are not counted again)."
)


@metric(
    "offending_during",
    "reoffending",
    _("People with an offence during their placement"),
    _(
        "People with a stay in the period who had an offence dated in the period while in a stay "
        "(from the arrival day up to, not including, the departure day). "
    )
    + OFFENCE_NOTE,
)
def offending_during(scope: Scope, facts: Facts) -> Table:
    offended = facts.events_during["offence"]["people"]
    people = facts.stays["people"]
    columns = [
        Column("people", _("People placed")),
        Column("offended", _("With an offence")),
        Column("share", _("Share"), PERCENT, derived_from="offended", denominator="people.placed"),
    ]
    return Table(
        columns,
        [
            Row(
                str(_("During placement")),
                {"people": people, "offended": offended, "share": _ratio(offended, people)},
                {"people": "people.placed"},
            )
        ],
    )


@metric(
    "offending_after",
    "reoffending",
    _("People with an offence within 3, 6 and 12 months of leaving"),
    _(
        "People whose stay ended in the period, counted from their last departure in it: those "
        "followed up for the whole window (it ended before the report was made) and, of them, those "
        "with an offence in the window. People not yet followed up for the whole window are counted "
        "separately and left out of the share. "
    )
    + OFFENCE_NOTE,
)
def offending_after(scope: Scope, facts: Facts) -> Table:
    f = facts.leavers
    columns = [
        Column("left", _("People who left")),
        Column("followed", _("Followed up")),
        Column("waiting", _("Not yet followed up")),
        Column("offended", _("With an offence")),
        Column("share", _("Share of those followed up"), PERCENT, derived_from="offended", basis="followed"),
    ]
    rows = []
    for months in (3, 6, 12):
        followed, offended = f[f"followed_{months}"], f[f"offended_{months}"]
        rows.append(
            Row(
                str(_("Within %(months)s months") % {"months": months}),
                {
                    "left": f["people"],
                    "followed": followed,
                    "waiting": f["people"] - followed,
                    "offended": offended,
                    "share": _ratio(offended, followed),
                },
            )
        )
    return Table(columns, rows, row_relations=[("left", ["followed", "waiting"])])


@metric(
    "offence_rates",
    "reoffending",
    _("Offences per person-month before, during and after placement"),
    _(
        "For people whose stay ended in the period: offences in the 12 months before their first "
        "arrival, during their stays, and in the 12 months after their last departure (as far as "
        "observed when the report was made), each divided by the person-months in that window "
        "(a month is 30.44 days). "
    )
    + OFFENCE_NOTE,
    chart="rate",
)
def offence_rates(scope: Scope, facts: Facts) -> Table:
    f = facts.leavers
    people = f["people"]
    before_months = 12 * people
    during_months = float(f["during_days"]) / DAYS_PER_MONTH
    after_months = float(f["after_days"]) / DAYS_PER_MONTH
    columns = [
        Column("people", _("People")),
        Column("offences", _("Offences")),
        Column("months", _("Person-months"), NUMBER, basis="people"),
        Column("rate", _("Offences per person-month"), NUMBER, derived_from="offences", basis="people"),
    ]
    rows = [
        Row(str(label), {"people": people, "offences": n, "months": m, "rate": _ratio(n, m)})
        for label, n, m in (
            (_("12 months before"), f["before"], before_months),
            (_("During placement"), f["during"], during_months),
            (_("12 months after"), f["after"], after_months),
        )
    ]
    return Table(columns, rows)


# Compliance -------------------------------------------------------------------------------------------


@metric(
    "compliance",
    "compliance",
    _("Licence warnings, breaches and recalls during placement"),
    _(
        "Licence warnings, breaches and recalls to custody dated in the period while the person was "
        "in a stay, and the number of different people they concern."
    ),
    chart="events",
)
def compliance(scope: Scope, facts: Facts) -> Table:
    by_kind = facts.events_during
    columns = [Column("events", _("Events")), Column("people", _("People"))]
    return Table(
        columns,
        [
            Row(str(label), {k: by_kind.get(kind, {}).get(k, 0) for k in ("events", "people")})
            for kind, label in (
                ("licence_warning", _("Licence warnings")),
                ("licence_breach", _("Licence breaches")),
                ("recall", _("Recalls to custody")),
            )
        ],
    )


# Engagement -------------------------------------------------------------------------------------------

VISIT_NOTE = _("A visit is a home visit, call or office appointment recorded and not cancelled.")


@metric(
    "visits_by_agency",
    "engagement",
    _("Visits per placement-week, by kind of agency"),
    _(
        "Visits on days in the period to people in a stay, divided by the placement-weeks in the "
        "period (occupied nights ÷ 7). With all areas, a row for each kind of agency (probation "
        "services, drug and alcohol services, …): a visit counts once for each kind of agency on it. "
        "With one area chosen, a row for each agency: a joint visit counts for every agency on it. "
    )
    + VISIT_NOTE,
    chart="per_week",
    area_title=_("Visits per placement-week, by agency"),
)
def visits_by_agency(scope: Scope, facts: Facts) -> Table:
    counts = facts.visits["groups"]
    if scope.area:
        labels = [(name, name) for name in counts]
        header = _("Agency")
    else:
        labels = [(kind, label) for kind, label in Agency.Kind.choices if kind in counts]
        header = _("Kind of agency")
    weeks = facts.stays["nights"] / 7
    columns = [
        Column("visits", _("Visits")),
        Column("per_week", _("Visits per placement-week"), NUMBER, derived_from="visits"),
    ]
    return Table(
        columns,
        [
            Row(str(label), {"visits": counts[key], "per_week": _ratio(counts[key], weeks)})
            for key, label in labels
        ],
        row_header=str(header),
    )


@metric(
    "weeks_with_visit",
    "engagement",
    _("Placement-weeks with at least one visit"),
    _(
        "Each stay's weeks counted from the arrival day (days 1 to 7, 8 to 14, …) that start in the "
        "period and are complete before the departure (or the report): the share with at least one "
        "visit by any agency. "
    )
    + VISIT_NOTE,
)
def weeks_with_visit(scope: Scope, facts: Facts) -> Table:
    weeks, visited = facts.visits["weeks"], facts.visits["visited"]
    columns = [
        Column("weeks", _("Placement-weeks")),
        Column("visited", _("With a visit")),
        Column("not_visited", _("Without a visit")),
        Column("share", _("Share with a visit"), PERCENT, derived_from="visited", basis="weeks"),
    ]
    values = {
        "weeks": weeks,
        "visited": visited,
        "not_visited": weeks - visited,
        "share": _ratio(visited, weeks),
    }
    return Table(
        columns,
        [Row(str(_("Complete placement-weeks")), values)],
        row_relations=[("weeks", ["visited", "not_visited"])],
    )


@metric(
    "support_hours",
    "engagement",
    _("Support hours delivered against the tier"),
    _(
        "Support hours recorded on visits on days in the period to people in a stay, against the hours "
        "their support tier sets (T1 2.5, T2 5, T3 10 hours a week) for their occupied nights in the "
        "period (nights ÷ 7 × weekly hours). Stays with no support plan expect no hours."
    ),
)
def support_hours(scope: Scope, facts: Facts) -> Table:
    tiers = " ".join(f"WHEN '{tier}' THEN {hours}" for tier, hours in TIER_WEEKLY_HOURS.items())
    row = sql_one(
        f"""WITH {facts.stays_sql}
        SELECT COALESCE(SUM(ip.nights / 7.0 * CASE sp.tier {tiers} END), 0) AS expected, COUNT(*) AS planned
        FROM in_period ip JOIN placements_supportplan sp ON sp.placement_id = ip.id""",
        scope.params,
    )
    delivered = facts.visits["hours"]
    columns = [
        Column("planned", _("Placements with a support plan")),
        Column("delivered", _("Hours delivered"), NUMBER, basis="planned"),
        Column("expected", _("Hours expected by tier"), NUMBER, basis="planned"),
        Column("share", _("Delivered as a share of expected"), PERCENT, basis="planned"),
    ]
    values = {
        "planned": row["planned"],
        "delivered": delivered,
        "expected": row["expected"],
        "share": _ratio(delivered, row["expected"]),
    }
    return Table(columns, [Row(str(_("Support hours")), values)])


# Cost ---------------------------------------------------------------------------------------------------


def _costs(scope: Scope, facts: Facts) -> dict:
    weeks = Decimal(scope.days) / 7
    # Each property's cost is rounded to the penny first, so the breakdown adds up to the total.
    property_cost = sum(
        (_money(p["weekly_cost"] * weeks) for p in facts.nights_by_property.values()), Decimal(0)
    )
    funding = Decimal(0)
    if not scope.area:
        funding = sql_one(
            """SELECT COALESCE(SUM(CASE
                 WHEN f.ends_on IS NULL THEN
                   CASE WHEN f.starts_on >= %(s)s::date AND f.starts_on < %(e)s::date THEN f.amount ELSE 0 END
                 ELSE f.amount * GREATEST(0, LEAST(f.ends_on + 1, %(e)s::date) - GREATEST(f.starts_on, %(s)s::date))
                      / (f.ends_on + 1 - f.starts_on)
               END), 0) AS funding FROM reports_funding f""",
            scope.params,
        )["funding"]
    return {"property": _money(property_cost), "funding": _money(funding)}


@metric(
    "cost",
    "cost",
    _("Total cost"),
    _(
        "Property costs: each property's weekly cost × the weeks in the period. Funding lines: each "
        "grant or contribution shared out by the days of it in the period (one with no end date "
        "counts in full in the period it starts). Funding is for the whole scheme, so it is left "
        "out when an area is chosen."
    ),
)
def cost(scope: Scope, facts: Facts) -> Table:
    c = _costs(scope, facts)
    columns = [Column("amount", _("Amount"), MONEY)]
    return Table(
        columns,
        [
            Row(str(_("Property costs")), {"amount": c["property"]}),
            Row(str(_("Funding lines")), {"amount": c["funding"]}),
        ],
        total=Row(str(_("Total cost")), {"amount": c["property"] + c["funding"]}),
    )


@metric(
    "unit_cost",
    "cost",
    _("Cost per placement and per occupied night"),
    _("The total cost divided by the placements in the period, and by the occupied bedspace-nights."),
)
def unit_cost(scope: Scope, facts: Facts) -> Table:
    c = _costs(scope, facts)
    total = c["property"] + c["funding"]
    s = facts.stays
    columns = [Column("count", _("Count")), Column("cost", _("Cost each"), MONEY, derived_from="count")]
    return Table(
        columns,
        [
            Row(
                str(_("Per placement")),
                {"count": s["stays"], "cost": _ratio(total, s["stays"])},
                {"count": "placements.stays"},
            ),
            Row(
                str(_("Per occupied night")),
                {"count": s["nights"], "cost": _ratio(total, s["nights"])},
                {"count": "nights.occupied"},
            ),
        ],
    )


def _avoided(before: int, during: int, people: int, during_days) -> float:
    """Events avoided during placement: the drop in the monthly rate from the 12 months before,
    times the person-months in placement (never below 0)."""
    months = float(during_days) / DAYS_PER_MONTH
    if not people or not months:
        return 0.0
    return max(0.0, float(before) / (12 * people) - float(during) / months) * months


@metric(
    "costs_avoided",
    "cost",
    _("Estimated costs avoided"),
    _(
        "An estimate, for people whose stay ended in the period: the events avoided (the fall in the "
        "monthly rate of arrests or recalls from the 12 months before the first arrival to the time "
        "in placement, times the person-months in placement; never below 0) times the unit cost a "
        "scheme manager has set, with its source. Each row lists its assumption."
    ),
)
def costs_avoided(scope: Scope, facts: Facts) -> Table:
    f = facts.leavers
    arrests = _avoided(f["arrests_before"], f["arrests_during"], f["people"], f["during_days"])
    recalls = _avoided(f["recalls_before"], f["recalls_during"], f["people"], f["during_days"])
    quantities = {
        "arrest": (
            arrests,
            _("Arrests avoided: each would have cost one arrest and its police custody time."),
        ),
        "recall": (recalls, _("Recalls avoided: each would have cost one recall to custody.")),
        "custody-night": (
            recalls * RECALL_CUSTODY_NIGHTS,
            _(
                "Custody nights avoided: each recall avoided is %(nights)s nights in custody (a fixed-term recall)."
            )
            % {"nights": RECALL_CUSTODY_NIGHTS},
        ),
    }
    columns = [
        Column("people", _("People")),
        Column("quantity", _("Avoided"), NUMBER, basis="people"),
        Column("unit", _("Unit cost"), MONEY),
        Column("saving", _("Estimated saving"), MONEY, basis="people"),
        Column("assumption", _("Assumption"), TEXT),
        Column("source", _("Source"), TEXT),
    ]
    rows = []
    for unit_cost in UnitCost.objects.filter(key__in=quantities).order_by("name"):
        quantity, assumption = quantities[unit_cost.key]
        saving = _money(Decimal(str(quantity)) * unit_cost.amount)
        rows.append(
            Row(
                unit_cost.name,
                {
                    "people": f["people"],
                    "quantity": quantity,
                    "unit": unit_cost.amount,
                    "saving": saving,
                    "assumption": str(assumption),
                    "source": f"{unit_cost.source} ({unit_cost.source_date:%B %Y})",
                },
            )
        )
    total = Row(
        str(_("Total estimated saving")),
        {"people": f["people"], "saving": sum((r.values["saving"] for r in rows), Decimal(0))},
    )
    return Table(columns, rows, total=total)


# People -------------------------------------------------------------------------------------------------


def _people_table(facts: Facts, column: str, labels) -> Table:
    counts = facts.entrants[column]
    return _group_table(counts, labels, facts.stays["people"], _("People placed"), "people.placed")


PEOPLE_NOTE = _(
    "People with a stay in the period, each counted once, as they were at the arrival of their "
    "first stay in it."
)


@metric("gender", "people", _("Gender"), PEOPLE_NOTE, chart="count")
def gender(scope: Scope, facts: Facts) -> Table:
    return _people_table(facts, "gender", Gender.choices)


@metric(
    "age_band",
    "people",
    _("Age band at arrival"),
    PEOPLE_NOTE + " " + _("People under 18 (who cannot be placed) would be counted in 18–24."),
    chart="count",
)
def age_band(scope: Scope, facts: Facts) -> Table:
    labels = [(band, band) for band in ("18–24", "25–34", "35–44", "45–54", "55+")]
    return _people_table(facts, "age_band", labels)


@metric(
    "ethnicity",
    "people",
    _("Ethnic group"),
    PEOPLE_NOTE + " " + _("Groups are the ONS 2021 census high-level ethnic groups."),
    chart="count",
)
def ethnicity(scope: Scope, facts: Facts) -> Table:
    return _people_table(facts, "ethnicity_group", EthnicityGroup.choices)


@metric(
    "needs",
    "people",
    _("Needs pathways at entry"),
    PEOPLE_NOTE
    + " "
    + _(
        "Needs are those on the referral that led to the placement (or the person's record when "
        "there is none); a person may have several, so the counts do not add up to the people placed."
    ),
    chart="count",
)
def needs(scope: Scope, facts: Facts) -> Table:
    counts = facts.entrants["need"]
    people = facts.stays["people"]
    columns = [
        Column("count", _("People")),
        Column(
            "share", _("Share of people placed"), PERCENT, derived_from="count", denominator="people.placed"
        ),
    ]
    return Table(
        columns,
        [
            Row(str(label), {"count": counts.get(value, 0), "share": _ratio(counts.get(value, 0), people)})
            for value, label in Need.choices
        ],
    )


# Properties ---------------------------------------------------------------------------------------------


@metric(
    "per_property",
    "properties",
    _("Breakdown by area"),
    _(
        "Placements in the period, different people, placements ended, occupied nights, void nights, "
        "nights empty in turnaround, occupancy (as above) and property cost (weekly cost × weeks in "
        "the period). A person placed in two places is counted in each. "
    )
    + PLACE_NOTE,
    area_title=_("Breakdown by property"),
)
def per_property(scope: Scope, facts: Facts) -> Table:
    columns = [
        Column("stays", _("Placements")),
        Column("people", _("People")),
        Column("ended", _("Ended")),
        Column("occupied", _("Occupied nights")),
        Column("void", _("Void nights")),
        Column("turnaround", _("Turnaround nights")),
        Column("rate", _("Occupancy"), PERCENT, derived_from="occupied"),
        Column("cost", _("Cost"), MONEY),
    ]
    rows = []
    for p in facts.places:
        values = {
            key: p[key] for key in ("stays", "people", "ended", "occupied", "void", "turnaround", "cost")
        }
        rows.append(Row(p["label"], values | {"rate": _ratio(p["occupied"], p["bed_nights"] - p["void"])}))
    sums = {
        key: sum(r.values[key] for r in rows) for key in ("stays", "ended", "occupied", "void", "turnaround")
    }
    available = sum(p["bed_nights"] - p["void"] for p in facts.places)
    total = Row(
        str(_("All properties")),
        {
            **sums,
            "people": facts.stays["people"],
            "rate": _ratio(sums["occupied"], available),
            "cost": sum((r.values["cost"] for r in rows), Decimal(0)),
        },
        {
            "stays": "placements.stays",
            "ended": "placements.ended",
            "occupied": "nights.occupied",
            "people": "people.placed",
        },
    )
    return Table(
        columns,
        rows,
        total=total,
        additive={"stays", "ended", "occupied", "void", "turnaround"},
        row_header=_place_header(scope),
    )


# Case review (IOM officers and scheme managers only) -----------------------------------------------------


CASE_REVIEW_SHOWN = 500  # rows of the named list in the page and the PDF


@metric(
    "placement_list",
    "case_review",
    _("Placements in the period"),
    format_lazy(
        _(
            "Every stay with a night in the period, with the person's name, for case review, earliest "
            "arrival first. The page and the PDF show the first {shown}; the spreadsheet (XLSX) and "
            "CSV downloads list them all. Not in the OPCC version of the report."
        ),
        shown=CASE_REVIEW_SHOWN,
    ),
    audience="officer",
)
def placement_list(scope: Scope, facts: Facts) -> Table:
    stays = sql_rows(
        f"""WITH {facts.stays_sql}
        SELECT o.id AS offender_id, o.first_name, o.last_name, pr.name AS property, b.label AS bedspace,
               ip.a, ip.departed_on,
               ip.destination, ip.departure_reason,
               (SELECT COUNT(*) FROM placements_licenceterm t WHERE t.placement_id = ip.id) AS terms
        FROM in_period ip
        JOIN referrals_offender o ON o.id = ip.offender_id
        JOIN placements_bedspace b ON b.id = ip.bedspace_id
        JOIN placements_property pr ON pr.id = ip.property_id
        ORDER BY ip.a, ip.id""",
        scope.params,
    )
    # Labels translated once, not once a row: the list can run to tens of thousands of stays.
    destinations = {value: str(label) for value, label in Destination.choices}
    reasons = {value: str(label) for value, label in DepartureReason.choices}
    still_placed = str(_("Still placed"))
    columns = [
        Column("property", _("Property"), TEXT),
        Column("arrived", _("Arrived"), TEXT),
        Column("departed", _("Departed"), TEXT),
        Column("renewals", _("Renewals"), NUMBER),
        Column("destination", _("Move-on"), TEXT),
        Column("reason", _("Reason for leaving"), TEXT),
    ]
    rows = [
        Row(
            f"{p['first_name']} {p['last_name']}",
            {
                "property": f"{p['property']}, {p['bedspace']}",
                "arrived": f"{p['a']:%d %b %Y}",
                "departed": f"{p['departed_on']:%d %b %Y}" if p["departed_on"] else still_placed,
                "renewals": max(p["terms"] - 1, 0),
                "destination": destinations.get(p["destination"], ""),
                "reason": reasons.get(p["departure_reason"], ""),
            },
        )
        for p in stays
    ]
    return Table(
        columns,
        rows,
        row_header=str(_("Person")),
        people=sorted({p["offender_id"] for p in stays}),
        shown_rows=CASE_REVIEW_SHOWN,
    )


# Comparison ----------------------------------------------------------------------------------------------

# (label, metric, row index or "total", column) for each headline figure compared.
COMPARED = [
    (_("Referrals received"), "referral_outcomes", "total", "count", COUNT),
    (_("Placements started"), "placement_activity", 1, "count", COUNT),
    (_("Placements ended"), "placement_activity", 2, "count", COUNT),
    (_("People placed"), "placement_activity", 3, "count", COUNT),
    (_("Occupied bedspace-nights"), "occupancy", "total", "occupied", COUNT),
    (_("Occupancy rate"), "occupancy", "total", "rate", PERCENT),
    (_("Median length of stay (nights)"), "length_of_stay", 0, "median", DAYS),
    (_("Share of leavers settled"), "move_on", 0, "share", PERCENT),
    (_("Total cost"), "cost", "total", "amount", MONEY),
]
COMPARISON_METRICS = sorted({entry[1] for entry in COMPARED})


@metric(
    "comparison",
    "comparison",
    _("This period and the previous one"),
    _(
        "Headline figures for this period and for the period of the same length just before it, "
        "each defined as in its own section and suppressed in the same way."
    ),
)
def comparison(now: dict[str, Table], before: dict[str, Table]) -> Table:
    """Put together from the two periods' tables, each already suppressed: a figure keeps the
    suppression it has in its own table."""
    columns = [Column("now", _("This period")), Column("before", _("Previous period"))]
    rows = []
    for label, key, index, column, kind in COMPARED:
        cells = {}
        for name, tables in (("now", now), ("before", before)):
            table = tables[key]
            source = table.total if index == "total" else table.rows[index]
            cells[name] = (source.values.get(column), source.states.get(column))
        row = Row(str(label), {k: v for k, (v, _s) in cells.items()}, kind=kind)
        row.states = {k: state for k, (_v, state) in cells.items()}
        rows.append(row)
    return Table(columns, rows)
