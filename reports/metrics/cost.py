"""Cost: total cost, funding received, cost per placement and per night, the cost against the
alternatives (custody, approved premises, bed and breakfast), estimated costs avoided as a
low–central–high range, and the assumptions (unit costs) every figure here used."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from placements.models import DESTINATION_GROUPS, DestinationGroup
from reports.metrics.facts import Facts
from reports.metrics.figures import DAYS_PER_MONTH, money, ratio
from reports.metrics.registry import Scope, interpolated, metric
from reports.metrics.sql import FUNDING, sql_one
from reports.models import (
    ALTERNATIVE_NIGHTS,
    ARREST,
    CUSTODY_NIGHT,
    RECALL,
    UNIT_COST_USES,
)
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


def _settled(facts: Facts) -> int:
    """Placements ended in the period with a move to settled accommodation (the move-on table's
    first row)."""
    return sum(
        n
        for destination, n in facts.ended_by("destination").items()
        if DESTINATION_GROUPS.get(destination) == DestinationGroup.SETTLED
    )


ALTERNATIVE_COLUMNS = {
    key: label
    for key, label in (
        (ALTERNATIVE_NIGHTS[0], _("Custody")),
        (ALTERNATIVE_NIGHTS[1], _("Approved premises")),
        (ALTERNATIVE_NIGHTS[2], _("Bed and breakfast")),
    )
}


@metric(
    "cost_effectiveness",
    "cost",
    _("Cost per person, per night and per settled move-on, against the alternatives"),
    _(
        "The scheme: the total cost (property costs only; funding is not added or taken off) ÷ the "
        "people placed in the period, ÷ the occupied bedspace-nights, and ÷ the placements that "
        "ended in the period with a move to settled accommodation. Beside it, the alternative for "
        "the same nights: the occupied nights × the central cost of a night in custody, in approved "
        "premises or in bed and breakfast (see “Assumptions used”), ÷ the same people, nights and "
        "settled move-ons. The low and high figures are in the next table."
    ),
)
def cost_effectiveness(scope: Scope, facts: Facts) -> Table:
    total = _costs(scope, facts)["property"]
    units = facts.unit_costs
    nights = facts.stays["nights"]
    alternatives = [key for key in ALTERNATIVE_NIGHTS if key in units]
    columns = [
        Column("count", _("Count")),
        Column("scheme", _("This scheme"), MONEY, derived_from="count"),
        *(Column(key, ALTERNATIVE_COLUMNS[key], MONEY, derived_from="count") for key in alternatives),
    ]
    rows = []
    for label, count, fact in (
        (_("Per person housed"), facts.stays["people"], "people.placed"),
        (_("Per occupied night"), nights, "nights.occupied"),
        (_("Per settled move-on"), _settled(facts), "move_on.settled"),
    ):
        values = {"count": count, "scheme": ratio(total, count)}
        for key in alternatives:
            values[key] = ratio(nights * units[key].central, count)
        rows.append(Row(str(label), values, {"count": fact}))
    return Table(columns, rows)


@metric(
    "alternative_cost",
    "cost",
    _("The alternatives for the same nights: low, central and high"),
    _(
        "The occupied bedspace-nights of the period × the low, central and high cost of a night in "
        "each alternative (see “Assumptions used”), against the scheme's total cost (property "
        "costs only) for the same nights. “Central, less this scheme” is what the alternative "
        "would have cost beyond the scheme, at the central figure (below 0: the scheme cost more)."
    ),
)
def alternative_cost(scope: Scope, facts: Facts) -> Table:
    total = _costs(scope, facts)["property"]
    units = facts.unit_costs
    nights = facts.stays["nights"]
    columns = [
        Column("nights", _("Nights")),
        Column("low", _("Low"), MONEY, derived_from="nights"),
        Column("central", _("Central"), MONEY, derived_from="nights"),
        Column("high", _("High"), MONEY, derived_from="nights"),
        Column("difference", _("Central, less this scheme"), MONEY, derived_from="nights"),
    ]
    fact = {"nights": "nights.occupied"}
    rows = [Row(str(_("This scheme (property costs)")), {"nights": nights, "central": total}, fact)]
    for key in ALTERNATIVE_NIGHTS:
        unit = units.get(key)
        if unit is None:
            continue
        central = money(nights * unit.central)
        values = {
            "nights": nights,
            "low": money(nights * unit.low),
            "central": central,
            "high": money(nights * unit.high),
            "difference": central - total,
        }
        rows.append(Row(unit.name, values, fact))
    return Table(columns, rows)


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
    _("Estimated costs avoided: low, central and high"),
    _(
        "An estimate, for people whose stay ended in the period: the events avoided (the fall in the "
        "monthly rate of arrests or recalls from the 12 months before the first arrival to the time "
        "in placement, times the person-months in placement; never below 0) times the low, central "
        "and high unit cost a scheme manager has set (see “Assumptions used”), each rounded to the "
        "penny. A recall on the departure day counts as in placement (it ended the stay), as in the "
        "compliance table. Each row states its assumption."
    ),
)
def costs_avoided(scope: Scope, facts: Facts) -> Table:
    f = facts.leavers
    arrests = _avoided(f["arrests_before"], f["arrests_during"], f["people"], f["during_days"])
    recalls = _avoided(f["recalls_before"], f["recalls_during"], f["people"], f["during_days"])
    quantities = {
        ARREST: (
            arrests,
            _("Arrests avoided: each would have cost one arrest and its police custody time."),
        ),
        RECALL: (recalls, _("Recalls avoided: each would have cost one recall to custody.")),
        CUSTODY_NIGHT: (
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
        Column("saving_low", _("Low"), MONEY, basis="people"),
        Column("saving", _("Central"), MONEY, basis="people"),
        Column("saving_high", _("High"), MONEY, basis="people"),
        Column("assumption", _("Assumption"), TEXT),
    ]
    units = facts.unit_costs
    rows = []
    for unit_cost in sorted((u for u in units.values() if u.key in quantities), key=lambda u: u.name):
        quantity, assumption = quantities[unit_cost.key]
        avoided = Decimal(str(quantity))
        rows.append(
            Row(
                unit_cost.name,
                {
                    "people": f["people"],
                    "quantity": quantity,
                    "saving_low": money(avoided * unit_cost.low),
                    "saving": money(avoided * unit_cost.central),
                    "saving_high": money(avoided * unit_cost.high),
                    "assumption": str(assumption),
                },
            )
        )
    total = Row(
        str(_("Total estimated saving")),
        {"people": f["people"]}
        | {
            key: sum((r.values[key] for r in rows), Decimal(0))
            for key in ("saving_low", "saving", "saving_high")
        },
    )
    return Table(columns, rows, total=total)


@metric(
    "assumptions_used",
    "cost",
    _("Assumptions used"),
    interpolated(
        _(
            "The unit costs this report priced the alternatives and the costs avoided with, as a scheme "
            "manager set them on the report's assumptions page when the report was made: each with its "
            "low, central and high figure, its source and the date of the source. A recall avoided is "
            "also taken as %(nights)s nights in custody avoided (a fixed-term recall). “Not set”: the "
            "figures that need it are left out."
        ),
        {"nights": RECALL_CUSTODY_NIGHTS},
    ),
)
def assumptions_used(scope: Scope, facts: Facts) -> Table:
    units = facts.unit_costs
    columns = [
        Column("unit", _("Per"), TEXT),
        Column("low", _("Low"), MONEY),
        Column("central", _("Central"), MONEY),
        Column("high", _("High"), MONEY),
        Column("source", _("Source"), TEXT),
        Column("source_date", _("Date of source"), TEXT),
        Column("used_for", _("Used for"), TEXT),
    ]
    rows = []
    for key, use in UNIT_COST_USES.items():
        unit = units.get(key)
        if unit is None:
            values = {"source": str(_("Not set")), "used_for": str(use)}
            rows.append(Row(key, values))
            continue
        values = {
            "unit": unit.unit,
            "low": unit.low,
            "central": unit.central,
            "high": unit.high,
            "source": unit.source,
            "source_date": f"{unit.source_date:%B %Y}",
            "used_for": str(use),
        }
        rows.append(Row(unit.name, values))
    return Table(columns, rows, row_header=str(_("Unit cost")))
