"""Reoffending: offences during placement, within 3, 6 and 12 months after, and rates per person-month."""

from django.utils.translation import gettext_lazy as _

from reports.metrics.facts import Facts
from reports.metrics.figures import DAYS_PER_MONTH, ratio
from reports.metrics.registry import Scope, metric
from reports.tables import NUMBER, PERCENT, RATE, Column, Row, Table

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
                {"people": people, "offended": offended, "share": ratio(offended, people)},
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
                    "share": ratio(offended, followed),
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
        Column("rate", _("Offences per person-month"), RATE, derived_from="offences", basis="people"),
    ]
    rows = [
        Row(str(label), {"people": people, "offences": n, "months": m, "rate": ratio(n, m)})
        for label, n, m in (
            (_("12 months before"), f["before"], before_months),
            (_("During placement"), f["during"], during_months),
            (_("12 months after"), f["after"], after_months),
        )
    ]
    return Table(columns, rows)
