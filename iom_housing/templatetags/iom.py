"""Template helpers: status tags in GOV.UK colours, choice labels, the overrun flag, and the GOV.UK
table every list page wraps its rows in."""

from functools import cache

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()

# GOV.UK tag colour for each status value used across the apps.
TAG_COLOURS = {
    "submitted": "blue",
    "in_review": "light-blue",
    "accepted": "green",
    "declined": "red",
    "withdrawn": "grey",
    "provisional": "yellow",
    "confirmed": "turquoise",
    "active": "green",
    "ended": "grey",
    "cancelled": "grey",
    "not_arrived": "orange",
    "routine": "grey",
    "urgent": "orange",
    "emergency": "red",
    "low": "green",
    "medium": "yellow",
    "high": "orange",
    "very_high": "red",
    "open": "red",
    "acknowledged": "blue",
    "resolved": "grey",
}


@cache
def _choice_labels(field, language: str | None) -> dict:
    return {value: str(label) for value, label in field.flatchoices}


@register.filter
def choice_label(obj, field_name: str) -> str:
    """`obj.get_<field>_display()` for lists: Django's translates every label of the field on each
    call (it hashes the lazy labels), hundreds of gettext calls on a page of rows; these are
    translated once per field and language."""
    field = obj._meta.get_field(field_name)
    value = getattr(obj, field.attname)
    return _choice_labels(field, get_language()).get(value, value)


@register.simple_tag
def status_tag(obj, field: str = "status"):
    """<strong class="govuk-tag …">Label</strong> for a choice field of `obj`."""
    value = getattr(obj, field)
    label = choice_label(obj, field)
    colour = TAG_COLOURS.get(value, "grey")
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, label)


@register.simple_tag
def overrun_tag(placement, today):
    if placement.is_overrun(today):
        return format_html('<strong class="govuk-tag govuk-tag--red">{}</strong>', _("Overrun"))
    return ""


@register.filter
def option_id(bound_field, position) -> str:
    """The id of a radio or checkbox option: the first carries the field's own id, so that the
    error summary's link (to the field's id) lands on it, as the GOV.UK pattern asks."""
    if int(position) == 1:
        return bound_field.auto_id
    return f"id_{bound_field.html_name}_{position}"


@register.simple_block_tag
def data_table(
    content: str,
    caption: str,
    *headers: str,
    label: str = "",
    table_class: str = "govuk-table",
    numeric: str = "",
) -> SafeString:
    """A GOV.UK table in a scrolling region, captioned for screen readers, its header row from
    `headers` (the 1-based positions in `numeric`, spaced, right-aligned) around `content`, the
    rendered body. One tag per table, never per row."""
    numeric_columns = {int(position) for position in numeric.split()}
    head = format_html_join(
        "\n",
        '    <th scope="col" class="govuk-table__header{}">{}</th>',
        (
            (" govuk-table__header--numeric" if position in numeric_columns else "", header)
            for position, header in enumerate(headers, start=1)
        ),
    )
    return format_html(
        '<div class="app-table-scroll" role="region" aria-label="{}" tabindex="0">\n'
        '<table class="{}">\n'
        '  <caption class="govuk-table__caption govuk-visually-hidden">{}</caption>\n'
        '  <thead class="govuk-table__head"><tr class="govuk-table__row">\n{}\n  </tr></thead>\n'
        '  <tbody class="govuk-table__body">{}</tbody>\n'
        "</table>\n"
        "</div>",
        label or _("Table"),
        table_class,
        caption,
        head,
        content,
    )


@register.filter(is_safe=True)
def title_part(value: str) -> str:
    """A page's own title followed by the separator, or nothing when the page gave no title: the
    base template's <title> reads "Dashboard – Ceredigion IOM housing scheme – IOM Housing".
    Whitespace from the block's layout is collapsed (a title is one line)."""
    words = " ".join(str(value).split())
    return f"{words} – " if words else ""


@register.filter
def html_lang(code: str | None) -> str:
    """The active language as `<html lang>` writes it: "cy", "en-GB"."""
    from iom_housing.i18n import html_lang as tag

    return tag(code)


@register.inclusion_tag("includes/language_switch.html", takes_context=True)
def language_switch(context) -> dict:
    """The header's link to the other language, named in that language (GOV.UK's pattern), back to
    this page. Error pages written without a request go back to the start page."""
    from django.urls import reverse
    from django.utils.http import urlencode

    from iom_housing.i18n import other_language

    other = other_language(get_language())
    request = context.get("request")
    url = reverse("language", args=[other["code"]])
    if request is not None:
        url += "?" + urlencode({"next": request.get_full_path()})
    return {"other": other, "url": url}
