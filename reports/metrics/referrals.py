"""Referrals: received and their outcome, reasons declined, days to a decision and to arrival."""

from django.utils.translation import gettext_lazy as _

from referrals.models import Referral
from reports.metrics.facts import Facts
from reports.metrics.figures import group_table
from reports.metrics.registry import Scope, joined, metric
from reports.metrics.sql import PLACEMENT, sql_one
from reports.tables import DAYS, Column, Row, Table

REFERRAL_AREA_NOTE = _(
    "A referral has no area until the person is placed, so referral figures are for the whole "
    "scheme even when an area is chosen."
)


@metric(
    "referral_outcomes",
    "referrals",
    _("Referrals received and their outcome"),
    joined(
        _(
            "Referrals received in the period (by the date submitted), by their status when the report "
            "was made: accepted, declined, withdrawn, or still waiting for a decision. "
        ),
        REFERRAL_AREA_NOTE,
    ),
    chart="count",
    additive_over={"time"},
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
    table = group_table(counts, labels, received, _("Referrals received"), "referrals.received")
    table.rows[1].facts["count"] = "referrals.declined"
    return table


@metric(
    "referral_decline_reasons",
    "referrals",
    _("Referrals declined, by reason"),
    joined(_("Referrals received in the period and declined, by the reason recorded. "), REFERRAL_AREA_NOTE),
    chart="count",
    additive_over={"time"},
)
def referral_decline_reasons(scope: Scope, facts: Facts) -> Table:
    counts = facts.referrals["decline_reason"]
    return group_table(
        counts, Referral.DeclineReason.choices, sum(counts.values()), _("Declined"), "referrals.declined"
    )


@metric(
    "referral_days",
    "referrals",
    _("Days from referral to decision and to placement"),
    joined(
        _(
            "Median calendar days from the day a referral received in the period was submitted to the "
            "day it was accepted or declined, and to the day the person arrived at a placement made from "
            "it. Withdrawn referrals and referrals still waiting are left out. "
        ),
        REFERRAL_AREA_NOTE,
    ),
)
def referral_days(scope: Scope, facts: Facts) -> Table:
    r = facts.referrals
    decided = sum(
        r["status"].get(status, 0) for status in (Referral.Status.ACCEPTED, Referral.Status.DECLINED)
    )
    placed = sql_one(
        f"""WITH {Facts.REFERRALS}, placed AS (
            SELECT r.id, MIN(p.arrived_on) - MIN(r.submitted) AS days FROM r
            JOIN {PLACEMENT} p ON p.referral_id = r.id AND p.arrived_on IS NOT NULL
            GROUP BY r.id
        )
        SELECT COUNT(*) AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median FROM placed""",
        facts.params,
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
