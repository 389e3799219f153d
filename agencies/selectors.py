"""Reads for partner agencies: their caseload with each person's visit status, a placement's visit
history with weekly support hours, and single visits. People are scoped by
`iom_housing.access.people_scope`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone

from agencies.models import Agency, HomeVisit, VisitCorrection
from iom_housing.access import Requester, agency_of, can_user_follow_every_agency, people_scope
from placements.models import TIER_WEEKLY_HOURS, Placement, SupportAgency, SupportPlan, SupportTier
from referrals.models import Offender

# Bookings arriving within this many days are on the caseload, so the first visit can be planned.
ARRIVING_WITHIN_DAYS = 7


class VisitState:
    """Where a person on the caseload stands with their visits by the user's agency."""

    OVERDUE = "overdue"
    DUE = "due"
    VISITED = "visited"
    ARRIVING = "arriving"


def _supporting(agency_id: int, today: date) -> QuerySet[SupportAgency]:
    """The agency's place on a placement's support plan, if it supports it today."""
    return SupportAgency.objects.filter(support_plan__placement=OuterRef("pk"), agency_id=agency_id).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=today)
    )


def _visits_by(agency_id: int) -> QuerySet[HomeVisit]:
    """Visits to the placement by the agency, leading or joining a joint visit."""
    return HomeVisit.objects.filter(placement=OuterRef("pk")).filter(
        Q(agency_id=agency_id) | Q(other_agencies=agency_id)
    )


def caseload(*, user: Requester, today: date) -> list[Placement]:
    """The placements the user's agency supports today, overdue visits first (two queries).

    Active placements, and bookings arriving in the next week. Each row carries `last_visit_at`
    (the agency's latest visit), `visit_every_days`, `visit_due_on` (from the last visit, or from
    arrival when there is none) and `visit_state` (a VisitState).
    """
    agency = agency_of(user)
    if agency is None:
        return []
    # Only the caseload's few placements are checked against the scope (by id, below).
    placements = Placement.objects.filter(people_scope(user, "offender", few=True))
    return agency_caseload(agency=agency, today=today, placements=placements)


STATE_ORDER = {VisitState.OVERDUE: 0, VisitState.DUE: 1, VisitState.VISITED: 2, VisitState.ARRIVING: 3}


def agency_caseload(*, agency: Agency, today: date, placements: QuerySet[Placement]) -> list[Placement]:
    """`caseload` for an agency (its case system over the API, or a member of staff), from
    `placements` (already scoped to whoever asks)."""
    visit_every_days = Subquery(
        _supporting(agency.pk, today).values("visit_every_days")[:1], output_field=IntegerField()
    )
    # First the ids: each placement in residence or arriving (a few thousand nationally) checked
    # against its plan by index. As a join, PostgreSQL would read every placement the agency ever
    # supported, which grows with the years.
    ids = list(
        Placement.objects.filter(
            Q(status=Placement.Status.ACTIVE)
            | Q(
                status__in=Placement.BOOKED_STATUSES,
                starts_on__lte=today + timedelta(days=ARRIVING_WITHIN_DAYS),
            )
        )
        .alias(visit_every_days=visit_every_days)
        .filter(visit_every_days__isnull=False)
        .order_by()
        .values_list("pk", flat=True)
    )
    last_visit = _visits_by(agency.pk).order_by("-visited_at").values("visited_at")[:1]
    # Placements with `visit_due_on` and `visit_state` set on each below.
    rows: list[Any] = list(
        placements.filter(pk__in=ids)
        .select_related("offender", "bedspace__property")
        .annotate(last_visit_at=Subquery(last_visit), visit_every_days=visit_every_days)
        .order_by("offender__last_name", "offender__first_name", "pk")
    )
    week_ends = today + timedelta(days=6 - today.weekday())  # Sunday of this week
    for placement in rows:
        last = timezone.localdate(placement.last_visit_at) if placement.last_visit_at else None
        start = last or placement.arrived_on or placement.starts_on
        placement.visit_due_on = start + timedelta(days=placement.visit_every_days)
        if placement.status != Placement.Status.ACTIVE:
            placement.visit_state = VisitState.ARRIVING
        elif placement.visit_due_on < today:
            placement.visit_state = VisitState.OVERDUE
        elif placement.visit_due_on <= week_ends:
            placement.visit_state = VisitState.DUE
        else:
            placement.visit_state = VisitState.VISITED
    # A stable sort: within a state and a due day, names stay in the database's order.
    rows.sort(key=lambda placement: (STATE_ORDER[placement.visit_state], placement.visit_due_on))
    return rows


def visit_placement_get(*, user: Requester, public_id: UUID) -> Placement:
    """The placement a visit is recorded for, with the person and address the form shows, or
    Placement.DoesNotExist (a 404) when the user may not see it."""
    return (
        Placement.objects.filter(people_scope(user, "offender", few=True))
        .select_related("offender", "bedspace__property")
        .get(public_id=public_id)
    )


def visit_list(*, user: Requester, few: bool = False) -> QuerySet[HomeVisit]:
    """Visits to people the user may see, with what a list or a visit's page shows (`few`: see
    `people_scope`)."""
    return (
        HomeVisit.objects.filter(people_scope(user, "placement__offender", few=few))
        .select_related(
            "placement__offender",
            "placement__bedspace__property",
            "agency",
            "recorded_by",
            "recorded_by_client__application",
        )
        .prefetch_related("other_agencies")
    )


def agency_visits(*, agency: Agency) -> QuerySet[HomeVisit]:
    """Visits the agency led or joined: what its case system reads back over the API."""
    joined = HomeVisit.other_agencies.through.objects.filter(homevisit_id=OuterRef("pk"), agency_id=agency.pk)
    return (
        HomeVisit.objects.filter(Q(agency=agency) | Exists(joined))
        .select_related("placement", "agency", "recorded_by", "recorded_by_client__application")
        .prefetch_related("other_agencies")
    )


def visit_get(*, user: Requester, pk: int) -> HomeVisit:
    """One visit with its corrections, or HomeVisit.DoesNotExist (a 404) when the user may not see it."""
    return (
        visit_list(user=user, few=True)
        .prefetch_related(
            Prefetch("corrections", queryset=VisitCorrection.objects.select_related("corrected_by"))
        )
        .get(pk=pk)
    )


# A placement's page shows each agency's latest visits; the rest are on its visits page.
VISITS_SHOWN_PER_AGENCY = 5


@dataclass
class AgencyVisits:
    agency: Agency
    visits: list[HomeVisit]  # the latest VISITS_SHOWN_PER_AGENCY
    total: int = 0


@dataclass
class SupportWeek:
    """One Monday-to-Sunday week of a stay: support hours delivered by every agency against the tier."""

    starts_on: date
    days: int  # days of the week the person was in the placement
    visits: int = 0
    hours: Decimal = Decimal("0")
    target: Decimal | None = None  # the tier's hours, pro rata for a part week; None with no plan
    in_progress: bool = False  # this week, while they are still there: not yet judged

    @property
    def met(self) -> bool | None:
        if self.target is None or self.in_progress:
            return None
        return self.hours >= self.target


@dataclass
class VisitHistory:
    by_agency: list[AgencyVisits] = field(default_factory=list)
    weeks: list[SupportWeek] = field(default_factory=list)
    tier: str = ""
    weekly_hours: Decimal | None = None
    visit_count: int = 0

    @property
    def more(self) -> bool:
        """Visits not shown on the placement's page (on its visits page)."""
        return self.visit_count > sum(len(group.visits) for group in self.by_agency)

    @property
    def completed_weeks(self) -> list[SupportWeek]:
        return [week for week in self.weeks if not week.in_progress]

    @property
    def hours(self) -> Decimal:
        """Hours delivered in the completed weeks."""
        return sum((week.hours for week in self.completed_weeks), Decimal("0"))

    @property
    def target(self) -> Decimal | None:
        """The tier's hours over the completed weeks."""
        if self.weekly_hours is None:
            return None
        return sum((week.target or Decimal("0") for week in self.completed_weeks), Decimal("0"))


def _support_weeks(
    placement: Placement, by_day: list[dict[str, Any]], today: date, weekly: Decimal | None
) -> list[SupportWeek]:
    if not placement.arrived_on:
        return []
    first = placement.arrived_on
    this_monday = today - timedelta(days=today.weekday())
    # Up to and including the departure day; while they are still there, to the end of this week.
    last = placement.departed_on or this_monday + timedelta(days=6)
    weeks: dict[date, SupportWeek] = {}
    monday = first - timedelta(days=first.weekday())
    while monday <= last:
        days = (min(monday + timedelta(days=6), last) - max(monday, first)).days + 1
        target = None
        if weekly is not None:
            target = (weekly * days / 7).quantize(Decimal("0.1"))
        weeks[monday] = SupportWeek(
            starts_on=monday,
            days=days,
            target=target,
            in_progress=placement.departed_on is None and monday == this_monday,
        )
        monday += timedelta(days=7)
    for row in by_day:
        week = weeks.get(row["day"] - timedelta(days=row["day"].weekday()))
        if week is not None:
            week.visits += row["visits"]
            week.hours += row["hours"]
    return sorted(weeks.values(), key=lambda week: week.starts_on, reverse=True)


def visit_history(*, user: Requester, placement: Placement, today: date | None = None) -> VisitHistory:
    """Each agency's latest visits to the placement with its count of them, and support hours per
    week against the tier.

    Four queries whatever the number of visits: the latest visits (ranked by the database), their
    joint agencies, the count and hours by day, the plan.
    """
    today = today or timezone.localdate()
    visits = HomeVisit.objects.filter(
        people_scope(user, "placement__offender", few=True), placement=placement
    )
    by_agency = F("agency_id")
    latest = list(
        visits.annotate(
            rank=Window(
                RowNumber(), partition_by=by_agency, order_by=[F("visited_at").desc(), F("pk").desc()]
            ),
            agency_total=Window(Count("pk"), partition_by=by_agency),
        )
        .filter(rank__lte=VISITS_SHOWN_PER_AGENCY)
        .select_related("agency")
        .prefetch_related("other_agencies")
        .order_by("agency__name", "agency_id", "-visited_at", "-pk")
    )
    by_day = list(
        visits.annotate(day=TruncDate("visited_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(visits=Count("pk"), hours=Sum("support_hours"))
        .order_by()
    )
    plan = SupportPlan.objects.filter(placement=placement).only("tier").first()
    weekly = TIER_WEEKLY_HOURS[SupportTier(plan.tier)] if plan else None
    history = VisitHistory(
        tier=plan.get_tier_display() if plan else "",
        weekly_hours=weekly,
        visit_count=sum(row["visits"] for row in by_day),
        weeks=_support_weeks(placement, by_day, today, weekly),
    )
    for visit in latest:
        if not history.by_agency or history.by_agency[-1].agency.pk != visit.agency_id:
            history.by_agency.append(AgencyVisits(agency=visit.agency, visits=[], total=visit.agency_total))
        history.by_agency[-1].visits.append(visit)
    return history


def placement_visits(*, user: Requester, placement: Placement) -> QuerySet[HomeVisit]:
    """Every visit to the placement the user may see, newest first, for its visits page."""
    return (
        HomeVisit.objects.filter(people_scope(user, "placement__offender", few=True), placement=placement)
        .select_related("agency")
        .prefetch_related("other_agencies")
        .order_by("-visited_at", "-pk")
    )


@dataclass
class DueVisit:
    """A visit an agency owes a person in residence: planned (the date its last visit gave as the
    next) or, with none planned, due by the support plan's frequency."""

    placement: Placement
    agency: Agency
    due_on: date
    planned: bool
    planned_by: str  # who recorded the visit that planned it ("" when not planned)
    last_visit_at: Any  # datetime | None

    def is_overdue(self, today: date) -> bool:
        return self.due_on < today


@dataclass(frozen=True)
class _Due:
    """One row of `DueVisits`: what orders, groups and counts it, without its records."""

    placement_id: int
    agency_id: int
    due_on: date
    planned: bool
    planned_by: str
    last_visit_at: Any


class DueVisits:
    """The visits due, in order, as Django's Paginator pages them: `len()` and the group counts
    come from the one query that found them all (a few small columns a row); slicing fetches the
    records shown for that page only (one query for its placements, one for its agencies)."""

    def __init__(self, rows: list[_Due]):
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    def count_before(self, day: date) -> int:
        return sum(1 for row in self._rows if row.due_on < day)

    def count_between(self, first: date, last: date) -> int:
        return sum(1 for row in self._rows if first <= row.due_on <= last)

    def __getitem__(self, window: slice) -> list[DueVisit]:
        rows = self._rows[window]
        placements = Placement.objects.select_related("offender", "bedspace__property").in_bulk(
            {row.placement_id for row in rows}
        )
        agencies = Agency.objects.in_bulk({row.agency_id for row in rows})
        return [
            DueVisit(
                placement=placements[row.placement_id],
                agency=agencies[row.agency_id],
                due_on=row.due_on,
                planned=row.planned,
                planned_by=row.planned_by,
                last_visit_at=row.last_visit_at,
            )
            for row in rows
        ]


def _due_sql() -> str:
    """The visits due (see `visits_due`), from the scoped support rows of the first parameter (an
    id query) and `%s` in order: the time zone, the last day shown, then the planner (or NULL).

    The last visit by each agency, leading or joining it, is one LATERAL probe of each index (the
    agency's own visits to the placement, and the joint ones), rather than an OR across the joint
    visits' table for every column read."""
    visit = HomeVisit._meta.db_table
    joint = HomeVisit.other_agencies.through._meta.db_table
    last = "SELECT v.id, v.visited_at, v.next_visit_on, v.recorded_by_id FROM {visit} v"
    order = "ORDER BY v.visited_at DESC, v.id DESC LIMIT 1"
    return f"""
    SELECT due.placement_id, due.agency_id, due.due_on, due.planned,
           COALESCE(NULLIF(TRIM(u.first_name || ' ' || u.last_name), ''), u.username, '') AS planned_by,
           due.visited_at
    FROM (
        SELECT sp.placement_id, sa.agency_id, sa.id, last.visited_at,
               last.next_visit_on IS NOT NULL AS planned,
               CASE WHEN last.next_visit_on IS NOT NULL THEN last.recorded_by_id END AS planner_id,
               COALESCE(last.next_visit_on,
                        COALESCE((last.visited_at AT TIME ZONE %s)::date, p.arrived_on, p.starts_on)
                        + sa.visit_every_days) AS due_on
        FROM {SupportAgency._meta.db_table} sa
        JOIN {SupportPlan._meta.db_table} sp ON sp.id = sa.support_plan_id
        JOIN {Placement._meta.db_table} p ON p.id = sp.placement_id
        LEFT JOIN LATERAL (
            SELECT * FROM (
                ({last.format(visit=visit)}
                 WHERE v.placement_id = sp.placement_id AND v.agency_id = sa.agency_id {order})
                UNION ALL
                ({last.format(visit=visit)}
                 WHERE v.placement_id = sp.placement_id
                   AND EXISTS (SELECT 1 FROM {joint} j WHERE j.homevisit_id = v.id AND j.agency_id = sa.agency_id)
                 {order})
            ) v {order}
        ) last ON true
        WHERE sa.id IN ({{scoped}})
    ) due
    JOIN {Agency._meta.db_table} a ON a.id = due.agency_id
    JOIN {Placement._meta.db_table} p ON p.id = due.placement_id
    JOIN {Offender._meta.db_table} o ON o.id = p.offender_id
    LEFT JOIN {get_user_model()._meta.db_table} u ON u.id = due.planner_id
    WHERE due.due_on <= %s AND (%s::bigint IS NULL OR due.planner_id = %s::bigint)
    ORDER BY due.due_on, a.name, o.last_name, due.id"""  # noqa: S608 (the models' own table names; every value a parameter)


def visits_due(
    *, user: Requester, today: date, agency_id: int | None = None, worker_id: int | None = None
) -> DueVisits:
    """The visits due to people in residence up to the end of next week (Sunday), overdue first,
    then by day: one row for each agency on each support plan. An agency's staff see only their
    agency's; officers and managers every agency's, or `agency_id`'s. `worker_id`: only the visits
    that member of staff planned. One query finds them all; each page shown costs two more."""
    if not can_user_follow_every_agency(user):
        own = agency_of(user)
        if own is None:
            return DueVisits([])
        agency_id = own.pk
    supports = SupportAgency.objects.filter(
        people_scope(user, "support_plan__placement__offender"),
        support_plan__placement__status=Placement.Status.ACTIVE,
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
    if agency_id is not None:
        supports = supports.filter(agency_id=agency_id)
    scoped, scoped_params = supports.values("pk").query.sql_with_params()
    until = today + timedelta(days=13 - today.weekday())  # Sunday of next week
    sql = _due_sql()
    before, after = sql.split("{scoped}")
    params = [str(timezone.get_current_timezone()), *scoped_params, until, worker_id, worker_id]
    with connection.cursor() as cursor:
        cursor.execute(before + scoped + after, params)
        return DueVisits([_Due(*row) for row in cursor.fetchall()])


def staff_list(
    *, user: Requester, role: str = "", agency_id: int | None = None, switched_off: bool = False
) -> QuerySet[Any]:
    """The scheme's staff accounts for its users pages (scheme managers only; no one else's
    business): each with their membership and agency, and whether they have set up two-factor
    authentication, in one query. Switched-off accounts only when asked for."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from iom_housing.access import can_user_manage_staff

    User = get_user_model()
    if not can_user_manage_staff(user):
        return User.objects.none()
    accounts = (
        User.objects.select_related("membership__agency")
        .annotate(two_factor=Exists(TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True)))
        .order_by("last_name", "first_name", "username")
    )
    if not switched_off:
        accounts = accounts.filter(is_active=True)
    if role:
        accounts = accounts.filter(membership__role=role)
    if agency_id:
        accounts = accounts.filter(membership__agency_id=agency_id)
    return accounts


def staff_account(*, user: Requester, pk: int) -> Any:
    """One account for the users pages (DoesNotExist for anyone but a scheme manager)."""
    return staff_list(user=user, switched_off=True).get(pk=pk)
