"""After a stay: tenancies secured through the rent deposit scheme, and whether people were still
in settled accommodation at each follow-up (3, 6 and 12 months after leaving: FOLLOW_UP_MONTHS).

Both are placed by the property of the placement they are about (its local authority area)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from aftercare.models import Accommodation, Deposit, DepositKind, FollowUpCheck
from placements.models import DESTINATION_GROUPS, DestinationGroup
from reports.metrics.facts import Facts
from reports.metrics.figures import money, ratio
from reports.metrics.registry import Scope, metric
from reports.metrics.sql import BEDSPACE, PLACEMENT, PROPERTY, db_table, sql_one, sql_rows
from reports.tables import MONEY, PERCENT, Column, Row, Table

DEPOSIT = db_table(Deposit)
FOLLOW_UP = db_table(FollowUpCheck)

SETTLED = [value for value, group in DESTINATION_GROUPS.items() if group == DestinationGroup.SETTLED]

IN_AREA = f"""
JOIN {PLACEMENT} p ON p.id = x.placement_id
JOIN {BEDSPACE} b ON b.id = p.bedspace_id
JOIN {PROPERTY} pr ON pr.id = b.property_id
WHERE (%(area)s::text IS NULL OR pr.local_authority_id = %(area)s::text)
"""

DEPOSITS_SQL = f"""
SELECT
  COUNT(*) FILTER (WHERE x.paid_on >= %(s)s AND x.paid_on < %(e)s) AS secured,
  COUNT(*) FILTER (WHERE x.paid_on >= %(s)s AND x.paid_on < %(e)s AND x.kind = %(cash)s) AS cash,
  COALESCE(SUM(x.amount) FILTER (WHERE x.paid_on >= %(s)s AND x.paid_on < %(e)s AND x.kind = %(cash)s), 0)
    AS cash_paid,
  COUNT(*) FILTER (WHERE x.paid_on >= %(s)s AND x.paid_on < %(e)s AND x.kind = %(bond)s) AS bonds,
  COALESCE(SUM(x.amount) FILTER (WHERE x.paid_on >= %(s)s AND x.paid_on < %(e)s AND x.kind = %(bond)s), 0)
    AS bonds_given,
  COUNT(*) FILTER (WHERE x.tenancy_ended_on >= %(s)s AND x.tenancy_ended_on < %(e)s AND x.returned_amount > 0)
    AS returned_n,
  COUNT(*) FILTER (WHERE x.tenancy_ended_on >= %(s)s AND x.tenancy_ended_on < %(e)s AND x.claimed_amount > 0)
    AS claims_n,
  COALESCE(SUM(x.returned_amount) FILTER (WHERE x.tenancy_ended_on >= %(s)s AND x.tenancy_ended_on < %(e)s), 0)
    AS returned,
  COALESCE(SUM(x.claimed_amount) FILTER (WHERE x.tenancy_ended_on >= %(s)s AND x.tenancy_ended_on < %(e)s), 0)
    AS claims,
  COUNT(*) FILTER (WHERE x.paid_on >= %(s)s AND x.paid_on < %(e)s AND x.recycled_amount > 0) AS recycled_n,
  COALESCE(SUM(x.recycled_amount) FILTER (WHERE x.paid_on >= %(s)s AND x.paid_on < %(e)s), 0) AS recycled
FROM {DEPOSIT} x
{IN_AREA}
"""


@metric(
    "deposits",
    "move_on",
    _("Tenancies secured through rent deposits"),
    _(
        "Deposits and bonds paid or given to landlords on a day of the period, each securing a move-on "
        "tenancy; the money paid (cash deposits; a written bond guarantee pays nothing unless claimed). "
        "Returned: money deposits brought back to the fund for tenancies that ended in the period, and "
        "bond claims the fund paid for them. Recycled: the part of the period's cash deposits paid from "
        "money earlier deposits returned, once the fund's own money (its start and top-ups) was spent."
    ),
)
def deposits(scope: Scope, facts: Facts) -> Table:
    row = sql_one(DEPOSITS_SQL, {**scope.params, "cash": DepositKind.CASH, "bond": DepositKind.BOND})
    columns = [Column("count", _("Count")), Column("amount", _("Amount"), MONEY, derived_from="count")]
    return Table(
        columns,
        [
            Row(str(_("Tenancies secured (deposits and bonds)")), {"count": row["secured"], "amount": None}),
            Row(str(_("Cash deposits paid")), {"count": row["cash"], "amount": money(row["cash_paid"])}),
            Row(str(_("Bonds given")), {"count": row["bonds"], "amount": money(row["bonds_given"])}),
            Row(
                str(_("Returned to the fund")), {"count": row["returned_n"], "amount": money(row["returned"])}
            ),
            Row(str(_("Bond claims paid")), {"count": row["claims_n"], "amount": money(row["claims"])}),
            Row(
                str(_("Recycled into new tenancies")),
                {"count": row["recycled_n"], "amount": money(row["recycled"])},
            ),
        ],
    )


FOLLOW_UPS_SQL = f"""
SELECT x.months,
  COUNT(*) AS due,
  COUNT(*) FILTER (WHERE x.recorded_at IS NOT NULL) AS followed,
  COUNT(*) FILTER (
    WHERE (x.accommodation = %(same)s AND p.destination = ANY(%(settled)s))
       OR (x.accommodation = %(moved)s AND x.moved_to = ANY(%(settled)s))
  ) AS settled
FROM {FOLLOW_UP} x
{IN_AREA}
  AND x.due_on >= %(s)s AND x.due_on < %(e)s
GROUP BY x.months
"""


@metric(
    "settled_after_leaving",
    "move_on",
    _("Still in settled accommodation after leaving"),
    _(
        "Follow-up checks due on a day of the period, by how long after leaving (calendar months after "
        "the departure day; a month end is clamped, so 31 August + 6 months is 28 or 29 February). "
        "Followed up: the checks recorded. Settled: still in the same accommodation when they had left for "
        "settled housing (social or private rent, long-term supported housing, family), or moved to "
        "settled housing. The share is settled over followed up: a check not recorded counts in neither."
    ),
)
def settled_after_leaving(scope: Scope, facts: Facts) -> Table:
    rows = {
        r["months"]: r
        for r in sql_rows(
            FOLLOW_UPS_SQL,
            {**scope.params, "same": Accommodation.SAME, "moved": Accommodation.MOVED, "settled": SETTLED},
        )
    }
    columns = [
        Column("due", _("Due")),
        Column("followed", _("Followed up")),
        Column("settled", _("Settled")),
        Column("share", _("Share settled"), PERCENT, derived_from="settled", basis="followed"),
    ]
    table_rows = []
    for months in settings.FOLLOW_UP_MONTHS:
        r = rows.get(months, {"due": 0, "followed": 0, "settled": 0})
        table_rows.append(
            Row(
                str(_("%(n)s months after leaving") % {"n": months}),
                {
                    "due": r["due"],
                    "followed": r["followed"],
                    "settled": r["settled"],
                    "share": ratio(r["settled"], r["followed"]),
                },
            )
        )
    return Table(columns, table_rows)
