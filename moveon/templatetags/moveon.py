"""The move-on plan on a placement's page (a GOV.UK task list), and the action status tags."""

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from iom_housing.access import (
    can_user_change_move_on_action,
    can_user_manage_move_on_plans,
    move_on_action_scope,
)
from moveon import selectors
from moveon.models import ActionStatus, MoveOnAction

register = template.Library()

# GOV.UK task list: grey for not started, light blue for in progress, green for done.
STATUS_COLOURS = {
    ActionStatus.NOT_STARTED: "grey",
    ActionStatus.IN_PROGRESS: "light-blue",
    ActionStatus.DONE: "green",
    ActionStatus.NOT_NEEDED: "grey",
}


@register.simple_tag
def action_status_tag(action: MoveOnAction, today):
    """The action's status, or "Overdue" (red) for an open action past its due date."""
    if action.is_overdue(today):
        return format_html('<strong class="govuk-tag govuk-tag--red">{}</strong>', _("Overdue"))
    return format_html(
        '<strong class="govuk-tag govuk-tag--{}">{}</strong>',
        STATUS_COLOURS[ActionStatus(action.status)],
        action.get_status_display(),
    )


@register.inclusion_tag("moveon/includes/plan.html", takes_context=True)
def move_on_plan(context, placement):
    """The plan of a placement the page has already fetched for the user (its scoped selector)."""
    user = context["request"].user
    today = timezone.localdate()
    view = selectors.plan_for(placement=placement)
    may_manage = can_user_manage_move_on_plans(user)
    changeable: set[int] = set()
    if view.actions:
        if may_manage:
            changeable = {action.pk for action in view.actions}
        else:
            # One query: which of these the user's agency may change (its own, on a stay it supports).
            mine = [action for action in view.actions if can_user_change_move_on_action(user, action)]
            if mine:
                changeable = set(
                    MoveOnAction.objects.filter(
                        move_on_action_scope(user, today=today), pk__in=[a.pk for a in mine]
                    ).values_list("pk", flat=True)
                )
    may_add = placement.status == placement.Status.ACTIVE and (
        may_manage or bool(changeable) or _supports(user, placement, today)
    )
    return {
        "placement": placement,
        "plan": view.plan,
        "actions": view.actions,
        "open_count": view.open_count,
        "done_count": view.done_count,
        "changeable": changeable,
        "may_manage": may_manage and placement.status == placement.Status.ACTIVE,
        "may_add": may_add,
        "today": today,
        "started": placement.arrived_on is not None,
    }


def _supports(user, placement, today) -> bool:
    from iom_housing.access import agency_of, can_user_record_move_on_actions, supports_placement
    from placements.models import Placement

    agency = agency_of(user)
    if agency is None or not can_user_record_move_on_actions(user):
        return False
    return Placement.objects.filter(supports_placement(agency.pk, today=today), pk=placement.pk).exists()
