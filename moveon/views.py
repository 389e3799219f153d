"""Move-on plan pages: the plan's dates, adding an action, changing it, and recording its progress.
The plan itself is shown on the placement's page (`moveon.templatetags.moveon`) and an agency's
own actions on its caseload. Thin: selectors, services and `iom_housing.access`."""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from audit.access import logs_access, saw
from iom_housing.access import (
    agency_of,
    can_user_manage_move_on_plans,
    can_user_record_move_on_actions,
    require,
    supports_placement,
)
from iom_housing.basis import based_form_page
from iom_housing.pages import form_page, found_or_404
from moveon import selectors, services
from moveon.forms import ActionAddForm, ActionEditForm, ActionProgressForm, PlanDatesForm
from moveon.models import MoveOnAction
from placements.models import Placement

planners = require(can_user_manage_move_on_plans)
recorders = require(can_user_record_move_on_actions)


def _placement_or_404(request, public_id) -> Placement:
    return found_or_404(selectors.plan_placement_get, user=request.user, public_id=public_id)


def _back(placement: Placement) -> str:
    return placement.get_absolute_url() + "#move-on-plan"


def _plan_version(placement: Placement) -> int:
    """The basis of the dates page: the plan's version, or 0 while it has none."""
    plan = getattr(placement, "move_on_plan", None)
    return plan.version if plan is not None else 0


def _caption(placement: Placement) -> str:
    return f"{placement.offender.full_name}, {placement.bedspace}"


@planners
@logs_access
def plan_dates(request, public_id):
    placement = _placement_or_404(request, public_id)
    plan = getattr(placement, "move_on_plan", None)
    return based_form_page(
        request,
        form_class=PlanDatesForm,
        record=placement,
        reload=lambda: _placement_or_404(request, public_id),
        basis_of=_plan_version,
        form_kwargs=lambda placement: {
            "initial": {
                "target_on": plan.target_on if plan else None,
                "planned_move_out_on": plan.planned_move_out_on if plan else None,
            }
        },
        action=lambda data, basis: services.plan_dates_set(
            placement_id=placement.pk, by=request.user, expected_version=basis, **data
        ),
        context=lambda placement: {
            "title": _("Move-on dates"),
            "caption": _caption(placement),
            "back_url": _back(placement),
            "placement": placement,
        },
        success_url=_back(placement),
        success_message=_("Move-on dates saved"),
        template="placements/placement_action.html",
    )


def _agencies():
    return Agency.objects.filter(active=True).exclude(kind=Agency.Kind.COMMISSIONER).order_by("name")


def _own_agency(request) -> Agency | None:
    """An agency worker's agency (whose actions are all its own); None for the IOM team."""
    return None if can_user_manage_move_on_plans(request.user) else agency_of(request.user)


@recorders
@logs_access
def action_add(request, public_id):
    today = timezone.localdate()
    placement = _placement_or_404(request, public_id)
    agency = _own_agency(request)
    if (
        agency is not None
        and not Placement.objects.filter(supports_placement(agency.pk, today=today), pk=placement.pk).exists()
    ):
        raise Http404
    return form_page(
        request,
        form_class=ActionAddForm,
        form_kwargs={"agency": agency, "agencies": _agencies()},
        action=lambda data: services.action_add(
            placement_id=placement.pk,
            owner_agency_id=data.pop("owner_agency", None),
            owner_user_id=data.pop("owner_user"),
            by=request.user,
            **data,
        ),
        context={
            "title": _("Add a move-on action"),
            "caption": _caption(placement),
            "back_url": _back(placement),
            "placement": placement,
        },
        success_url=_back(placement),
        success_message=_("Move-on action added"),
    )


def _action_or_404(request, public_id) -> MoveOnAction:
    action = found_or_404(
        selectors.action_get, user=request.user, public_id=public_id, today=timezone.localdate()
    )
    saw(action, people=[action.plan.placement.offender_id])
    return action


def _action_context(action: MoveOnAction, title: str, *, editing: bool = False) -> dict:
    placement = action.plan.placement
    return {
        "title": title,
        "editing": editing,
        "today": timezone.localdate(),
        "caption": _caption(placement),
        "back_url": _back(placement),
        "placement": placement,
        "action": action,
    }


@recorders
@logs_access
def action_edit(request, public_id):
    action = _action_or_404(request, public_id)
    agency = _own_agency(request)
    return based_form_page(
        request,
        form_class=ActionEditForm,
        record=action,
        reload=lambda: _action_or_404(request, public_id),
        form_kwargs=lambda action: {
            "agency": agency,
            "agencies": _agencies(),
            "initial": {
                "kind": action.kind,
                "details": action.details,
                "local_authority": action.local_authority_id or "",
                "applied_on": action.applied_on,
                "owner_agency": str(action.owner_agency_id or ""),
                "owner_user": action.owner_user_id,
                "due_on": action.due_on,
            },
        },
        action=lambda data, basis: services.action_update(
            action_id=action.pk,
            by=request.user,
            expected_version=basis,
            owner_user_id=data.pop("owner_user"),
            **({"owner_agency_id": data.pop("owner_agency")} if "owner_agency" in data else {}),
            **data,
        ),
        context=lambda action: _action_context(action, _("Change the action"), editing=True),
        success_url=_back(action.plan.placement),
        success_message=_("Move-on action saved"),
        template="moveon/action_form.html",
    )


@recorders
@logs_access
def action_progress(request, public_id):
    action = _action_or_404(request, public_id)
    return based_form_page(
        request,
        form_class=ActionProgressForm,
        record=action,
        reload=lambda: _action_or_404(request, public_id),
        form_kwargs=lambda action: {
            "initial": {
                "status": action.status,
                "outcome_on": action.outcome_on,
                "result": action.result,
                "outcome": action.outcome,
                "notes": action.notes,
            }
        },
        action=lambda data, basis: services.action_update(
            action_id=action.pk, by=request.user, expected_version=basis, **data
        ),
        context=lambda action: _action_context(action, _("Record progress")),
        success_url=_back(action.plan.placement),
        success_message=_("Progress saved"),
        template="moveon/action_form.html",
    )
