"""A comparison group for the reoffending figures: people referred in the same way who were not
placed, followed over the same windows of time at risk from the day their referral was decided
(reports/metrics/outcomes.py: the same per-person query as the people placed). It is NOT a
randomised comparison: who is accepted, declined or waits is decided for reasons (risk, need,
eligibility) that may themselves predict reoffending."""

from django.utils.translation import gettext_lazy as _

from referrals.models import Referral, ReferralEvent
from reports.metrics.figures import DAYS_PER_MONTH, ratio
from reports.metrics.outcomes import OUTCOME_PARAMS, person_outcomes_sql
from reports.metrics.registry import Scope, metric
from reports.metrics.sql import LOCAL_ZONE, PLACEMENT, REFERRAL, db_table, sql_rows
from reports.tables import NUMBER, PERCENT, RATE, Column, Row, Table

REFERRAL_EVENT = db_table(ReferralEvent)

# Each group's referrals `r` with their decision day `decided` (local date), in the period.
GROUPS = {
    # Accepted (or accepted, then withdrawn) with no arrival on the referral, and declined because
    # no suitable property was free: not placed for want of a bedspace. Its first acceptance is
    # looked up for those referrals only (a few thousand), after the filters on the referral itself.
    "no_bedspace": f"""
        SELECT c.offender_id, (COALESCE(acc.first_at, c.decided_at) AT TIME ZONE '{LOCAL_ZONE}')::date AS decided
        FROM (
            SELECT r.id, r.offender_id, r.status, r.decided_at FROM {REFERRAL} r
            WHERE r.decided_at IS NOT NULL AND r.status IN (%(referral_accepted)s, %(referral_withdrawn)s)
              AND NOT EXISTS (SELECT 1 FROM {PLACEMENT} p WHERE p.referral_id = r.id AND p.arrived_on IS NOT NULL)
            UNION ALL
            SELECT r.id, r.offender_id, r.status, r.decided_at FROM {REFERRAL} r
            WHERE r.decided_at IS NOT NULL AND r.status = %(referral_declined)s
              AND r.decline_reason = %(decline_no_property)s
        ) c
        LEFT JOIN LATERAL (SELECT MIN(ev.occurred_at) AS first_at FROM {REFERRAL_EVENT} ev
                           WHERE ev.referral_id = c.id AND ev.kind = %(referral_event_accepted)s) acc ON TRUE
        -- A withdrawn referral counts if it had been accepted.
        WHERE c.status <> %(referral_withdrawn)s OR acc.first_at IS NOT NULL""",
    "declined": f"""
        SELECT r.offender_id, (r.decided_at AT TIME ZONE '{LOCAL_ZONE}')::date AS decided
        FROM {REFERRAL} r WHERE r.status = %(referral_declined)s AND r.decided_at IS NOT NULL""",
}
PARAMS = {
    "referral_accepted": Referral.Status.ACCEPTED,
    "referral_withdrawn": Referral.Status.WITHDRAWN,
    "referral_event_accepted": ReferralEvent.Kind.ACCEPTED,
    "decline_no_property": Referral.DeclineReason.NO_SUITABLE_PROPERTY,
}


def comparison_outcomes(scope: Scope, params: dict, group: str) -> list[dict]:
    """One row for each person of `group` whose (first) decision in the period falls on a day of
    it, with `joined` and `left_on` their decision day: the placed cohort's columns."""
    return sql_rows(
        f"""WITH decided AS ({GROUPS[group]}), cohort AS (
            SELECT offender_id, MIN(decided) AS joined, MIN(decided) AS left_on FROM decided
            WHERE decided >= %(s)s::date AND decided < %(e)s::date AND decided < %(today)s::date
            GROUP BY offender_id
        ), cohort_stays AS (
            SELECT NULL::bigint AS offender_id, NULL::date AS a, NULL::date AS d,
                   NULL::date AS departed_on, FALSE AS ended WHERE FALSE
        ), {person_outcomes_sql("cohort")}
        SELECT offender_id, placed_again, before, before_days, after, after_days, custody_days,
               complete_3, complete_6, complete_12, offended_3, offended_6, offended_12
        FROM outcomes ORDER BY offender_id""",
        {**params, **OUTCOME_PARAMS, **PARAMS},
    )


@metric(
    "comparison_group",
    "reoffending",
    _("Comparison group: people referred but not placed"),
    _(
        "NOT a randomised comparison: people are accepted, declined or left waiting for reasons "
        "(risk, need, eligibility, where a bed was free) that may themselves affect reoffending, "
        "so a difference from the people placed is not the effect of the scheme. Two groups, each "
        "person counted once from their first decision in the period: not placed for want of a "
        "bedspace (accepted, or accepted then withdrawn, and never arrived; or declined because no "
        "suitable property was free), and everyone declined. Each is followed from the decision "
        "day exactly as leavers are from their departure: 3, 6 and 12 months are 91, 182 and 365 "
        "days at risk (custody and any stay left out; a later stay ends the follow-up). Offences "
        "per person-month: offences up to 365 days at risk after the decision over the person-"
        "months at risk (30.44 days a month)."
    ),
)
def comparison_group(scope: Scope, facts) -> Table:
    columns = [
        Column("people", _("People")),
        Column("followed", _("Followed up")),
        Column("offended", _("With an offence")),
        Column("share", _("Share of those followed up"), PERCENT, derived_from="offended", basis="followed"),
        Column("offences", _("Offences")),
        Column("months", _("Person-months at risk"), NUMBER, basis="people"),
        Column("rate", _("Offences per person-month"), RATE, derived_from="offences", basis="people"),
    ]
    rows = []
    labels = {"no_bedspace": _("Not placed for want of a bedspace"), "declined": _("Declined")}
    for group, label in labels.items():
        found = comparison_outcomes(scope, facts.params, group)
        months = sum(r["after_days"] for r in found) / DAYS_PER_MONTH
        offences = sum(r["after"] for r in found)
        for m in (3, 6, 12):
            followed = sum(1 for r in found if r[f"complete_{m}"] is not None)
            offended = sum(1 for r in found if r[f"offended_{m}"])
            rows.append(
                Row(
                    f"{label}: {_('within %(months)s months') % {'months': m}}",
                    {
                        "people": len(found),
                        "followed": followed,
                        "offended": offended,
                        "share": ratio(offended, followed),
                        "offences": offences,
                        "months": months,
                        "rate": ratio(offences, months),
                    },
                )
            )
    return Table(columns, rows)
