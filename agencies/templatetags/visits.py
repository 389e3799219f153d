"""Visit helpers for templates: the visit history on a placement's page, the caseload's visit-state
tag, support hours as people write them, and a correction's changes in words."""

from datetime import date, datetime
from decimal import Decimal

from django import template
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext as _

from agencies import selectors, services
from agencies.models import HomeVisit
from iom_housing.access import agency_of, can_user_record_visits

register = template.Library()

VISIT_STATES = {
    selectors.VisitState.OVERDUE: ("red", lambda: _("Overdue")),
    selectors.VisitState.DUE: ("yellow", lambda: _("Due this week")),
    selectors.VisitState.VISITED: ("green", lambda: _("Visited")),
    selectors.VisitState.ARRIVING: ("blue", lambda: _("Arriving soon")),
}


def _may_record(user, placement) -> bool:
    if not can_user_record_visits(user):
        return False
    try:
        services.ensure_may_record(placement=placement, agency=agency_of(user), by=user, on=None)
    except ValidationError:
        return False
    return True


@register.inclusion_tag("agencies/includes/visit_history.html", takes_context=True)
def visit_history(context, placement):
    request = context["request"]
    return {
        "placement": placement,
        "request": request,
        "history": selectors.visit_history(user=request.user, placement=placement),
        "can_record": _may_record(request.user, placement),
    }


@register.simple_tag
def visit_state_tag(placement):
    colour, label = VISIT_STATES[placement.visit_state]
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, label())


@register.filter
def hours(value) -> str:
    """1.50 → "1.5", 2.00 → "2"."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value).normalize():f}"


@register.filter
def as_strings(value) -> list[str]:
    """A multiple-choice field's value as strings, to tick its checkboxes."""
    if value is None or isinstance(value, str):
        return [] if not value else [value]
    return [str(item) for item in value]


@register.filter
def yes_no(value) -> str:
    return {True: _("Yes"), False: _("No")}.get(value, _("Not checked"))


def _describe(name: str, value) -> str:
    """A stored value (see `agencies.services._stored`) in words."""
    if value in (None, "", []):
        return "–"
    if name == "visited_at":
        return formats.date_format(datetime.fromisoformat(value), "j F Y, H:i")
    if name == "next_visit_on":
        return formats.date_format(date.fromisoformat(value), "j F Y")
    if name in ("property_in_good_order", "concern_raised"):
        return yes_no(value)
    if name == "support_hours":
        return hours(value)
    if name == "other_agencies":
        return ", ".join(value)
    field = HomeVisit._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


@register.filter
def correction_rows(correction) -> list[tuple[str, str, str]]:
    """(what, before, after) for each change of a correction, in the order the form asks."""
    order = [*services.VISIT_FIELDS, "other_agencies"]
    rows = []
    for name in sorted(correction.changes, key=lambda n: order.index(n) if n in order else len(order)):
        before, after = correction.changes[name]
        label = (
            _("other agencies on the visit")
            if name == "other_agencies"
            else HomeVisit._meta.get_field(name).verbose_name
        )
        rows.append((str(label).capitalize(), _describe(name, before), _describe(name, after)))
    return rows
