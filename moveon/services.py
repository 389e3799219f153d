"""Every change to a move-on plan, each in one transaction: the plan's dates (target, planned
move-out), adding an action, changing it, and closing it (done with its outcome, or no longer
needed). Each re-checks the placement's overdue-action alerts before it commits.

Who may change what: officers and scheme managers any plan and action; an agency (a worker, or its
case system as `api_client`) only actions its agency owns, on placements it supports today, and
what it adds is its own.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import Agency, ApiClient
from alerts.services import Change, alerts_recheck
from iom_housing.access import (
    Staff,
    active_membership,
    can_user_change_move_on_action,
    can_user_manage_move_on_plans,
    role_of,
)
from iom_housing.basis import ensure_basis, joined
from iom_housing.dates import day
from iom_housing.roles import Role
from iom_housing.services import ensure_status, integrity_errors_as, locked
from moveon.models import (
    CLOSED_STATUSES,
    HOMELESSNESS_KINDS,
    ActionKind,
    ActionResult,
    ActionStatus,
    MoveOnAction,
    MoveOnPlan,
)
from placements.models import LocalAuthority, Placement, SupportAgency

# Changes to a plan are made while the person lives there; an action's outcome may still be
# recorded after they left (a decision letter arriving later).
PLAN_STATUSES = (Placement.Status.ACTIVE,)
ACTION_UPDATE_STATUSES = (Placement.Status.ACTIVE, Placement.Status.ENDED)

CONSTRAINT_ERRORS = {
    "moveonaction_done_has_outcome": ValidationError(
        {"outcome_on": gettext_lazy("Give the outcome date and the result of a done action.")}
    ),
    "moveonaction_outcome_not_before_opened": ValidationError(
        {"outcome_on": gettext_lazy("The outcome date cannot be before the action was added to the plan.")}
    ),
    "moveonaction_other_has_details": ValidationError({"details": gettext_lazy("Say what the action is.")}),
    "moveonaction_homelessness_names_authority": ValidationError(
        {"local_authority": gettext_lazy("Name the local housing authority.")}
    ),
}


def _describe(before: Any, now: Any) -> str:
    """What changed since the form was shown, in a clause: the changed fields by name."""
    if before is None:
        return _("it was changed")
    names = [
        str(field.verbose_name)
        for field in now._meta.concrete_fields
        if field.name not in ("version", "updated_at", "created_at")
        and getattr(before, field.attname, None) != getattr(now, field.attname, None)
    ]
    return joined([_("%(field)s changed") % {"field": name} for name in names]) or _("it was saved again")


def _acting_agency(*, by: Staff | None, api_client: ApiClient | None) -> Agency | None:
    """The agency an agency worker or a case system acts for; None for the IOM team (officers and
    managers), who may change any action."""
    if api_client is not None:
        return api_client.agency
    if can_user_manage_move_on_plans(by):
        return None
    membership = active_membership(by)
    if role_of(by) == Role.AGENCY_WORKER and membership is not None:
        return membership.agency
    raise ValidationError({NON_FIELD_ERRORS: _("You cannot change move-on plans.")}, code="forbidden")


def _ensure_supports(agency: Agency, placement: Placement, today: date) -> None:
    supports = (
        SupportAgency.objects.filter(support_plan__placement=placement, agency=agency)
        .exclude(ended_on__lte=today)
        .exists()
    )
    if not supports:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: _("%(agency)s is not on this placement's support plan.")
                % {"agency": agency.name}
            },
            code="forbidden",
        )


def _locked_placement(placement_id: int, statuses: tuple[str, ...]) -> Placement:
    placement = locked(Placement.objects, placement_id, _("placement"))
    ensure_status(placement, *statuses)
    return placement


def _plan_of(placement: Placement, by: Staff | None) -> MoveOnPlan:
    """The placement's plan, made now if this is its first use (under the placement's row lock,
    so two first uses at once make one plan)."""
    plan, _created = MoveOnPlan.objects.get_or_create(placement=placement, defaults={"created_by": by})
    return plan


def plan_dates_set(
    *,
    placement_id: int,
    target_on: date | None,
    planned_move_out_on: date | None,
    by: Staff,
    expected_version: int | None = None,
) -> MoveOnPlan:
    """Set the plan's target move-on date and, once known, the planned move-out date. Officers and
    managers only. `expected_version` is the plan's version the form showed (0: no plan yet)."""
    if not can_user_manage_move_on_plans(by):
        raise ValidationError(
            {NON_FIELD_ERRORS: _("Only the IOM team sets a plan's dates.")}, code="forbidden"
        )
    today = timezone.localdate()
    with transaction.atomic():
        placement = _locked_placement(placement_id, PLAN_STATUSES)
        plan = MoveOnPlan.objects.select_for_update().filter(placement=placement).first()
        if expected_version is not None:
            if plan is None and expected_version != 0:
                raise ValidationError(
                    _("This plan has changed since you opened the page. Check it and try again.")
                )
            if plan is not None and expected_version == 0:
                raise ValidationError(
                    _(
                        "This plan was started by someone else since you opened the page. Check it and try again."
                    )
                )
            if plan is not None:
                ensure_basis(
                    plan,
                    expected_version,
                    by=by,
                    describe=_describe,
                    done=lambda before, now: (
                        (now.target_on, now.planned_move_out_on) == (target_on, planned_move_out_on)
                    ),
                )
        errors = {}
        arrived_on = placement.arrived_on
        if target_on is not None and arrived_on is not None and target_on <= arrived_on:
            errors["target_on"] = _("The target date must be after the arrival on %(day)s.") % {
                "day": day(arrived_on)
            }
        if planned_move_out_on is not None:
            if planned_move_out_on < today:
                errors["planned_move_out_on"] = _(
                    "The planned move-out date cannot be in the past: if they have left, end the placement."
                )
            elif arrived_on is not None and planned_move_out_on <= arrived_on:
                errors["planned_move_out_on"] = _("The planned move-out date must be after the arrival.")
        if errors:
            raise ValidationError(errors)
        plan = plan or _plan_of(placement, by)
        plan.target_on = target_on
        plan.planned_move_out_on = planned_move_out_on
        plan.save(update_fields=["target_on", "planned_move_out_on", "updated_at"])
    plan.refresh_from_db(fields=["version"])
    return plan


def _clean_action(
    *,
    placement: Placement,
    kind: str,
    details: str,
    local_authority: str | None,
    applied_on: date | None,
    owner_user_id: int | None,
    owner_agency: Agency | None,
    opened_on: date,
    due_on: date | None,
    today: date,
) -> dict[str, str | None]:
    errors: dict[str, str] = {}
    # The authority is one of the list of areas, by its GSS code (never a name typed two ways).
    details, local_authority = details.strip(), (local_authority or "").strip().upper()
    if kind == ActionKind.OTHER and not details:
        errors["details"] = _("Say what the action is.")
    if kind in HOMELESSNESS_KINDS and not local_authority:
        errors["local_authority"] = _("Name the local housing authority.")
    elif local_authority and not LocalAuthority.objects.filter(pk=local_authority).exists():
        errors["local_authority"] = _("Choose the local housing authority from the list of areas.")
    if applied_on is not None and applied_on > today:
        errors["applied_on"] = _("The date applied or referred cannot be in the future.")
    if opened_on > today:
        errors["opened_on"] = _("The date added to the plan cannot be in the future.")
    elif placement.arrived_on is not None and opened_on < placement.arrived_on:
        errors["opened_on"] = _("The action cannot be added before the arrival on %(day)s.") % {
            "day": day(placement.arrived_on)
        }
    if due_on is not None and due_on < opened_on:
        errors["due_on"] = _("The due date cannot be before the action was added to the plan.")
    if owner_user_id is not None:
        membership = active_membership(_user(owner_user_id)) if owner_user_id else None
        if membership is None:
            errors["owner_user"] = _("Choose someone with an active account.")
        elif owner_agency is not None and membership.agency_id != owner_agency.pk:
            errors["owner_user"] = _("Choose someone who works for %(agency)s.") % {
                "agency": owner_agency.name
            }
        elif owner_agency is None and membership.role not in (Role.IOM_OFFICER, Role.SCHEME_MANAGER):
            errors["owner_user"] = _("Choose someone in the IOM team.")
    if errors:
        raise ValidationError(errors)
    return {"details": details, "local_authority_id": local_authority or None}


def _user(pk: int) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.select_related("membership").filter(pk=pk).first()


def action_add(
    *,
    placement_id: int,
    kind: str,
    due_on: date | None = None,
    owner_agency_id: int | None = None,
    owner_user_id: int | None = None,
    details: str = "",
    local_authority: str = "",
    applied_on: date | None = None,
    notes: str = "",
    opened_on: date | None = None,
    by: Staff | None = None,
    api_client: ApiClient | None = None,
) -> MoveOnAction:
    """Put an action on the placement's plan (making the plan if this is its first use). An agency
    adds only its own actions, for a placement it supports: the owner is its agency."""
    today = timezone.localdate()
    with transaction.atomic():
        acting = _acting_agency(by=by, api_client=api_client)
        placement = _locked_placement(placement_id, PLAN_STATUSES)
        if acting is not None:
            _ensure_supports(acting, placement, today)
            owner_agency_id = acting.pk
        owner_agency = Agency.objects.filter(pk=owner_agency_id).first() if owner_agency_id else None
        if owner_agency_id and (owner_agency is None or not owner_agency.active):
            raise ValidationError({"owner_agency": _("Choose an active agency.")})
        opened_on = opened_on or today
        cleaned = _clean_action(
            placement=placement,
            kind=kind,
            details=details,
            local_authority=local_authority,
            applied_on=applied_on,
            owner_user_id=owner_user_id,
            owner_agency=owner_agency,
            opened_on=opened_on,
            due_on=due_on,
            today=today,
        )
        plan = _plan_of(placement, by)
        with integrity_errors_as(CONSTRAINT_ERRORS):
            action = MoveOnAction.objects.create(
                plan=plan,
                kind=kind,
                owner_agency=owner_agency,
                owner_user_id=owner_user_id,
                applied_on=applied_on,
                opened_on=opened_on,
                due_on=due_on,
                notes=notes.strip(),
                created_by=by if getattr(by, "pk", None) else None,
                api_client=api_client,
                **cleaned,
            )
        alerts_recheck(change=Change.MOVEON_ACTION_CHANGED, placement_id=placement.pk, today=today)
    return action


def _current(action: MoveOnAction, name: str) -> Any:
    """The action's value of a field its services take: the authority by its GSS code."""
    return (action.local_authority_id or "") if name == "local_authority" else getattr(action, name)


def _action_for_change(
    action_id: int,
    *,
    by: Staff | None,
    api_client: ApiClient | None,
    expected_version: int | None,
    done: Any = None,
) -> tuple[MoveOnAction, Placement, Agency | None]:
    """The action and its placement, locked (placement first, as every change of it locks), after
    the checks every change of an action makes: who, the stay's status, the basis."""
    today = timezone.localdate()
    acting = _acting_agency(by=by, api_client=api_client)
    placement_id = (
        MoveOnAction.objects.filter(pk=action_id).values_list("plan__placement_id", flat=True).first()
    )
    if placement_id is None:
        raise ValidationError(_("The move-on action was not found."), code="not_found")
    placement = _locked_placement(placement_id, ACTION_UPDATE_STATUSES)
    action = locked(MoveOnAction.objects, action_id, _("move-on action"))
    if acting is not None:
        if action.owner_agency_id != acting.pk:
            raise ValidationError(
                {NON_FIELD_ERRORS: _("Only the action's owner or the IOM team can change it.")},
                code="forbidden",
            )
        _ensure_supports(acting, placement, today)
    elif by is not None and not can_user_change_move_on_action(by, action):
        raise ValidationError({NON_FIELD_ERRORS: _("You cannot change this action.")}, code="forbidden")
    ensure_basis(action, expected_version, by=by, describe=_describe, done=done)
    return action, placement, acting


def _close(
    action: MoveOnAction, *, status: str, outcome_on: date | None, result: str, outcome: str, today: date
) -> None:
    """Set the action's status and, for a closed one, its outcome; an open one has none."""
    errors = {}
    if status in CLOSED_STATUSES:
        outcome_on = outcome_on or (today if status == ActionStatus.NOT_NEEDED else None)
        if outcome_on is None:
            errors["outcome_on"] = _("Give the date of the outcome.")
        elif outcome_on > today:
            errors["outcome_on"] = _("The outcome date cannot be in the future.")
        elif outcome_on < action.opened_on:
            errors["outcome_on"] = _("The outcome date cannot be before the action was added on %(day)s.") % {
                "day": day(action.opened_on)
            }
        if status == ActionStatus.DONE and result not in ActionResult.values:
            errors["result"] = _("Say whether it was successful.")
    if errors:
        raise ValidationError(errors)
    action.status = status
    if status in CLOSED_STATUSES:
        action.outcome_on = outcome_on
        action.result = result if status == ActionStatus.DONE else ""
        action.outcome = outcome.strip()
    else:
        action.outcome_on, action.result = None, ""
        action.outcome = outcome.strip()


def action_update(
    *,
    action_id: int,
    by: Staff | None = None,
    api_client: ApiClient | None = None,
    expected_version: int | None = None,
    **changes: Any,
) -> MoveOnAction:
    """Change an action: any of kind, details, local_authority (a GSS code), applied_on, owner (officers and
    managers only), due_on, notes, and its status with the outcome (`status`, `outcome_on`,
    `result`, `outcome`). Fields not given stay as they are, so a retry sends the same change."""
    today = timezone.localdate()
    allowed = {
        "kind", "details", "local_authority", "applied_on", "owner_agency_id", "owner_user_id",
        "due_on", "notes", "status", "outcome_on", "result", "outcome",
    }  # fmt: skip
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"action_update got unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        action, placement, acting = _action_for_change(
            action_id,
            by=by,
            api_client=api_client,
            expected_version=expected_version,
            done=lambda before, now: all(_current(now, name) == value for name, value in changes.items()),
        )
        if acting is not None and ("owner_agency_id" in changes and changes["owner_agency_id"] != acting.pk):
            raise ValidationError(
                {"owner_agency": _("Only the IOM team can give an action to another owner.")}
            )
        merged = {
            name: changes.get(name, _current(action, name))
            for name in ("kind", "details", "local_authority", "applied_on", "owner_user_id", "due_on")
        }
        owner_agency_id = changes.get("owner_agency_id", action.owner_agency_id)
        owner_agency = Agency.objects.filter(pk=owner_agency_id).first() if owner_agency_id else None
        if owner_agency_id and owner_agency is None:
            raise ValidationError({"owner_agency": _("Choose an active agency.")})
        if merged["due_on"] is not None and merged["due_on"] < action.opened_on:
            raise ValidationError(
                {"due_on": _("The due date cannot be before the action was added to the plan.")}
            )
        cleaned = _clean_action(
            placement=placement,
            owner_agency=owner_agency,
            opened_on=action.opened_on,
            today=today,
            **merged,
        )
        action.kind = merged["kind"]
        action.details = cleaned["details"] or ""
        action.local_authority_id = cleaned["local_authority_id"]
        action.applied_on, action.due_on = merged["applied_on"], merged["due_on"]
        action.owner_agency, action.owner_user_id = owner_agency, merged["owner_user_id"]
        if "notes" in changes:
            action.notes = changes["notes"].strip()
        if any(name in changes for name in ("status", "outcome_on", "result", "outcome")):
            _close(
                action,
                status=changes.get("status", action.status),
                outcome_on=changes.get("outcome_on", action.outcome_on),
                result=changes.get("result", action.result),
                outcome=changes.get("outcome", action.outcome),
                today=today,
            )
        with integrity_errors_as(CONSTRAINT_ERRORS):
            action.save()
        alerts_recheck(change=Change.MOVEON_ACTION_CHANGED, placement_id=placement.pk, today=today)
    action.refresh_from_db(fields=["version"])
    return action


def action_complete(
    *,
    action_id: int,
    outcome_on: date,
    result: str,
    outcome: str = "",
    by: Staff | None = None,
    api_client: ApiClient | None = None,
    expected_version: int | None = None,
) -> MoveOnAction:
    """The action is done: when, whether it succeeded, and the decision in words. Clears its
    overdue alert."""
    return action_update(
        action_id=action_id,
        by=by,
        api_client=api_client,
        expected_version=expected_version,
        status=ActionStatus.DONE,
        outcome_on=outcome_on,
        result=result,
        outcome=outcome,
    )
