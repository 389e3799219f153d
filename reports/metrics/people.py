"""People: gender, age band, ethnic group and needs at entry."""

from django.utils.translation import gettext_lazy as _

from referrals.models import EthnicityGroup, Gender, Need
from reports.metrics.facts import Facts
from reports.metrics.figures import group_table, ratio
from reports.metrics.registry import Scope, joined, metric
from reports.tables import PERCENT, Column, Row, Table


def _people_table(facts: Facts, column: str, labels) -> Table:
    counts = facts.entrants[column]
    return group_table(counts, labels, facts.stays["people"], _("People placed"), "people.placed")


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
    joined(PEOPLE_NOTE, " ", _("People under 18 (who cannot be placed) would be counted in 18–24.")),
    chart="count",
)
def age_band(scope: Scope, facts: Facts) -> Table:
    labels = [(band, band) for band in ("18–24", "25–34", "35–44", "45–54", "55+")]
    return _people_table(facts, "age_band", labels)


@metric(
    "ethnicity",
    "people",
    _("Ethnic group"),
    joined(PEOPLE_NOTE, " ", _("Groups are the ONS 2021 census high-level ethnic groups.")),
    chart="count",
)
def ethnicity(scope: Scope, facts: Facts) -> Table:
    return _people_table(facts, "ethnicity_group", EthnicityGroup.choices)


@metric(
    "needs",
    "people",
    _("Needs pathways at entry"),
    joined(
        PEOPLE_NOTE,
        " ",
        _(
            "Needs are those on the referral that led to the placement (or the person's record when "
            "there is none); a person may have several, so the counts do not add up to the people placed."
        ),
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
            Row(str(label), {"count": counts.get(value, 0), "share": ratio(counts.get(value, 0), people)})
            for value, label in Need.choices
        ],
    )
