"""Who may share a property: the one rule, weighing a person's risks against the property's
characteristics and against each person staying there over the same days.

The compatibility table (a conflict for each row that holds):

| between | when | can an IOM officer override? |
| --- | --- | --- |
| the person and the property | a women-only property and a man; a men-only property and a woman | no: refused |
| the person and the property | "not suitable for a sexual risk" and a sexual risk to adults or to children | yes, with a reason |
| the person and the property | "not suitable for an arson history" and an arson history | yes, with a reason |
| the person and the property | "near a school" and a sexual risk to children | yes, with a reason |
| the person and a co-resident (either way round) | a sexual risk to women and a co-resident not recorded as male | yes, with a reason |
| the person and a co-resident (either way round) | a sexual risk to men and a co-resident not recorded as female | yes, with a reason |
| the person and a co-resident (either way round) | a sexual risk to any adult and any co-resident | yes, with a reason |
| the person and a co-resident (either way round) | violence to other residents and any co-resident | yes, with a reason |

A sexual risk to children or an arson history is weighed against the property (the scheme
houses adults only), never against a co-resident; both are still shown for each co-resident.
A co-resident of a gender other than male or female, or not known, is taken to be at risk from
a sexual risk to women and from one to men alike: the rule errs towards safety.

A co-resident is anyone else with a live stay (booked, confirmed, active; not cancelled or not
arrived) in another bedspace of the same property whose nights overlap the stay's nights. Days
are half-open, [arrival, licence end): someone leaving on the arrival day does not overlap; a
booking not yet arrived counts from its arrival date; someone staying past their licence counts
as staying on with no end. The person's own other stays are not co-residents (a move within a
property). Co-residents are shown pseudonymously ("Resident A"), by sex and sharing risks only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from iom_housing.access import Staff, can_user_override_sharing
from iom_housing.dates import day
from iom_housing.services import text_length_errors
from placements.models import RELEASED_PLACEMENT_STATUSES, Bedspace, Placement, Property, SharingOverride
from referrals.models import Gender, Offender, SexualRiskToAdults

# The field a booking, renewal or move takes an officer's reason to override conflicts in.
OVERRIDE_FIELD = "sharing_override_reason"

# Which gender each restriction refuses: the one statement of the women-only and men-only rule,
# which the booking services and Find a bedspace's query (`restrictions_refusing`) both read.
RESTRICTION_REFUSES: dict[str, str] = {
    Property.Restriction.WOMEN_ONLY: Gender.MALE,
    Property.Restriction.MEN_ONLY: Gender.FEMALE,
}


def restrictions_refusing(gender: str) -> list[str]:
    """The property restrictions that refuse a person of `gender`."""
    return [restriction for restriction, refused in RESTRICTION_REFUSES.items() if refused == gender]


@dataclass(frozen=True)
class Risks:
    """What the rule knows of a person: their gender and sharing risks, nothing that names them."""

    gender: str
    sexual_risk_to_adults: str = SexualRiskToAdults.NONE
    sexual_risk_to_children: bool = False
    arson_history: bool = False
    violence_to_residents: bool = False

    @classmethod
    def of(cls, offender: Offender) -> Risks:
        return cls(
            gender=offender.gender,
            sexual_risk_to_adults=offender.sexual_risk_to_adults,
            sexual_risk_to_children=offender.sexual_risk_to_children,
            arson_history=offender.arson_history,
            violence_to_residents=offender.violence_to_residents,
        )

    @property
    def sexual_risk(self) -> bool:
        return bool(self.sexual_risk_to_adults) or self.sexual_risk_to_children

    def words(self) -> list[str]:
        """The risks in words, in the order the table lists them."""
        risks = []
        if self.sexual_risk_to_adults:
            risks.append(_adult_risk_words(self.sexual_risk_to_adults))
        if self.sexual_risk_to_children:
            risks.append(_("sexual risk to children"))
        if self.arson_history:
            risks.append(_("arson history"))
        if self.violence_to_residents:
            risks.append(_("violence to other residents"))
        return risks

    def is_sexual_risk_to(self, other: Risks) -> bool:
        """Whether this person's sexual risk to adults reaches `other` (see the table)."""
        if self.sexual_risk_to_adults == SexualRiskToAdults.ANY:
            return True
        if self.sexual_risk_to_adults == SexualRiskToAdults.WOMEN:
            return other.gender != Gender.MALE
        if self.sexual_risk_to_adults == SexualRiskToAdults.MEN:
            return other.gender != Gender.FEMALE
        return False


def _adult_risk_words(risk: str) -> str:
    return {
        SexualRiskToAdults.WOMEN: _("sexual risk to women"),
        SexualRiskToAdults.MEN: _("sexual risk to men"),
        SexualRiskToAdults.ANY: _("sexual risk to adults"),
    }[SexualRiskToAdults(risk)]


def _sexual_risk_words(person: Risks) -> list[str]:
    risks = [_adult_risk_words(person.sexual_risk_to_adults)] if person.sexual_risk_to_adults else []
    return [*risks, _("sexual risk to children")] if person.sexual_risk_to_children else risks


def _gender_words(gender: str) -> str:
    words: dict[str, str] = {
        Gender.MALE: _("male"),
        Gender.FEMALE: _("female"),
        Gender.NON_BINARY: _("non-binary"),
        Gender.OTHER: _("another gender"),
        Gender.NOT_KNOWN: _("gender not known"),
    }
    return words.get(gender, _("gender not known"))


@dataclass(frozen=True)
class Resident:
    """Someone else staying in the property over the dates, pseudonymously."""

    label: str  # "Resident A": this page's name for them, not stable between pages
    risks: Risks
    starts_on: date
    until: date | None  # their licence end; None while staying past it

    def describe(self) -> str:
        """ "Resident A: male; arson history; from 3 January 2027 to 31 January 2027"."""
        parts = [_gender_words(self.risks.gender), *(self.risks.words() or [_("no sharing risks recorded")])]
        if self.until is None:
            when = _("from %(start)s, staying past their licence") % {"start": day(self.starts_on)}
        else:
            when = _("from %(start)s to %(end)s") % {"start": day(self.starts_on), "end": day(self.until)}
        return f"{self.label}: {'; '.join(parts)}; {when}"


@dataclass(frozen=True)
class Conflict:
    """One row of the table that holds, in plain English; `overridable` False is a refusal."""

    code: str
    message: str
    overridable: bool = True


@dataclass(frozen=True)
class SharingCheck:
    """Who else is in the property over the dates, and what conflicts with the person."""

    residents: list[Resident]
    conflicts: list[Conflict]

    @property
    def refusals(self) -> list[Conflict]:
        return [c for c in self.conflicts if not c.overridable]

    @property
    def overridable(self) -> list[Conflict]:
        return [c for c in self.conflicts if c.overridable]


def property_conflicts(property_: Property, person: Risks) -> list[Conflict]:
    """The person against the property's restriction and characteristics."""
    conflicts = []
    name = property_.name
    if RESTRICTION_REFUSES.get(property_.restriction) == person.gender:
        message = (
            _("%(property)s is for women only.")
            if property_.restriction == Property.Restriction.WOMEN_ONLY
            else _("%(property)s is for men only.")
        )
        conflicts.append(Conflict("restriction", message % {"property": name}, overridable=False))
    if property_.unsuitable_for_sexual_risk and person.sexual_risk:
        conflicts.append(
            Conflict(
                "property_sexual_risk",
                _(
                    "%(property)s is not suitable for a person with a sexual risk, and this person has a %(risk)s."
                )
                % {"property": name, "risk": _(" and ").join(_sexual_risk_words(person))},
            )
        )
    if property_.unsuitable_for_arson and person.arson_history:
        conflicts.append(
            Conflict(
                "property_arson",
                _("%(property)s is not suitable for a person with an arson history, and this person has one.")
                % {"property": name},
            )
        )
    if property_.near_school and person.sexual_risk_to_children:
        conflicts.append(
            Conflict(
                "property_near_school",
                _("%(property)s is near a school, and this person has a sexual risk to children.")
                % {"property": name},
            )
        )
    return conflicts


def resident_conflicts(person: Risks, resident: Resident) -> list[Conflict]:
    """The person against one co-resident, each way round."""
    conflicts = []
    label = resident.label
    if person.is_sexual_risk_to(resident.risks):
        conflicts.append(
            Conflict(
                "sexual_risk_to_resident",
                _("This person has a %(risk)s, and %(resident)s (%(gender)s) will be living there.")
                % {
                    "risk": _adult_risk_words(person.sexual_risk_to_adults),
                    "resident": label,
                    "gender": _gender_words(resident.risks.gender),
                },
            )
        )
    if resident.risks.is_sexual_risk_to(person):
        conflicts.append(
            Conflict(
                "resident_sexual_risk",
                _("%(resident)s has a %(risk)s, and this person is %(gender)s.")
                % {
                    "resident": label,
                    "risk": _adult_risk_words(resident.risks.sexual_risk_to_adults),
                    "gender": _gender_words(person.gender),
                },
            )
        )
    if person.violence_to_residents:
        conflicts.append(
            Conflict(
                "violence_to_resident",
                _(
                    "This person has a history of violence to other residents, and %(resident)s will be living there."
                )
                % {"resident": label},
            )
        )
    if resident.risks.violence_to_residents:
        conflicts.append(
            Conflict(
                "resident_violence",
                _("%(resident)s has a history of violence to other residents.") % {"resident": label},
            )
        )
    return conflicts


def _label(n: int) -> str:
    # A to Z, then AA, AB…: a property rarely has more than a handful of bedspaces.
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return _("Resident %(letter)s") % {"letter": letters}


_STAY_FIELDS = (
    "bedspace__property_id",
    "bedspace_id",
    "offender_id",
    "status",
    "starts_on",
    "ends_on",
    "offender__gender",
    "offender__sexual_risk_to_adults",
    "offender__sexual_risk_to_children",
    "offender__arson_history",
    "offender__violence_to_residents",
)


@dataclass(frozen=True)
class _Stay:
    property_id: int
    bedspace_id: int
    offender_id: int
    starts_on: date
    until: date | None
    risks: Risks

    def overlaps(self, starts_on: date, ends_on: date) -> bool:
        return self.starts_on < ends_on and (self.until is None or self.until > starts_on)


def _stays(
    *, property_ids: Iterable[int], from_day: date, to_day: date, today: date, ignore: Sequence[int] = ()
) -> list[_Stay]:
    """The live stays in the properties that may overlap [from_day, to_day): one query."""
    overrunning = Q(status=Placement.Status.ACTIVE, ends_on__lt=today)
    rows = (
        Placement.objects.filter(bedspace__property_id__in=list(property_ids), starts_on__lt=to_day)
        .exclude(status__in=RELEASED_PLACEMENT_STATUSES)
        .filter(Q(ends_on__gt=from_day) | overrunning)
        .exclude(pk__in=list(ignore))
        .order_by("starts_on", "pk")
        .values_list(*_STAY_FIELDS)
    )
    stays = []
    for property_id, bedspace_id, offender_id, status, starts_on, ends_on, *risks in rows:
        overrun = status == Placement.Status.ACTIVE and ends_on < today
        stays.append(
            _Stay(
                property_id,
                bedspace_id,
                offender_id,
                starts_on,
                None if overrun else ends_on,
                Risks(*risks),
            )
        )
    return stays


def _check(
    *,
    property_: Property,
    bedspace_id: int,
    person: Risks,
    offender_id: int | None,
    stays: Iterable[_Stay],
    starts_on: date,
    ends_on: date,
) -> SharingCheck:
    residents = [
        Resident(_label(n), stay.risks, stay.starts_on, stay.until)
        for n, stay in enumerate(
            stay
            for stay in stays
            if stay.property_id == property_.pk
            and stay.bedspace_id != bedspace_id
            and stay.offender_id != offender_id
            and stay.overlaps(starts_on, ends_on)
        )
    ]
    conflicts = property_conflicts(property_, person)
    for resident in residents:
        conflicts += resident_conflicts(person, resident)
    return SharingCheck(residents, conflicts)


def sharing_check(
    *,
    bedspace: Bedspace,
    offender: Offender,
    starts_on: date,
    ends_on: date,
    today: date,
    ignore_placement_ids: Sequence[int] = (),
) -> SharingCheck:
    """Who else is in `bedspace`'s property over [starts_on, ends_on), and each conflict of the
    table between them, the property and `offender`. One query."""
    stays = _stays(
        property_ids=[bedspace.property_id],
        from_day=starts_on,
        to_day=ends_on,
        today=today,
        ignore=ignore_placement_ids,
    )
    return _check(
        property_=bedspace.property,
        bedspace_id=bedspace.pk,
        person=Risks.of(offender),
        offender_id=offender.pk,
        stays=stays,
        starts_on=starts_on,
        ends_on=ends_on,
    )


def sharing_conflicts(
    bedspace: Bedspace, offender: Offender, starts_on: date, ends_on: date, *, today: date
) -> list[Conflict]:
    """The conflicts of a stay of `offender` in `bedspace` over [starts_on, ends_on)."""
    return sharing_check(
        bedspace=bedspace, offender=offender, starts_on=starts_on, ends_on=ends_on, today=today
    ).conflicts


def conflicts_by_bedspace(
    *, offender: Offender, stays: Sequence[tuple[Bedspace, date, date]], today: date
) -> dict[int, list[Conflict]]:
    """For Find a bedspace: the conflicts of each candidate stay (bedspace, arrival, licence end),
    by bedspace id, in one query however many there are. No one is named or described."""
    if not stays:
        return {}
    rows = _stays(
        property_ids={bedspace.property_id for bedspace, _s, _e in stays},
        from_day=min(start for _b, start, _e in stays),
        to_day=max(end for _b, _s, end in stays),
        today=today,
    )
    person = Risks.of(offender)
    return {
        bedspace.pk: _check(
            property_=bedspace.property,
            bedspace_id=bedspace.pk,
            person=person,
            offender_id=offender.pk,
            stays=rows,
            starts_on=start,
            ends_on=end,
        ).conflicts
        for bedspace, start, end in stays
    }


def conflicts_digest(conflicts: Sequence[Conflict]) -> str:
    """A short fingerprint of the conflicts a page showed, sent back with the officer's override."""
    return hashlib.sha256("\n".join(c.code + c.message for c in conflicts).encode()).hexdigest()[:16]


def sharing_allowed(check: SharingCheck, *, override_reason: str, by: Staff | None, seen: str = "") -> str:
    """Refuse a stay with conflicts unless an IOM officer gave a reason to override them; the
    reason to record ("" when there is nothing to override). A refusal (women or men only)
    is raised on "bedspace"; conflicts without a reason on `OVERRIDE_FIELD`, with code
    "sharing_conflict" and the conflicts' messages in its params. `seen` is the
    `conflicts_digest` of the conflicts the officer was shown, where a page showed them: an
    override of conflicts that have changed since (someone else booked meanwhile) is refused
    with code "sharing_changed", so the override always records what the officer saw."""
    if check.refusals:
        raise ValidationError({"bedspace": [c.message for c in check.refusals]})
    if not check.conflicts:
        return ""
    reason = (override_reason or "").strip()
    messages = [c.message for c in check.conflicts]
    if reason and seen and seen != conflicts_digest(check.conflicts):
        raise ValidationError(
            {
                OVERRIDE_FIELD: ValidationError(
                    _(
                        "Who shares the property has changed since the page was shown. Check the "
                        "conflicts again: %(conflicts)s"
                    ),
                    code="sharing_changed",
                    params={"conflicts": " ".join(messages), "conflict_list": messages},
                )
            }
        )
    if not reason:
        raise ValidationError(
            {
                OVERRIDE_FIELD: ValidationError(
                    _(
                        "This stay conflicts with the property or the people sharing it: %(conflicts)s "
                        "An IOM officer can go ahead anyway by giving the reason."
                    ),
                    code="sharing_conflict",
                    params={"conflicts": " ".join(messages), "conflict_list": messages},
                )
            }
        )
    if not can_user_override_sharing(by):
        raise ValidationError(
            {
                OVERRIDE_FIELD: ValidationError(
                    _("Only an IOM officer can override a sharing conflict."), code="sharing_not_allowed"
                )
            }
        )
    errors = text_length_errors({OVERRIDE_FIELD: reason})
    if errors:
        raise ValidationError(errors)
    return reason


def sharing_override_record(
    *,
    placement: Placement,
    change: str,
    check: SharingCheck,
    starts_on: date,
    ends_on: date,
    reason: str,
    by: Staff,
) -> SharingOverride:
    """Keep an officer's override (in the transaction of the change it allowed)."""
    return SharingOverride.objects.create(
        placement=placement,
        change=change,
        starts_on=starts_on,
        ends_on=ends_on,
        conflicts=[c.message for c in check.conflicts],
        reason=reason,
        decided_by=by,
    )


def override_params(error: ValidationError) -> dict[str, Any] | None:
    """The params of a "sharing_conflict" error in `error` (its conflicts), or None."""
    for item in getattr(error, "error_dict", {}).get(OVERRIDE_FIELD, []):
        if item.code == "sharing_conflict":
            return dict(item.params or {})
    return None
