"""The scheme managers' changes to the stock: adding and changing properties and their bedspaces,
and taking them out of use. One function each, in one transaction with the row locked; each
change is in the record's history (audit.models tracks both tables, with who made it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from iom_housing.access import Staff, can_user_manage_properties
from iom_housing.dates import day
from iom_housing.services import integrity_errors_as, locked
from placements.models import Bedspace, Placement, Property
from placements.selectors import STAYING_STATUSES


def _constraint_errors() -> dict[str, ValidationError]:
    """The database's last line, for a change that raced past the model's checks: said as a
    person can act on it, by the field, never the constraint's name."""
    return {
        "Key (name)=": ValidationError({"name": _("There is already a property with this name")}),
        "property_weekly_cost_not_negative": ValidationError(
            {"weekly_cost": _("The weekly cost cannot be less than £0")}
        ),
        "property_turnaround_at_most_20": ValidationError(
            {"turnaround_days": _("The turnaround must be 20 working days or fewer")}
        ),
        "bedspace_label_unique_per_property": ValidationError(
            {
                "label": _(
                    "This property already has a bedspace with this label. Give each bedspace its own label."
                )
            }
        ),
    }


def _ensure_manager(by: Staff) -> None:
    if not can_user_manage_properties(by):
        raise ValidationError(_("Only a scheme manager can change the properties."), code="forbidden")


def _still_booked(bedspaces: Any) -> str | None:
    """What holds one of `bedspaces` from today: a stay or a booking not yet ended, said as a
    reason the bedspace cannot be taken out of use; None if nothing does."""
    today = timezone.localdate()
    booking = (
        Placement.objects.filter(bedspace__in=bedspaces, status__in=STAYING_STATUSES, ends_on__gt=today)
        .select_related("bedspace")
        .order_by("-ends_on")
        .first()
    )
    if booking is None:
        return None
    return _("%(bedspace)s is booked or lived in until %(day)s: move, end or cancel that first") % {
        "bedspace": booking.bedspace.label,
        "day": day(booking.ends_on),
    }


# The details a scheme manager gives a property (the property form asks for these, in this order).
PROPERTY_FIELDS = (
    "name",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "local_authority",
    "provider",
    "weekly_cost",
    "restriction",
    "accessible",
    "unsuitable_for_sexual_risk",
    "unsuitable_for_arson",
    "near_school",
    "turnaround_days",
    "notes",
    "active",
)


def _set_property(property_: Property, data: Mapping[str, Any]) -> None:
    unknown = set(data) - set(PROPERTY_FIELDS)
    if unknown:
        raise TypeError(f"property fields not known: {sorted(unknown)}")
    for name, value in data.items():
        setattr(property_, name, value.strip() if isinstance(value, str) else value)
    # The model's own checks, with their messages by the field: a UK postcode (normalised),
    # a unique name, a cost of £0 or more, a turnaround of 20 working days at most.
    property_.full_clean()


def property_add(*, data: Mapping[str, Any], by: Staff) -> Property:
    """Add a property (its bedspaces are added after, on its page)."""
    _ensure_manager(by)
    with integrity_errors_as(_constraint_errors()), transaction.atomic():
        property_ = Property()
        _set_property(property_, data)
        property_.save()
    return property_


def property_update(*, property_id: int, data: Mapping[str, Any], by: Staff) -> Property:
    """Change a property's details. Taking it out of use is refused while one of its bedspaces
    is booked or lived in, which would leave a booking in a property no one can book."""
    _ensure_manager(by)
    with integrity_errors_as(_constraint_errors()), transaction.atomic():
        property_ = locked(Property.objects, property_id, _("property"))
        was_active = property_.active
        _set_property(property_, data)
        if was_active and not property_.active:
            held = _still_booked(Bedspace.objects.filter(property=property_))
            if held:
                raise ValidationError({"active": held})
        property_.save()
    return property_


def bedspace_add(*, property_id: int, label: str, by: Staff, active: bool = True) -> Bedspace:
    _ensure_manager(by)
    with integrity_errors_as(_constraint_errors()), transaction.atomic():
        property_ = locked(Property.objects, property_id, _("property"))
        bedspace = Bedspace(property=property_, label=label.strip(), active=active)
        bedspace.full_clean()
        bedspace.save()
    return bedspace


def bedspace_update(*, bedspace_id: int, label: str, active: bool, by: Staff) -> Bedspace:
    """Rename a bedspace, or take it out of use (not offered when booking, from today on, for
    good or until put back) or back. A bedspace out of use for a while is a void period instead."""
    _ensure_manager(by)
    with integrity_errors_as(_constraint_errors()), transaction.atomic():
        bedspace = locked(Bedspace.objects.select_related("property"), bedspace_id, _("bedspace"))
        if bedspace.active and not active:
            held = _still_booked([bedspace])
            if held:
                raise ValidationError({"active": held})
        bedspace.label, bedspace.active = label.strip(), active
        bedspace.full_clean()
        bedspace.save()
    return bedspace
