"""Reoffending: offences during placement, within 3, 6 and 12 months after, and rates per person-month."""

from operator import itemgetter

from django.utils.translation import gettext_lazy as _

from placements.models import DESTINATION_GROUPS
from reports.metrics.facts import Facts
from reports.metrics.figures import DAYS_PER_MONTH, ratio
from reports.metrics.registry import Scope, joined, metric
from reports.pseudonyms import pseudonym
from reports.tables import COUNT, NUMBER, PERCENT, RATE, TEXT, Column, Row, Table

OFFENCE_NOTE = _(
    "An offence is an arrest or a caution recorded on the person's timeline (charges and "
    "convictions follow an arrest and are not counted again)."
)


@metric(
    "offending_during",
    "reoffending",
    _("People with an offence during their placement"),
    joined(
        _(
            "People with a stay in the period who had an offence dated in the period while in a stay "
            "(from the arrival day up to, not including, the departure day). "
        ),
        OFFENCE_NOTE,
    ),
)
def offending_during(scope: Scope, facts: Facts) -> Table:
    offended = facts.events_during["offence"]["people"]
    people = facts.stays["people"]
    columns = [
        Column("people", _("People placed")),
        Column("offended", _("With an offence")),
        Column(
            "share", _("Share"), PERCENT, derived_from="offended", basis="people", denominator="people.placed"
        ),
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


FOLLOW_UP_NOTE = _(
    "Follow-up counts time at risk: days neither in custody nor in a stay. A spell in custody "
    "starts on a recall, or on the departure day of a stay ended by recall or remand or with "
    "custody as its destination, and ends on the release recorded (or the next arrival at a stay); "
    "with neither it runs to the report day. 3, 6 and 12 months are 91, 182 and 365 days at risk "
    "from the last departure in the period; a window is complete on the day after its last day at "
    "risk, if that is on or before the report day. A later stay ends the follow-up (it is counted "
    "as placed again); custody only pauses it. An offence counts if dated from the departure day "
    "up to, not including, the day the window is complete."
)


@metric(
    "offending_after",
    "reoffending",
    _("People with an offence within 3, 6 and 12 months of leaving"),
    joined(
        _(
            "People whose stay ended in the period: those followed up for the whole window and, of "
            "them, those with an offence in it. People not yet followed up that long (still in the "
            "window, or placed again before it was complete) are counted separately and left out of "
            "the share. "
        ),
        FOLLOW_UP_NOTE,
        " ",
        OFFENCE_NOTE,
    ),
)
def offending_after(scope: Scope, facts: Facts) -> Table:
    f = facts.leavers
    columns = [
        Column("left", _("People who left")),
        Column("followed", _("Followed up")),
        Column("waiting", _("Not yet followed up")),
        Column("placed_again", _("Of them, placed again")),
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
                    "placed_again": f[f"placed_again_{months}"],
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
    joined(
        _(
            "For people whose stay ended in the period: offences in the 12 calendar months before "
            "their first arrival, during their stays that ended in the period (arrival day to the day "
            "before departure), and after their last departure (up to 365 days at risk, as far as "
            "observed when the report was made), each divided by the person-months in that window "
            "(a month is 30.44 days). Before and after, the person-months are time at risk: days in "
            "custody or in another stay are left out (offences on them still count). "
        ),
        OFFENCE_NOTE,
    ),
    chart="rate",
)
def offence_rates(scope: Scope, facts: Facts) -> Table:
    f = facts.leavers
    people = f["people"]
    columns = [
        Column("people", _("People")),
        Column("offences", _("Offences")),
        Column("months", _("Person-months"), NUMBER, basis="people"),
        Column("rate", _("Offences per person-month"), RATE, derived_from="offences", basis="people"),
    ]
    rows = [
        Row(str(label), {"people": people, "offences": n, "months": m, "rate": ratio(n, m)})
        for label, n, m in (
            (_("12 months before"), f["before"], _months(f["before_days"])),
            (_("During placement"), f["during"], _months(f["during_days"])),
            (_("12 months after"), f["after"], _months(f["after_days"])),
        )
    ]
    return Table(columns, rows)


def _months(days) -> float:
    return float(days) / DAYS_PER_MONTH


@metric(
    "cohort_measures",
    "reoffending",
    _("The cohort: offending before and since joining, arrests and custody"),
    joined(
        _(
            "The PROP cohort measures, for everyone with a stay in the period (a night in it, or a "
            "departure on its first day). Joining is their first arrival among those stays. Before: "
            "the 12 calendar months before joining, per person-month at risk (custody and earlier "
            "stays left out). Since joining: from the joining day up to, not including, the report "
            "day, per person-month out of custody. Not arrested since joining: no arrest dated on or "
            "after the joining day. Months in custody: days in custody since joining (see the "
            "follow-up definition) divided by 30.44. "
        ),
        OFFENCE_NOTE,
    ),
)
def cohort_measures(scope: Scope, facts: Facts) -> Table:
    rows = facts.person_outcomes
    people = len(rows)
    total = {k: sum(r[k] for r in rows) for k in ("before", "before_days", "since", "since_days",
                                                  "custody_days", "arrests_before", "arrests_since")}  # fmt: skip
    not_arrested = sum(1 for r in rows if r["arrests_since"] == 0)
    since_months = _months(total["since_days"] - total["custody_days"])
    columns = [
        Column("people", _("People")),
        Column("count", _("Count")),
        Column("months", _("Person-months"), NUMBER, basis="people"),
        Column("rate", _("Per person-month"), RATE, derived_from="count", basis="people"),
    ]
    return Table(
        columns,
        [
            Row(str(_("Cohort size")), {"people": people, "count": people}, {"people": "people.placed"}),
            Row(
                str(_("Offences in the 12 months before joining")),
                {
                    "people": people,
                    "count": total["before"],
                    "months": _months(total["before_days"]),
                    "rate": ratio(total["before"], _months(total["before_days"])),
                },
            ),  # fmt: skip
            Row(
                str(_("Offences since joining")),
                {
                    "people": people,
                    "count": total["since"],
                    "months": since_months,
                    "rate": ratio(total["since"], since_months),
                },
            ),  # fmt: skip
            Row(
                str(_("Arrests in the 12 months before joining")),
                {"people": people, "count": total["arrests_before"]},
            ),
            Row(str(_("Arrests since joining")), {"people": people, "count": total["arrests_since"]}),
            Row(str(_("People not arrested since joining")), {"people": people, "count": not_arrested}),
            Row(
                str(_("Months in custody since joining")),
                {"people": people, "months": _months(total["custody_days"])},
            ),
        ],
    )


@metric(
    "follow_up_at_risk",
    "reoffending",
    _("Follow-up after leaving: time at risk"),
    joined(
        _(
            "For people whose stay ended in the period: the person-months at risk observed after "
            "their last departure (up to 365 days each), the months in custody since they joined, "
            "and the people followed up for 3, 6 and 12 months at risk. "
        ),
        FOLLOW_UP_NOTE,
    ),
)
def follow_up_at_risk(scope: Scope, facts: Facts) -> Table:
    f = facts.leavers
    columns = [
        Column("people", _("People who left")),
        Column("followed", _("Followed up")),
        Column("months", _("Person-months"), NUMBER, basis="people"),
    ]
    rows = [
        Row(str(_("Time at risk after leaving")), {"people": f["people"], "months": _months(f["after_days"])}),
        Row(str(_("Time in custody since joining")), {"people": f["people"], "months": _months(f["custody_days"])}),
    ]  # fmt: skip
    for months in (3, 6, 12):
        rows.append(
            Row(
                str(_("Followed up for %(months)s months at risk") % {"months": months}),
                {"people": f["people"], "followed": f[f"followed_{months}"]},
            )
        )
    return Table(columns, rows)


PERSON_ROWS_SHOWN = 200  # rows of the person-level table in the page and the PDF


@metric(
    "person_outcomes",
    "reoffending",
    _("Outcomes of each person placed (pseudonymised)"),
    joined(
        _(
            "One row for each person with a stay in the period, for the evaluators under the "
            "data-sharing agreement. The pseudonym is a keyed hash of the person's record (the same in "
            "every report made with the scheme's key, so a person can be followed over time; it does "
            "not reveal who they are). No names, identifiers, dates of birth or notes. First arrival: "
            "the month of their first arrival among the period's stays. Nights: in the period. "
            "Renewals: licence terms begun after the first, in the period's stays. Move-on: the group "
            "of the destination of their last stay ended in the period. Offences and arrests before "
            "(12 months before joining), during (their stays in the period) and after (their last "
            "departure, up to 365 days at risk); followed up and offended at 3, 6 and 12 months are "
            "as in the follow-up tables, whose figures these rows add up to. "
        ),
        FOLLOW_UP_NOTE,
    ),
    audience="evaluation",
)
def person_outcomes(scope: Scope, facts: Facts) -> Table:
    columns = [
        Column("first_month", _("First arrival"), TEXT),
        Column("nights", _("Nights"), COUNT),
        Column("renewals", _("Renewals"), COUNT),
        Column("move_on", _("Move-on"), TEXT),
        Column("before", _("Offences before"), COUNT),
        Column("during", _("Offences during"), COUNT),
        Column("after", _("Offences after"), COUNT),
        Column("arrests_before", _("Arrests before"), COUNT),
        Column("arrests_during", _("Arrests during"), COUNT),
        Column("arrests_since", _("Arrests since joining"), COUNT),
        Column("custody_months", _("Months in custody"), RATE),
    ]
    for months in (3, 6, 12):
        columns += [
            Column(f"followed_{months}", _("Followed up %(months)s months") % {"months": months}, TEXT),
            Column(f"offended_{months}", _("Offended within %(months)s months") % {"months": months}, TEXT),
        ]
    # Tens of thousands of rows nationally: each pseudonym is hashed once, and the words are
    # translated once, not once a cell.
    yes, no = str(_("Yes")), str(_("No"))
    move_on = {key: str(group.label) for key, group in DESTINATION_GROUPS.items()}
    rows = []
    for label, r in sorted(
        ((pseudonym(r["offender_id"]), r) for r in facts.person_outcomes), key=itemgetter(0)
    ):
        values = {
            "first_month": f"{r['first_arrival']:%Y-%m}",
            "nights": r["nights"],
            "renewals": r["renewals"],
            "move_on": move_on[r["destination"]] if r["destination"] else "",
            "before": r["before"],
            "during": r["during"],
            "after": r["after"],
            "arrests_before": r["arrests_before"],
            "arrests_during": r["arrests_during"],
            "arrests_since": r["arrests_since"],
            "custody_months": round(_months(r["custody_days"]), 2),
        }
        for months in (3, 6, 12):
            left = r["left_on"] is not None
            followed = r[f"complete_{months}"] is not None
            values[f"followed_{months}"] = (yes if followed else no) if left else ""
            values[f"offended_{months}"] = (yes if r[f"offended_{months}"] else no) if followed else ""
        rows.append(Row(label, values))
    # Names no one (`people` empty): the pseudonyms are not the access log's people. The page and the
    # PDF show the first rows (a national year is tens of thousands: hundreds of pages to lay out and
    # none to read); the evaluators' CSV and spreadsheet hold them all.
    return Table(columns, rows, row_header=str(_("Pseudonym")), people=[], shown_rows=PERSON_ROWS_SHOWN)
