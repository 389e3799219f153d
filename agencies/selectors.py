"""Reads for partner agencies: their caseload with each person's visit status, a placement's visit
history with weekly support hours, and single visits. People are scoped by
`iom_housing.access.people_scope` (directly or through `placements.selectors.placement_list`)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from agencies.models import Agency, HomeVisit, VisitCorrection
from iom_housing.access import agency_of, people_scope
from placements.models import TIER_WEEKLY_HOURS, Placement, SupportAgency, SupportPlan, SupportTier
from placements.selectors import placement_list

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


def caseload(*, user, today: date) -> QuerySet[Placement]:
    """The placements the user's agency supports today, overdue visits first, in one query.

    Active placements, and bookings arriving in the next week. Each row carries `last_visit_at`
    (the agency's latest visit), `visit_every_days`, `visit_due_on` (from the last visit, or from
    arrival when there is none) and `visit_state` (a VisitState).
    """
    agency = agency_of(user)
    if agency is None:
        return Placement.objects.none()
    return agency_caseload(agency=agency, today=today, placements=placement_list(user=user))


def agency_caseload(*, agency: Agency, today: date, placements: QuerySet[Placement]) -> QuerySet[Placement]:
    """`caseload` for an agency (its case system over the API, or a member of staff), from
    `placements` (already scoped to whoever asks)."""
    week_ends = today + timedelta(days=6 - today.weekday())  # Sunday of this week
    supporting = _supporting(agency.pk, today)
    last_visit = _visits_by(agency.pk).order_by("-visited_at").values("visited_at")[:1]
    return (
        placements.filter(Exists(supporting))
        .filter(
            Q(status=Placement.Status.ACTIVE)
            | Q(
                status__in=Placement.BOOKED_STATUSES,
                starts_on__lte=today + timedelta(days=ARRIVING_WITHIN_DAYS),
            )
        )
        .annotate(
            last_visit_at=Subquery(last_visit),
            visit_every_days=Subquery(supporting.values("visit_every_days")[:1], output_field=IntegerField()),
        )
        .annotate(
            visit_due_on=ExpressionWrapper(
                Coalesce(
                    TruncDate("last_visit_at", tzinfo=timezone.get_current_timezone()),
                    F("arrived_on"),
                    F("starts_on"),
                )
                + F("visit_every_days"),
                output_field=DateField(),
            )
        )
        .annotate(
            visit_state=Case(
                When(~Q(status=Placement.Status.ACTIVE), then=Value(VisitState.ARRIVING)),
                When(visit_due_on__lt=today, then=Value(VisitState.OVERDUE)),
                When(visit_due_on__lte=week_ends, then=Value(VisitState.DUE)),
                default=Value(VisitState.VISITED),
                output_field=CharField(),
            ),
            state_rank=Case(
                When(~Q(status=Placement.Status.ACTIVE), then=Value(3)),
                When(visit_due_on__lt=today, then=Value(0)),
                When(visit_due_on__lte=week_ends, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
        )
        .order_by("state_rank", "visit_due_on", "offender__last_name", "offender__first_name", "pk")
    )


def agency_supports(*, agency: Agency | None, placement: Placement, on: date) -> bool:
    if agency is None:
        return False
    return (
        SupportAgency.objects.filter(support_plan__placement=placement, agency=agency)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
        .exists()
    )


def visit_list(*, user) -> QuerySet[HomeVisit]:
    """Visits to people the user may see, with what a list or a visit's page shows."""
    return (
        HomeVisit.objects.filter(people_scope(user, "placement__offender"))
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


def visit_get(*, user, pk: int) -> HomeVisit:
    """One visit with its corrections, or HomeVisit.DoesNotExist (a 404) when the user may not see it."""
    return (
        visit_list(user=user)
        .prefetch_related(
            Prefetch("corrections", queryset=VisitCorrection.objects.select_related("corrected_by"))
        )
        .get(pk=pk)
    )


@dataclass
class AgencyVisits:
    agency: Agency
    visits: list[HomeVisit]


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
        return sum((week.target for week in self.completed_weeks), Decimal("0"))


def _support_weeks(placement: Placement, visits: list[HomeVisit], today: date, weekly) -> list[SupportWeek]:
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
    for visit in visits:
        day = timezone.localdate(visit.visited_at)
        week = weeks.get(day - timedelta(days=day.weekday()))
        if week is not None:
            week.visits += 1
            week.hours += visit.support_hours
    return sorted(weeks.values(), key=lambda week: week.starts_on, reverse=True)


def visit_history(*, user, placement: Placement, today: date | None = None) -> VisitHistory:
    """The placement's visits grouped by agency, and support hours per week against the tier.

    Three queries whatever the number of visits: the visits, their joint agencies, the plan.
    """
    today = today or timezone.localdate()
    visits = list(
        HomeVisit.objects.filter(people_scope(user, "placement__offender"), placement=placement)
        .select_related("agency")
        .prefetch_related("other_agencies")
        .order_by("agency__name", "agency_id", "-visited_at")
    )
    plan = SupportPlan.objects.filter(placement=placement).only("tier").first()
    weekly = TIER_WEEKLY_HOURS[SupportTier(plan.tier)] if plan else None
    history = VisitHistory(
        tier=plan.get_tier_display() if plan else "",
        weekly_hours=weekly,
        visit_count=len(visits),
        weeks=_support_weeks(placement, visits, today, weekly),
    )
    for visit in visits:
        if not history.by_agency or history.by_agency[-1].agency.pk != visit.agency_id:
            history.by_agency.append(AgencyVisits(agency=visit.agency, visits=[]))
        history.by_agency[-1].visits.append(visit)
    return history
