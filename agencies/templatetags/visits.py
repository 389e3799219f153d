"""Visit helpers for templates: the visit history on a placement's page, the caseload's visit-state
tag, support hours as people write them, and a correction's changes in words."""

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from django import forms, template
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from agencies import selectors, services
from agencies.models import HomeVisit
from iom_housing.access import agency_of, can_user_record_visits
from iom_housing.dates import day, day_time

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


@lru_cache
def _every_days(days: int, language: str) -> str:
    return ngettext("Every day", "Every %(days)s days", days) % {"days": days}


@register.filter
def every_days(days: int) -> str:
    """Every 7 days: the same few values on every row of a caseload, translated once each."""
    return _every_days(days, get_language())


@register.filter
def hours(value) -> str:
    """1.50 → "1.5", 2.00 → "2"."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value).normalize():f}"


def _as_strings(value) -> list[str]:
    """A multiple-choice field's value as strings, to tick its checkboxes."""
    if value is None or isinstance(value, str):
        return [] if not value else [value]
    return [str(item) for item in value]


CHOICE_ITEM = (
    '<div class="govuk-{kind}__item">'
    '<input class="govuk-{kind}__input" id="{id}" name="{name}" type="{type}" value="{value}"{checked}>'
    '<label class="govuk-label govuk-{kind}__label" for="{id}">{label}</label>'
    "</div>"
)


@register.filter
def choice_items(field) -> str:
    """The GOV.UK radios or checkboxes items of a choice field, built here in one pass rather than
    by a template loop: the joint-visit list names every agency in the country. The first input
    carries the field's own id, so that the error summary's link lands on it."""
    checkboxes = isinstance(field.field.widget, forms.CheckboxSelectMultiple)
    current = field.value()
    selected = set(_as_strings(current)) if checkboxes else {str(current)}
    kind, input_type = ("checkboxes", "checkbox") if checkboxes else ("radios", "radio")
    checked = mark_safe(" checked")  # noqa: S308 -- a constant
    return format_html_join(
        "\n",
        CHOICE_ITEM,
        (
            {
                "kind": kind,
                "id": field.auto_id if number == 1 else f"{field.auto_id}_{number}",
                "name": field.html_name,
                "type": input_type,
                "value": str(value),
                "checked": checked if str(value) in selected else "",
                "label": label,
            }
            for number, (value, label) in enumerate(field.field.choices, start=1)
        ),
    )


@register.filter
def yes_no(value) -> str:
    return {True: _("Yes"), False: _("No")}.get(value, _("Not checked"))


def _describe(name: str, value) -> str:
    """A stored value (see `agencies.services._stored`) in words."""
    if value in (None, "", []):
        return "–"
    if name == "visited_at":
        return day_time(datetime.fromisoformat(value))
    if name == "next_visit_on":
        return day(date.fromisoformat(value))
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
