"""Reads of properties, bedspaces and placements. Placements are scoped to the user by
`iom_housing.access.people_scope`; property pages are for officers and scheme managers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db.models import Count, Exists, F, Func, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iom_housing.access import Requester, people_scope, sees_whole_scheme
from placements.dates import free_from
from placements.models import (
    Bedspace,
    LicenceTerm,
    Placement,
    Property,
    PropertyExclusion,
    SupportAgency,
    VoidPeriod,
)
from referrals.models import Gender, Offender

if TYPE_CHECKING:
    pass

LIVE = ~Q(status__in=Placement.RELEASED_STATUSES)
STAYING_STATUSES = (Placement.Status.ACTIVE, Placement.Status.CONFIRMED, Placement.Status.PROVISIONAL)


def placement_list(*, user: Requester, status: str | None = None) -> QuerySet[Placement]:
    placements = (
        Placement.objects.filter(people_scope(user, "offender"))
        .select_related("offender", "bedspace__property", "referral")
        .annotate(term_count=Count("licence_terms"))
    )
    if status:
        placements = placements.filter(status=status)
    return placements


def placement_get(*, user: Requester, public_id: UUID) -> Placement:
    """One placement with its terms and support plan, or Placement.DoesNotExist (a 404) when the
    user may not see it."""
    return (
        placement_list(user=user)
        .select_related("support_plan")
        .prefetch_related(
            Prefetch("licence_terms", queryset=LicenceTerm.objects.order_by("number")),
            Prefetch(
                "support_plan__support_agencies",
                # Current supporters first, then past ones, most recently ended first.
                queryset=SupportAgency.objects.select_related("agency").order_by(
                    F("ended_on").desc(nulls_first=True), "agency__name"
                ),
            ),
        )
        .get(public_id=public_id)
    )


def _count(queryset: QuerySet[Any]) -> Subquery:
    """COUNT(*) of `queryset` as a correlated subquery: counted for the rows a page shows only,
    where a join and GROUP BY would count for every row before the page is cut."""
    return Subquery(queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"))


def _placements_due(*, user: Requester) -> QuerySet[Placement]:
    """Placements for the dashboard's short lists, with what `placement_table.html` shows."""
    return (
        Placement.objects.filter(people_scope(user, "offender"))
        .select_related("offender", "bedspace__property")
        .annotate(term_count=_count(LicenceTerm.objects.filter(placement=OuterRef("pk"))))
    )


def placements_ending(*, user: Requester, today: date, within_days: int = 7) -> QuerySet[Placement]:
    """Active or booked placements whose licence term ends in the next `within_days` days."""
    return (
        _placements_due(user=user)
        .filter(status__in=STAYING_STATUSES)
        .filter(ends_on__gte=today, ends_on__lte=today + timedelta(days=within_days))
        .order_by("ends_on", "pk")
    )


def placements_overrun(*, user: Requester, today: date) -> QuerySet[Placement]:
    """Active placements whose last licence term has ended with no renewal and no departure."""
    return (
        _placements_due(user=user)
        .filter(status=Placement.Status.ACTIVE, ends_on__lt=today)
        .order_by("ends_on", "pk")
    )


@dataclass
class Occupancy:
    bedspaces: int
    occupied: int
    void: int

    @property
    def available(self) -> int:
        return self.bedspaces - self.occupied - self.void


def _occupied_today(today: date) -> Q:
    return Q(status=Placement.Status.ACTIVE, starts_on__lte=today)


def _void_today(today: date) -> Q:
    return Q(starts_on__lte=today) & (Q(ends_on__isnull=True) | Q(ends_on__gt=today))


def occupancy_today(*, today: date) -> Occupancy:
    """Bedspaces in use today, occupied and void: each bedspace is checked by index
    (`placement_active_idx`), never by reading its years of past stays."""
    occupied = Exists(Placement.objects.filter(_occupied_today(today), bedspace=OuterRef("pk")))
    void = Exists(VoidPeriod.objects.filter(_void_today(today), bedspace=OuterRef("pk")))
    bedspaces = Bedspace.objects.filter(active=True, property__active=True).aggregate(
        total=Count("pk"),
        occupied=Count("pk", filter=Q(occupied)),
        void=Count("pk", filter=Q(void) & ~Q(occupied)),
    )
    return Occupancy(bedspaces=bedspaces["total"], occupied=bedspaces["occupied"], void=bedspaces["void"])


def _properties(*, user: Requester) -> QuerySet[Property]:
    if not sees_whole_scheme(user):
        return Property.objects.none()
    return Property.objects.all()


def property_list(*, user: Requester, area: str = "") -> QuerySet[Property]:
    """Properties by name, in one local authority area or all; `property_occupancy` counts a page."""
    properties = _properties(user=user)
    if area:
        properties = properties.filter(local_authority=area)
    return properties.order_by("name")


def property_occupancy(properties: list[Property], *, today: date) -> list[Property]:
    """Set today's `bedspace_count`, `occupied_count` and `void_count` on each of `properties`
    (a page of them), in one query whatever their number.

    Counted for the page only: as annotations on the list they would be counted for every row
    the page's OFFSET skips too.
    """
    counts = {
        row.pop("pk"): row
        for row in Property.objects.filter(pk__in=[p.pk for p in properties])
        .annotate(
            bedspace_count=_count(Bedspace.objects.filter(property=OuterRef("pk"), active=True)),
            occupied_count=_count(
                Placement.objects.filter(_occupied_today(today), bedspace__property=OuterRef("pk"))
            ),
            void_count=_count(
                VoidPeriod.objects.filter(_void_today(today), bedspace__property=OuterRef("pk"))
            ),
        )
        .values("pk", "bedspace_count", "occupied_count", "void_count")
    }
    for property_ in properties:
        for name, value in counts[property_.pk].items():
            setattr(property_, name, value)
    return properties


def property_areas(*, user: Requester) -> list[str]:
    """The local authority areas of every property, in use or not, for the property list's filter."""
    return list(
        _properties(user=user)
        .order_by("local_authority")
        .values_list("local_authority", flat=True)
        .distinct()
    )


def property_get(*, user: Requester, pk: int) -> Property:
    return _properties(user=user).get(pk=pk)


def available_bedspaces(
    *,
    starts_on: date,
    ends_on: date,
    area: str = "",
    restriction: str = "",
    accessible: bool = False,
    offender: Offender | None = None,
) -> list[Bedspace]:
    """Bedspaces free for a stay over [starts_on, ends_on), including the turnaround after it.

    Free means no live booking holds the bedspace (with its turnaround) and no void period falls
    in the stay; the next booking must also start after this stay's own turnaround, which is
    counted in working days, so that last step runs in Python over the few candidates.

    A planned move-out date (the move-on plan's) counts one way only. Later than the occupant's
    licence end (a tenancy starting after it, with renewals to come), it holds the bedspace until
    that day and its turnaround: nobody is booked into a room someone is planned to be in. Earlier
    than the licence end, it frees nothing: the bedspace is theirs until the departure is recorded
    (ending the placement moves its end and `free_from` to the day they left), as the rule for an
    overrun already says, since moves fall through and the day may slip. Availability follows
    where people are, not where a plan hopes they will be.
    """
    live_bookings = Placement.objects.filter(LIVE, bedspace=OuterRef("pk"))
    # Someone staying past their licence holds the bedspace until they leave.
    overrun = Placement.objects.filter(
        bedspace=OuterRef("pk"),
        status=Placement.Status.ACTIVE,
        ends_on__lt=timezone.localdate(),
        starts_on__lt=ends_on,
    )
    # Someone planned to stay past their licence end holds the bedspace until they move out.
    planned_stay = Placement.objects.filter(
        bedspace=OuterRef("pk"),
        status=Placement.Status.ACTIVE,
        starts_on__lt=ends_on,
        move_on_plan__planned_move_out_on__gt=F("ends_on"),
    )
    bedspaces = (
        Bedspace.objects.filter(active=True, property__active=True)
        .select_related("property")
        .exclude(Exists(live_bookings.filter(starts_on__lt=ends_on, free_from__gt=starts_on)))
        .exclude(Exists(overrun))
        .exclude(
            Exists(
                VoidPeriod.objects.filter(bedspace=OuterRef("pk"), starts_on__lt=ends_on).filter(
                    Q(ends_on__isnull=True) | Q(ends_on__gt=starts_on)
                )
            )
        )
        .annotate(
            next_booking_on=Subquery(
                live_bookings.filter(starts_on__gte=ends_on).order_by("starts_on").values("starts_on")[:1]
            ),
            next_void_on=Subquery(
                VoidPeriod.objects.filter(bedspace=OuterRef("pk"), starts_on__gte=ends_on)
                .order_by("starts_on")
                .values("starts_on")[:1]
            ),
            planned_move_out_on=Subquery(
                planned_stay.order_by("-move_on_plan__planned_move_out_on").values(
                    "move_on_plan__planned_move_out_on"
                )[:1]
            ),
        )
        .order_by("property__name", "label")
    )
    if area:
        bedspaces = bedspaces.filter(property__local_authority=area)
    if restriction:
        bedspaces = bedspaces.filter(property__restriction=restriction)
    if accessible:
        bedspaces = bedspaces.filter(property__accessible=True)
    if offender is not None:
        bedspaces = bedspaces.exclude(
            Exists(PropertyExclusion.objects.filter(offender=offender, property=OuterRef("property")))
        )
        if offender.gender == Gender.MALE:
            bedspaces = bedspaces.exclude(property__restriction=Property.Restriction.WOMEN_ONLY)
        elif offender.gender == Gender.FEMALE:
            bedspaces = bedspaces.exclude(property__restriction=Property.Restriction.MEN_ONLY)
    result: list[Bedspace] = []
    for bedspace in bedspaces:
        turnaround = bedspace.property.turnaround_days
        if (
            bedspace.planned_move_out_on is not None
            and free_from(bedspace.planned_move_out_on, turnaround) > starts_on
        ):
            continue
        ready_on = free_from(ends_on, turnaround)
        if any(
            start is not None and start < ready_on
            for start in (bedspace.next_booking_on, bedspace.next_void_on)
        ):
            continue
        result.append(bedspace)
    return result


def areas() -> list[str]:
    return list(
        Property.objects.filter(active=True).order_by().values_list("local_authority", flat=True).distinct()
    )


# The occupancy calendar ---------------------------------------------------------------------


DAY_STATES = {
    "free": (_("free"), ""),
    "booked": (_("booked"), "B"),
    "occupied": (_("occupied"), "O"),
    "overrun": (_("overrun"), "!"),
    "turnaround": (_("turnaround"), "T"),
    "void": (_("void"), "V"),
}


@dataclass
class Day:
    date: date
    state: str  # a key of DAY_STATES
    placement: Placement | None = None
    move_out: bool = False  # the day the occupant's move-on plan says they move out

    @property
    def state_code(self) -> str:
        """A letter beside the colour, so the calendar does not rely on colour alone."""
        return DAY_STATES[self.state][1]


@dataclass
class BedspaceCalendar:
    bedspace: Bedspace
    weeks: list[list[Day]] = field(default_factory=list)


CALENDAR_WEEKS_BEFORE = 4
CALENDAR_WEEKS_AFTER = 8


def occupancy_calendar(*, property_: Property, today: date) -> list[BedspaceCalendar]:
    """Each bedspace's state on every day from 4 weeks ago to 8 weeks ahead, in Monday-first weeks.

    Three queries whatever the size: bedspaces, placements (with their move-on plans) and voids
    in the window. The planned move-out day is marked; an active stay planned to go on past its
    licence end shows occupied until then (as `available_bedspaces` holds it).
    """
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=CALENDAR_WEEKS_BEFORE)
    last = first + timedelta(weeks=CALENDAR_WEEKS_BEFORE + CALENDAR_WEEKS_AFTER)  # exclusive
    bedspaces = list(property_.bedspaces.order_by("label"))
    placements = list(
        Placement.objects.filter(LIVE, bedspace__in=bedspaces, starts_on__lt=last, free_from__gt=first)
        .select_related("offender", "move_on_plan")
        .order_by("starts_on")
    )
    voids = list(
        VoidPeriod.objects.filter(bedspace__in=bedspaces, starts_on__lt=last).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gt=first)
        )
    )
    calendars = []
    for bedspace in bedspaces:
        states: dict[date, Day] = {}
        for void in (v for v in voids if v.bedspace_id == bedspace.pk):
            day = max(void.starts_on, first)
            while day < last and (void.ends_on is None or day < void.ends_on):
                states[day] = Day(day, "void")
                day += timedelta(days=1)
        for placement in (p for p in placements if p.bedspace_id == bedspace.pk):
            day = max(placement.starts_on, first)
            # An active stay past its licence is still occupied: the person has not left.
            occupied_until = placement.ends_on
            plan = getattr(placement, "move_on_plan", None)
            planned_out = plan.planned_move_out_on if plan is not None else None
            if planned_out is not None and placement.status != Placement.Status.ACTIVE:
                planned_out = None
            expected_until = (
                planned_out if planned_out is not None and planned_out > placement.ends_on else None
            )
            if placement.is_overrun(today):
                # Still there past the licence: the bedspace is held until they leave.
                occupied_until = last
            elif expected_until is not None:
                occupied_until = expected_until
            while day < min(max(placement.free_from, occupied_until), last):
                if day < placement.ends_on or (expected_until is not None and day < expected_until):
                    state = (
                        "occupied"
                        if placement.status in (Placement.Status.ACTIVE, Placement.Status.ENDED)
                        else "booked"
                    )
                elif day < occupied_until:
                    state = "overrun"
                else:
                    state = "turnaround"
                states[day] = Day(day, state, placement, move_out=day == planned_out)
                day += timedelta(days=1)
            # The planned day is the first they are gone (as a departure date is): past the stay
            # when it ends on it, so marked on that day whatever it holds.
            if planned_out is not None and first <= planned_out < last:
                marked = states.get(planned_out) or Day(planned_out, "free")
                marked.move_out = True
                states[planned_out] = marked
        days = [
            states.get(first + timedelta(days=n), Day(first + timedelta(days=n), "free"))
            for n in range((last - first).days)
        ]
        calendars.append(BedspaceCalendar(bedspace, [days[i : i + 7] for i in range(0, len(days), 7)]))
    return calendars
