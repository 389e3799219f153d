"""Reads of offenders and referrals, scoped to the user by `iom_housing.access.people_scope`."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Case, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from agencies.models import HomeVisit
from iom_housing.access import agency_of, people_scope, referral_scope
from placements.models import LicenceTerm, Placement
from referrals.models import Offender, OffenderEvent, Referral

# Emergencies first, then urgent, then routine.
URGENCY_RANK = Case(
    When(urgency=Referral.Urgency.EMERGENCY, then=Value(0)),
    When(urgency=Referral.Urgency.URGENT, then=Value(1)),
    default=Value(2),
)


def referral_list(*, user, status: str = "", agency=None, urgency: str = "") -> QuerySet[Referral]:
    """Referrals for the queue; by default those waiting for a decision, most urgent and oldest first."""
    referrals = Referral.objects.filter(people_scope(user, "offender")).select_related(
        "offender", "referring_agency"
    )
    if status == "all":
        pass
    elif status:
        referrals = referrals.filter(status=status)
    else:
        referrals = referrals.filter(status__in=Referral.OPEN_STATUSES)
    if agency is not None:
        referrals = referrals.filter(referring_agency=agency)
    if urgency:
        referrals = referrals.filter(urgency=urgency)
    return referrals.annotate(urgency_rank=URGENCY_RANK).order_by("urgency_rank", "submitted_at", "pk")


def agency_referrals(*, user) -> QuerySet[Referral]:
    """The referrals the user's agency submitted, newest first, each with its live placement (if any)
    in `placed`: three queries for a page of them (count, rows, placements)."""
    agency = agency_of(user)
    if agency is None:
        return Referral.objects.none()
    return (
        Referral.objects.filter(people_scope(user, "offender"), referring_agency=agency)
        .select_related("offender")
        .prefetch_related(
            Prefetch(
                "placements",
                queryset=Placement.objects.exclude(status__in=Placement.RELEASED_STATUSES).order_by(
                    "-starts_on"
                ),
                to_attr="placed",
            )
        )
        .order_by("-submitted_at", "-pk")
    )


def referral_sync_list(*, user) -> QuerySet[Referral]:
    """Referrals for the API, scoped by `referral_scope` (an agency's client sees its agency's, staff
    what their role allows), each with the placement that holds (or held) a bedspace for it and
    that placement's licence terms in `live_placements`: three queries for any number of rows."""
    return (
        Referral.objects.filter(referral_scope(user))
        .select_related("offender")
        .prefetch_related(
            Prefetch(
                "placements",
                queryset=Placement.objects.exclude(status__in=Placement.RELEASED_STATUSES).prefetch_related(
                    Prefetch("licence_terms", queryset=LicenceTerm.objects.order_by("number"))
                ),
                to_attr="live_placements",
            )
        )
    )


def referral_get(*, user, public_id) -> Referral:
    return referral_list(user=user, status="all").get(public_id=public_id)


def offender_list(*, user, q: str = "", risk: str = "", category: str = "") -> QuerySet[Offender]:
    offenders = Offender.objects.filter(people_scope(user))
    for word in q.split():
        offenders = offenders.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(pnc_id__iexact=word)
            | Q(crn__iexact=word)
            | Q(aliases__icontains=word)
        )
    if risk:
        offenders = offenders.filter(risk_of_serious_harm=risk)
    if category:
        offenders = offenders.filter(iom_category=category)
    return offenders.order_by("last_name", "first_name", "pk")


def offender_get(*, user, public_id) -> Offender:
    return (
        offender_list(user=user)
        .prefetch_related("responsible_officers", "property_exclusions__property")
        .get(public_id=public_id)
    )


@dataclass
class TimelineEntry:
    when: date | datetime
    title: str
    description: str = ""
    by: str = ""
    url: str = ""

    @property
    def sort_key(self) -> datetime:
        if isinstance(self.when, datetime):
            return timezone.localtime(self.when).replace(tzinfo=None)
        return datetime(self.when.year, self.when.month, self.when.day)


def offender_timeline(*, offender: Offender) -> list[TimelineEntry]:
    """Referrals, placements and licence terms, visits and offending, newest first: five queries."""
    entries: list[TimelineEntry] = []
    for referral in offender.referrals.select_related("referring_agency"):
        url = referral.get_absolute_url()
        entries.append(
            TimelineEntry(
                referral.submitted_at,
                _("Referral received"),
                referral.reason,
                str(referral.referring_agency),
                url,
            )
        )
        if referral.decided_at:
            entries.append(
                TimelineEntry(
                    referral.decided_at,
                    _("Referral %(status)s") % {"status": referral.get_status_display().lower()},
                    referral.decision_notes,
                    url=url,
                )
            )
    placements = offender.placements.select_related("bedspace__property").prefetch_related(
        Prefetch("licence_terms", queryset=LicenceTerm.objects.order_by("number"))
    )
    for placement in placements:
        url = placement.get_absolute_url()
        place = str(placement.bedspace)
        entries.append(
            TimelineEntry(
                placement.created_at,
                _("Bedspace booked"),
                _("%(place)s from %(start)s")
                % {"place": place, "start": date_format(placement.starts_on, "j F Y")},
                url=url,
            )
        )
        if placement.status in (Placement.Status.CANCELLED, Placement.Status.NOT_ARRIVED):
            entries.append(
                TimelineEntry(
                    placement.updated_at,
                    _("Booking %(status)s") % {"status": placement.get_status_display().lower()},
                    placement.cancellation_reason,
                    url=url,
                )
            )
        if placement.arrived_on:
            entries.append(TimelineEntry(placement.arrived_on, _("Arrived"), place, url=url))
        for term in placement.licence_terms.all():
            if term.number > 1:
                entries.append(
                    TimelineEntry(
                        term.starts_on,
                        _("Licence renewed (term %(number)s, %(days)s days)")
                        % {"number": term.number, "days": term.days},
                        term.reason,
                        url=url,
                    )
                )
        if placement.departed_on:
            entries.append(
                TimelineEntry(
                    placement.departed_on,
                    _("Left the placement"),
                    f"{placement.get_departure_reason_display()}. {placement.get_destination_display()}.",
                    url=url,
                )
            )
    visits = HomeVisit.objects.filter(placement__offender=offender).select_related("agency", "placement")
    for visit in visits:
        description = visit.get_outcome_display()
        if visit.concern_raised:
            description += ". " + _("Concern: %(concern)s") % {"concern": visit.concern}
        entries.append(
            TimelineEntry(
                visit.visited_at,
                visit.get_kind_display(),
                description,
                str(visit.agency),
                visit.placement.get_absolute_url(),
            )
        )
    for event in offender.events.all():
        description = event.get_offence_category_display() if event.offence_category else ""
        entries.append(TimelineEntry(event.occurred_on, event.get_kind_display(), description))
    return sorted(entries, key=lambda entry: entry.sort_key, reverse=True)


def offending_events(*, offender: Offender) -> QuerySet[OffenderEvent]:
    return offender.events.order_by("-occurred_on")
