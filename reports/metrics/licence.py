"""The licence to occupy: warnings given under it, licences ended early for a breach (with notice
or at once), and agreements signed or refused. Each counted by its own date in the period, for
placements in the area chosen (the property's local authority)."""

from django.utils.translation import gettext_lazy as _

from placements.models import (
    AgreementStatus,
    BreachEndingKind,
    LicenceAgreement,
    LicenceBreachEnding,
    LicenceTerm,
    LicenceWarning,
    WarningLevel,
)
from reports.metrics.facts import Facts
from reports.metrics.registry import Scope, metric
from reports.metrics.sql import BEDSPACE, PLACEMENT, PROPERTY, db_table, sql_rows
from reports.tables import Column, Row, Table

WARNING = db_table(LicenceWarning)
BREACH_ENDING = db_table(LicenceBreachEnding)
AGREEMENT = db_table(LicenceAgreement)
TERM = db_table(LicenceTerm)

# The placements of the area chosen (all of them when none is).
IN_AREA = f"""p.id IN (
    SELECT p2.id FROM {PLACEMENT} p2 JOIN {BEDSPACE} b ON b.id = p2.bedspace_id
    JOIN {PROPERTY} pr ON pr.id = b.property_id
    WHERE %(area)s::text IS NULL OR pr.local_authority_id = %(area)s::text)"""


@metric(
    "licence_warnings",
    "compliance",
    _("Warnings under the licence to occupy"),
    _(
        "Warnings given under the licence to occupy (not the probation licence) dated on a day of the "
        "period, from its first day to its last, by level: verbal, written and final. The number of "
        "different people they concern."
    ),
)
def licence_warnings(scope: Scope, facts: Facts) -> Table:
    rows = sql_rows(
        f"""SELECT w.level, COUNT(*) AS warnings, COUNT(DISTINCT p.offender_id) AS people
            FROM {WARNING} w JOIN {PLACEMENT} p ON p.id = w.placement_id
            WHERE w.issued_on >= %(s)s::date AND w.issued_on < %(e)s::date AND {IN_AREA}
            GROUP BY ROLLUP (w.level)""",
        scope.params,
    )
    found = {row["level"]: row for row in rows}
    empty = {"warnings": 0, "people": 0}
    columns = [Column("warnings", _("Warnings")), Column("people", _("People"))]
    table_rows = [
        Row(str(label), {k: found.get(level, empty)[k] for k in ("warnings", "people")})
        for level, label in WarningLevel.choices
    ]
    total = Row(str(_("All warnings")), {k: found.get(None, empty)[k] for k in ("warnings", "people")})
    return Table(columns, table_rows, total=total, additive={"warnings"})


@metric(
    "licence_breach_endings",
    "compliance",
    _("Licences ended for a breach"),
    _(
        "Placements whose licence to occupy was ended early for a breach, counted on the notice date "
        "when it is in the period: with notice (the licence ends at the notice date plus the notice "
        "period, and the person stays until then) or immediately, for a serious breach."
    ),
)
def licence_breach_endings(scope: Scope, facts: Facts) -> Table:
    rows = sql_rows(
        f"""SELECT e.kind, COUNT(*) AS placements
            FROM {BREACH_ENDING} e JOIN {PLACEMENT} p ON p.id = e.placement_id
            WHERE e.notice_on >= %(s)s::date AND e.notice_on < %(e)s::date AND {IN_AREA}
            GROUP BY e.kind""",
        scope.params,
    )
    found = {row["kind"]: row["placements"] for row in rows}
    columns = [Column("placements", _("Placements"))]
    table_rows = [
        Row(str(label), {"placements": found.get(kind, 0)}) for kind, label in BreachEndingKind.choices
    ]
    total = Row(str(_("All endings for a breach")), {"placements": sum(found.values())})
    return Table(columns, table_rows, total=total, additive=True)


@metric(
    "licence_agreements",
    "compliance",
    _("Licence agreements"),
    _(
        "Licence agreements issued in the period (one for each licence term granted: the first and "
        "each renewal), and those signed, or refused, on a day of the period whenever they were issued."
    ),
)
def licence_agreements(scope: Scope, facts: Facts) -> Table:
    row = sql_rows(
        f"""SELECT COUNT(*) FILTER (WHERE a.issued_on >= %(s)s::date AND a.issued_on < %(e)s::date) AS issued,
                   COUNT(*) FILTER (WHERE a.status = %(signed)s AND a.responded_on >= %(s)s::date
                                      AND a.responded_on < %(e)s::date) AS signed,
                   COUNT(*) FILTER (WHERE a.status = %(refused)s AND a.responded_on >= %(s)s::date
                                      AND a.responded_on < %(e)s::date) AS refused
            FROM {AGREEMENT} a JOIN {TERM} t ON t.id = a.term_id JOIN {PLACEMENT} p ON p.id = t.placement_id
            WHERE {IN_AREA}
              -- Only the agreements the counts can take (issued or answered in the period) are joined.
              AND ((a.issued_on >= %(s)s::date AND a.issued_on < %(e)s::date)
                   OR (a.responded_on >= %(s)s::date AND a.responded_on < %(e)s::date))""",
        {**scope.params, "signed": AgreementStatus.SIGNED, "refused": AgreementStatus.REFUSED},
    )[0]
    columns = [Column("agreements", _("Agreements"))]
    return Table(
        columns,
        [
            Row(str(_("Issued")), {"agreements": row["issued"]}),
            Row(str(_("Signed")), {"agreements": row["signed"]}),
            Row(str(_("Refused")), {"agreements": row["refused"]}),
        ],
    )
