"""Visit history on a placement's page (filled in by the partner-agency work)."""

from django import template

register = template.Library()


@register.inclusion_tag("agencies/includes/visit_history.html", takes_context=True)
def visit_history(context, placement):
    return {"placement": placement, "request": context.get("request")}
