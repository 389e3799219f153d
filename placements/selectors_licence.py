"""Reads for the licence to occupy: a placement's terms with their agreements, the person's own
conditions, warnings and any ending for a breach (a few queries whatever their number), and the
notices to leave in force, scoped to the user by `iom_housing.access.people_scope`."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from iom_housing.access import Requester, people_scope
from placements.models import (
    BreachEndingKind,
    LicenceBreachEnding,
    LicenceTerm,
    LicenceWarning,
    LicenceWording,
    PersonCondition,
    Placement,
)


@dataclass
class PlacementLicence:
    terms: list[LicenceTerm]
    conditions: list[PersonCondition]
    removed_conditions: list[PersonCondition]
    warnings: list[LicenceWarning]
    breach_ending: LicenceBreachEnding | None

    @property
    def notice_in_force(self) -> LicenceBreachEnding | None:
        ending = self.breach_ending
        if (
            ending is not None
            and ending.kind == BreachEndingKind.NOTICE
            and ending.placement.status == Placement.Status.ACTIVE
        ):
            return ending
        return None


def placement_licence(*, placement: Placement) -> PlacementLicence:
    """The licence side of a placement already found by a scoped selector: four queries."""
    terms = list(
        LicenceTerm.objects.filter(placement=placement)
        .select_related("agreement__wording", "agreement__recorded_by")
        .order_by("number")
    )
    conditions = list(PersonCondition.objects.filter(placement=placement).order_by("added_at", "pk"))
    warnings = list(
        LicenceWarning.objects.filter(placement=placement)
        .select_related("issued_by")
        .order_by("-issued_on", "-pk")
    )
    ending = (
        LicenceBreachEnding.objects.filter(placement=placement)
        .select_related("decided_by")
        .prefetch_related(Prefetch("warnings", queryset=LicenceWarning.objects.order_by("issued_on", "pk")))
        .first()
    )
    if ending is not None:
        ending.placement = placement
    return PlacementLicence(
        terms=terms,
        conditions=[c for c in conditions if c.removed_at is None],
        removed_conditions=[c for c in conditions if c.removed_at is not None],
        warnings=warnings,
        breach_ending=ending,
    )


def notices_in_force(*, user: Requester) -> QuerySet[LicenceBreachEnding]:
    """Licences under notice to end for a breach whose person has not left yet, soonest first."""
    return (
        LicenceBreachEnding.objects.filter(people_scope(user, "placement__offender"))
        .filter(kind=BreachEndingKind.NOTICE, placement__status=Placement.Status.ACTIVE)
        .select_related("placement__offender", "placement__bedspace__property")
        .order_by("leave_by", "pk")
    )


def wording_versions() -> QuerySet[LicenceWording]:
    return LicenceWording.objects.select_related("created_by").order_by("-version")
