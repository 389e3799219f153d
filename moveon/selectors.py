"""Reads of move-on plans and actions, scoped to whoever asks: a placement's plan for its page,
an action to change (by `iom_housing.access.move_on_action_scope`), an agency's actions on its
caseload and over the API, and the planned move-outs for the dashboard."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from django.db.models import F, OuterRef, QuerySet, Subquery

from agencies.models import Agency
from iom_housing.access import Requester, move_on_action_scope, people_scope, supports_placement
from moveon.models import CLOSED_STATUSES, OPEN_STATUSES, ActionStatus, MoveOnAction, MoveOnPlan
from placements.models import Placement


@dataclass
class PlanView:
    """A placement's plan as its page shows it: the plan (None until first used) and its actions,
    open ones first by due date."""

    placement: Placement
    plan: MoveOnPlan | None
    actions: list[MoveOnAction] = field(default_factory=list)

    @property
    def open_count(self) -> int:
        return sum(1 for action in self.actions if action.status in OPEN_STATUSES)

    @property
    def done_count(self) -> int:
        return sum(1 for action in self.actions if action.status == ActionStatus.DONE)


def _actions() -> QuerySet[MoveOnAction]:
    """Actions with their owners, and `offender_id` (the person's id: what the access log notes
    of each row, `audit.access.offender_ids_of`)."""
    return MoveOnAction.objects.select_related("owner_agency", "owner_user", "local_authority").annotate(
        offender_id=F("plan__placement__offender_id")
    )


def _ordered(actions: list[MoveOnAction]) -> list[MoveOnAction]:
    """Open actions first (soonest due first, undated last), then closed ones, latest first."""
    open_ = sorted(
        (a for a in actions if a.status in OPEN_STATUSES), key=lambda a: (a.due_on is None, a.due_on, a.pk)
    )
    closed = sorted((a for a in actions if a.status in CLOSED_STATUSES), key=lambda a: (a.outcome_on, a.pk))
    return open_ + closed[::-1]


def plan_for(*, placement: Placement) -> PlanView:
    """The plan of a placement the caller has already fetched through its scoped selector (two
    queries: the plan, its actions)."""
    plan = MoveOnPlan.objects.filter(placement=placement).first()
    actions = list(_actions().filter(plan=plan)) if plan is not None else []
    return PlanView(placement=placement, plan=plan, actions=_ordered(actions))


def plan_placement_get(*, user: Requester, public_id: UUID) -> Placement:
    """The placement whose plan is changed or added to, with what the form shows, or
    Placement.DoesNotExist (a 404) when the user may not see it."""
    return (
        Placement.objects.filter(people_scope(user, "offender", few=True))
        .select_related("offender", "bedspace__property", "move_on_plan")
        .get(public_id=public_id)
    )


def action_get(*, user: Requester, public_id: UUID, today: date) -> MoveOnAction:
    """An action the user may change (`move_on_action_scope`), or MoveOnAction.DoesNotExist (a
    404): another agency's action, or one of someone the agency no longer supports, is not there
    for it."""
    return (
        _actions()
        .filter(move_on_action_scope(user, today=today))
        .select_related("plan__placement__offender", "plan__placement__bedspace__property")
        .get(public_id=public_id)
    )


def agency_actions(*, agency: Agency, today: date) -> QuerySet[MoveOnAction]:
    """Every action the agency owns on placements it supports today (its case system's list).

    Whether the agency supports an action's placement is asked of each row on its own (a probe
    of the placement's support plan by index), as the agency's rows come off its part of
    `moveonaction_owner_changed_idx`, so a page reads about a page of rows. Asked as a join,
    PostgreSQL takes "owned by the agency" and "on a placement it supports" for independent,
    expects one row of the agency's thousands and so builds and sorts them all (95 ms for a
    national agency instead of 1), when nearly every one qualifies: an agency adds actions only
    to placements it supports."""
    supported = (
        Placement.objects.filter(
            supports_placement(agency.pk, today=today), pk=OuterRef("plan__placement_id")
        )
        .order_by()
        .values("pk")
    )
    return (
        _actions()
        .filter(owner_agency=agency)
        .alias(supported=Subquery(supported))
        .filter(supported__isnull=False)
        .select_related("plan__placement")
    )


def action_list(*, user: Requester, today: date) -> QuerySet[MoveOnAction]:
    """The actions a member of staff browsing the API may see: those they may change."""
    return _actions().filter(move_on_action_scope(user, today=today)).select_related("plan__placement")


def caseload_actions(*, agency: Agency | None, placement_ids: list[int]) -> dict[int, list[MoveOnAction]]:
    """The agency's own actions on each of the caseload's placements, by placement id (one query
    whatever the caseload's length)."""
    if agency is None or not placement_ids:
        return {}
    by_placement: dict[int, list[MoveOnAction]] = {}
    for action in MoveOnAction.objects.filter(
        owner_agency=agency, plan__placement_id__in=placement_ids
    ).select_related("plan"):
        by_placement.setdefault(action.plan.placement_id, []).append(action)
    return {pk: _ordered(actions) for pk, actions in by_placement.items()}


# Planned move-out within this many days is listed on the dashboard.
MOVING_OUT_WITHIN_DAYS = 28


def planned_move_outs(
    *, user: Requester, today: date, within_days: int = MOVING_OUT_WITHIN_DAYS
) -> QuerySet[Placement]:
    """Active placements with a planned move-out date from today to `within_days` ahead, soonest
    first: the dashboard's list, and the beds that will be free once they have actually left."""
    return (
        Placement.objects.filter(people_scope(user, "offender"))
        .filter(
            status=Placement.Status.ACTIVE,
            move_on_plan__planned_move_out_on__gte=today,
            move_on_plan__planned_move_out_on__lte=today + timedelta(days=within_days),
        )
        .select_related("offender", "bedspace__property", "move_on_plan")
        .order_by("move_on_plan__planned_move_out_on", "pk")
    )
