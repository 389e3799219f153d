"""Reads of properties, bedspaces and placements. Placements are scoped to the user by
`iom_housing.access.people_scope`; property pages are for officers and scheme managers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
    LocalAuthority,
    Placement,
    Property,
    PropertyExclusion,
    SupportAgency,
    VoidPeriod,
)
from placements.sharing import Conflict, conflicts_by_bedspace, restrictions_refusing
from referrals.models import Offender

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
        .select_related(
            "support_plan",
            "transfer_in__from_placement__bedspace__property",
            "transfer_out__to_placement__bedspace__property",
        )
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
        properties = properties.filter(local_authority_id=area)
    return properties.select_related("local_authority").order_by("name")


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


def property_areas(*, user: Requester) -> list[LocalAuthority]:
    """The local authority areas of every property, in use or not, for the property list's filter."""
    return list(LocalAuthority.objects.filter(pk__in=_properties(user=user).values("local_authority_id")))


def property_get(*, user: Requester, pk: int) -> Property:
    return _properties(user=user).select_related("local_authority").get(pk=pk)


# What holds a bedspace ---------------------------------------------------------------------


@dataclass(frozen=True)
class Hold:
    """A stretch [starts_on, until) in which a bedspace cannot be used (`until` None: open-ended).

    `kind` is "overrun" (someone staying past their licence, who holds it until they leave),
    "booking" (a live booking or stay, until its `free_from`, after turnaround) or "void".
    `licence_ends_on` is the overrunning or booked stay's licence end.
    """

    kind: str
    starts_on: date
    until: date | None
    licence_ends_on: date | None = None

    def overlaps(self, starts_on: date, until: date | None) -> bool:
        return (until is None or self.starts_on < until) and (self.until is None or self.until > starts_on)


# Of several holds over a stay, the one a refusal names: an overrun first, then the earliest.
_HOLD_ORDER = {"overrun": 0, "booking": 1, "void": 2}


def bedspace_holds(
    *, bedspace_ids: list[int], from_day: date, today: date, ignore_placement_id: int | None = None
) -> dict[int, list[Hold]]:
    """Everything that holds each of `bedspace_ids` on or after `from_day`, in two queries whatever
    their number: the one statement of what makes a bedspace unavailable, which the booking
    services (`services.bedspace_clash`) and Find a bedspace both read."""
    holds: dict[int, list[Hold]] = {pk: [] for pk in bedspace_ids}
    overrunning = Q(status=Placement.Status.ACTIVE, ends_on__lt=today)
    placements = Placement.objects.filter(LIVE, bedspace_id__in=bedspace_ids).filter(
        Q(free_from__gt=from_day) | overrunning
    )
    if ignore_placement_id is not None:
        placements = placements.exclude(pk=ignore_placement_id)
    for bedspace_id, status, starts_on, ends_on, until in placements.values_list(
        "bedspace_id", "status", "starts_on", "ends_on", "free_from"
    ):
        if status == Placement.Status.ACTIVE and ends_on < today:
            holds[bedspace_id].append(Hold("overrun", starts_on, None, ends_on))
        else:
            holds[bedspace_id].append(Hold("booking", starts_on, until, ends_on))
    voids = VoidPeriod.objects.filter(bedspace_id__in=bedspace_ids).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=from_day)
    )
    for void_bedspace_id, void_starts_on, void_ends_on in voids.values_list(
        "bedspace_id", "starts_on", "ends_on"
    ):
        holds[void_bedspace_id].append(Hold("void", void_starts_on, void_ends_on))
    for rows in holds.values():
        rows.sort(key=lambda hold: (_HOLD_ORDER[hold.kind], hold.starts_on))
    return holds


def first_hold(holds: list[Hold], *, starts_on: date, until: date | None) -> Hold | None:
    """The hold a stay over [starts_on, until) runs into (an overrun first, then the earliest)."""
    return next((hold for hold in holds if hold.overlaps(starts_on, until)), None)


def earliest_start(
    holds: list[Hold],
    *,
    from_day: date,
    days: int,
    turnaround_days: int,
    person_stays: Sequence[tuple[date, date]] = (),
) -> date | None:
    """The first day on or after `from_day` that a stay of `days` nights can start, with the
    bedspace then held to the end of its turnaround (`dates.free_from`), or None if never.

    The first such day is `from_day` or the day one hold ends (a day later than that which fits
    would mean the day before it fits too), so only those few days are tried. `person_stays` are
    the person's own other stays, [starts_on, ends_on), which the stay itself must not overlap.
    """
    candidates = {from_day}
    candidates.update(h.until for h in holds if h.until is not None and h.until > from_day)
    candidates.update(end for _start, end in person_stays if end > from_day)
    for starts_on in sorted(candidates):
        ends_on = starts_on + timedelta(days=days)
        if first_hold(holds, starts_on=starts_on, until=free_from(ends_on, turnaround_days)):
            continue
        if any(start < ends_on and end > starts_on for start, end in person_stays):
            continue
        return starts_on
    return None


def latest_end(holds: list[Hold], *, starts_on: date, max_days: int, turnaround_days: int) -> date | None:
    """The latest end of a stay (or licence term) from `starts_on`, of 1 to `max_days` nights,
    that leaves its turnaround clear of every hold, or None if not even one night fits."""
    for days in range(max_days, 0, -1):
        ends_on = starts_on + timedelta(days=days)
        if first_hold(holds, starts_on=starts_on, until=free_from(ends_on, turnaround_days)) is None:
            return ends_on
    return None


def _suitable_bedspaces(
    *, area: str, restriction: str, accessible: bool, offender: Offender | None
) -> QuerySet[Bedspace]:
    """Bedspaces in use that match the search and suit the person, whatever their dates."""
    bedspaces = Bedspace.objects.filter(active=True, property__active=True).select_related(
        "property__local_authority"
    )
    if area:
        bedspaces = bedspaces.filter(property__local_authority_id=area)
    if restriction:
        bedspaces = bedspaces.filter(property__restriction=restriction)
    if accessible:
        bedspaces = bedspaces.filter(property__accessible=True)
    if offender is not None:
        bedspaces = bedspaces.exclude(
            Exists(PropertyExclusion.objects.filter(offender=offender, property=OuterRef("property")))
        )
        # The women-only and men-only rule, as `sharing` states it for the booking services.
        bedspaces = bedspaces.exclude(property__restriction__in=restrictions_refusing(offender.gender))
    return bedspaces.order_by("property__name", "label")


@dataclass
class FreeBedspace:
    bedspace: Bedspace
    starts_on: date  # the earliest arrival on or after the date asked for
    days_later: int  # 0: free on the date asked for
    # What the sharing rule finds in a stay from `starts_on` (placements.sharing), naming no one.
    conflicts: list[Conflict] = field(default_factory=list)


def earliest_free_bedspaces(
    *,
    starts_on: date,
    days: int,
    today: date,
    area: str = "",
    restriction: str = "",
    accessible: bool = False,
    offender: Offender | None = None,
    moving_from: int | None = None,
) -> tuple[list[FreeBedspace], int]:
    """Each suitable bedspace with the earliest day on or after `starts_on` that a stay of `days`
    nights fits (bookings, placements, voids and the turnaround after each, in working days), the
    soonest first, each with the sharing rule's conflicts for the person (`sharing`); and how many suitable bedspaces have no such day (an open-ended void, or
    someone staying past their licence). Five queries however many bedspaces.

    `moving_from` is the placement a person would move out of (a transfer): their own stay there
    does not stand in the way, and its bedspace is not offered."""
    suitable = _suitable_bedspaces(
        area=area, restriction=restriction, accessible=accessible, offender=offender
    )
    if moving_from is not None:
        suitable = suitable.exclude(placements__pk=moving_from)
    bedspaces = list(suitable)
    holds = bedspace_holds(bedspace_ids=[b.pk for b in bedspaces], from_day=starts_on, today=today)
    person_stays: list[tuple[date, date]] = []
    if offender is not None:
        stays = Placement.objects.filter(LIVE, offender=offender, ends_on__gt=starts_on)
        if moving_from is not None:
            stays = stays.exclude(pk=moving_from)
        person_stays = list(stays.values_list("starts_on", "ends_on"))
    free: list[FreeBedspace] = []
    never = 0
    for bedspace in bedspaces:
        first = earliest_start(
            holds[bedspace.pk],
            from_day=starts_on,
            days=days,
            turnaround_days=bedspace.property.turnaround_days,
            person_stays=person_stays,
        )
        if first is None:
            never += 1
        else:
            free.append(FreeBedspace(bedspace, first, (first - starts_on).days))
    if offender is not None:
        conflicts = conflicts_by_bedspace(
            offender=offender,
            stays=[(row.bedspace, row.starts_on, row.starts_on + timedelta(days=days)) for row in free],
            today=today,
        )
        for row in free:
            row.conflicts = conflicts[row.bedspace.pk]
    free.sort(key=lambda row: row.starts_on)  # stable: by property and label within a day
    return free, never


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
        .select_related("property__local_authority")
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
        bedspaces = bedspaces.filter(property__local_authority_id=area)
    if restriction:
        bedspaces = bedspaces.filter(property__restriction=restriction)
    if accessible:
        bedspaces = bedspaces.filter(property__accessible=True)
    if offender is not None:
        bedspaces = bedspaces.exclude(
            Exists(PropertyExclusion.objects.filter(offender=offender, property=OuterRef("property")))
        )
        # The women-only and men-only rule, as `sharing` states it for the booking services.
        bedspaces = bedspaces.exclude(property__restriction__in=restrictions_refusing(offender.gender))
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


def areas() -> list[LocalAuthority]:
    """The areas with a property in use, for Find a bedspace's filter."""
    return list(
        LocalAuthority.objects.filter(
            pk__in=Property.objects.filter(active=True).values("local_authority_id")
        )
    )


def area_choices(areas: Iterable[LocalAuthority]) -> list[tuple[str, str]]:
    """Filter choices for `areas`: by code, named in the page's language, in its alphabetical order."""
    return sorted(((area.code, area.display_name) for area in areas), key=lambda choice: choice[1])


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
