"""Cost: total cost, funding received, cost per placement and per night, and estimated costs avoided."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from reports.metrics.facts import Facts
from reports.metrics.figures import DAYS_PER_MONTH, money, ratio
from reports.metrics.registry import Scope, metric
from reports.metrics.sql import FUNDING, sql_one
from reports.models import UnitCost
from reports.tables import MONEY, NUMBER, TEXT, Column, Row, Table

RECALL_CUSTODY_NIGHTS = 28
# A funding line with no end date is spread over this many days from its first day (a year).
OPEN_ENDED_DAYS = 365


def _costs(scope: Scope, facts: Facts) -> dict:
    weeks = Decimal(scope.days) / 7
    # Each property's cost is rounded to the penny first, so the breakdown adds up to the total.
    property_cost = sum(
        (money(p["weekly_cost"] * weeks) for p in facts.nights_by_property.values()), Decimal(0)
    )
    funding = Decimal(0)
    if not scope.area:
        funding = sql_one(
            f"""WITH lines AS (
                 SELECT f.amount, f.starts_on,
                        COALESCE(f.ends_on + 1, f.starts_on + {OPEN_ENDED_DAYS}) AS ends_before
                 FROM {FUNDING} f
               )
               SELECT COALESCE(SUM(
                 amount * GREATEST(0, LEAST(ends_before, %(e)s::date) - GREATEST(starts_on, %(s)s::date))
                 / (ends_before - starts_on)
               ), 0) AS funding FROM lines""",
            facts.params,
        )["funding"]
    return {"property": money(property_cost), "funding": money(funding)}


@metric(
    "cost",
    "cost",
    _("Total cost"),
    _(
        "What the scheme cost in the period: each property's weekly cost × the days of the period "
        "÷ 7, each rounded to the penny. Grants and other funding pay for these costs, so they are "
        "not added to them: they are shown apart, under funding received."
    ),
)
def cost(scope: Scope, facts: Facts) -> Table:
    c = _costs(scope, facts)
    columns = [Column("amount", _("Amount"), MONEY)]
    return Table(
        columns,
        [Row(str(_("Property costs")), {"amount": c["property"]})],
        total=Row(str(_("Total cost")), {"amount": c["property"]}),
    )


@metric(
    "funding",
    "cost",
    _("Funding received"),
    _(
        "Grants and contributions received for the period, not a cost. A line with an end date is "
        "shared out by day: its amount × its days in the period ÷ its days from its first to its "
        "last day, both counted. A line with no end date is taken as paid over the 365 days from "
        "its first day (its amount ÷ 365 a day), so it counts nothing a year or more after it "
        "starts. The sum is rounded to the penny. Funding is for the whole scheme, so it is left "
        "out when an area is chosen."
    ),
)
def funding(scope: Scope, facts: Facts) -> Table:
    c = _costs(scope, facts)
    columns = [Column("amount", _("Amount"), MONEY)]
    return Table(columns, [Row(str(_("Funding received")), {"amount": c["funding"]})])


@metric(
    "unit_cost",
    "cost",
    _("Cost per placement and per occupied night"),
    _(
        "The total cost (property costs, funding not taken off) divided by the placements in the "
        "period, and by the occupied bedspace-nights."
    ),
)
def unit_cost(scope: Scope, facts: Facts) -> Table:
    c = _costs(scope, facts)
    total = c["property"]
    s = facts.stays
    columns = [Column("count", _("Count")), Column("cost", _("Cost each"), MONEY, derived_from="count")]
    return Table(
        columns,
        [
            Row(
                str(_("Per placement")),
                {"count": s["stays"], "cost": ratio(total, s["stays"])},
                {"count": "placements.stays"},
            ),
            Row(
                str(_("Per occupied night")),
                {"count": s["nights"], "cost": ratio(total, s["nights"])},
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
        "scheme manager has set, with its source. A recall on the departure day counts as in "
        "placement (it ended the stay), as in the compliance table. Each row lists its assumption."
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
        saving = money(Decimal(str(quantity)) * unit_cost.amount)
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
