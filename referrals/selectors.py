"""Reads of offenders and referrals, scoped to the user by `iom_housing.access.people_scope`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast
from uuid import UUID

from django.db.models import (
    Count,
    F,
    Field,
    Func,
    Max,
    Min,
    Prefetch,
    Q,
    QuerySet,
    TextField,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.models import Agency, HomeVisit
from casefiles.models import CaseNote, Document
from iom_housing.access import Requester, agency_of, people_scope, referral_scope, sees_person_record
from iom_housing.dates import day
from placements.models import (
    BreachEndingKind,
    DepartureReason,
    Destination,
    LicenceBreachEnding,
    LicenceTerm,
    LicenceWarning,
    Placement,
    SharingOverride,
    Transfer,
    WarningLevel,
)
from referrals.models import (
    SHARING_RISK_FIELDS,
    URGENCY_RANK,
    OffenceCategory,
    Offender,
    OffenderEvent,
    Referral,
    WaitingReferral,
)
from referrals.names import Folded, first_name_forms, fold, pnc_full

# The referrals filter's choice for accepted referrals with no booking yet (see `referral_list`).
WAITING_FOR_BEDSPACE = "waiting_for_bedspace"


def referral_list(
    *, user: Requester, status: str = "", agency: Agency | None = None, urgency: str = "", q: str = ""
) -> QuerySet[Referral]:
    """Referrals for the queue; by default those waiting for a decision, most urgent and oldest
    first. Scoped by `referral_scope`, each with `person_visible` (`sees_person_record`).

    `status` WAITING_FOR_BEDSPACE: accepted, and no booking on the referral that is still held
    (a cancelled booking or a no-show puts it back in the queue; the database keeps that list,
    `WaitingReferral`), most urgent and longest waiting since the decision first. `q`: every word a name, alias or identifier of the person as
    People search matches them."""
    referrals = (
        Referral.objects.filter(referral_scope(user))
        .annotate(person_visible=sees_person_record(user))
        .select_related("offender", "referring_agency")
    )
    if status == "all":
        pass
    elif status == WAITING_FOR_BEDSPACE:
        referrals = referrals.filter(
            status=Referral.Status.ACCEPTED, pk__in=WaitingReferral.objects.values("referral_id")
        )
    elif status:
        referrals = referrals.filter(status=status)
    else:
        referrals = referrals.filter(status__in=Referral.OPEN_STATUSES)
    if agency is not None:
        referrals = referrals.filter(referring_agency=agency)
    if urgency:
        referrals = referrals.filter(urgency=urgency)
    words = q.split()
    if words:
        referrals = _with_folded_names(referrals, "offender__")
        today = timezone.localdate()
        for word in words:
            referrals = referrals.filter(_person_matches(word, today, "offender__"))
    referrals = referrals.annotate(urgency_rank=URGENCY_RANK)
    if status == WAITING_FOR_BEDSPACE:
        return referrals.order_by("urgency_rank", "decided_at", "pk")
    return referrals.order_by("urgency_rank", "submitted_at", "pk")


def agency_referrals(*, user: Requester) -> QuerySet[Referral]:
    """The referrals the user's agency submitted, newest first, whether or not it may see the
    person's record yet (`person_visible`), each with its live placement (if any) in `placed`:
    three queries for a page of them (count, rows, placements)."""
    agency = agency_of(user)
    if agency is None:
        return Referral.objects.none()
    return (
        Referral.objects.filter(referring_agency=agency)
        .annotate(person_visible=sees_person_record(user))
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


# What the API shows of a referral's live placement and its licence terms (referrals.api).
LIVE_PLACEMENT_COLUMNS = (
    "status",
    "starts_on",
    "arrived_on",
    "departed_on",
    "departure_reason",
    "destination",
)
LICENCE_TERM_COLUMNS = ("number", "starts_on", "ends_on")


def live_placements_of(
    referral_ids: list[int],
) -> tuple[dict[int, dict[str, Any]], dict[int, list[dict[str, Any]]]]:
    """For a page of the API's referrals: {referral id: its live placement's row} (the one holding
    or having held a bedspace, as `referral_sync_list` prefetches it) and {placement id: its licence
    terms' rows in order}, in two queries."""
    placements = {
        row["referral_id"]: row
        for row in Placement.objects.filter(referral_id__in=referral_ids)
        .exclude(status__in=Placement.RELEASED_STATUSES)
        .values("id", "referral_id", *LIVE_PLACEMENT_COLUMNS)
    }
    terms: dict[int, list[dict[str, Any]]] = {}
    for row in (
        LicenceTerm.objects.filter(placement_id__in=[p["id"] for p in placements.values()])
        .order_by("placement_id", "number")
        .values("placement_id", *LICENCE_TERM_COLUMNS)
    ):
        terms.setdefault(row["placement_id"], []).append(row)
    return placements, terms


def referral_sync_list(*, user: Requester) -> QuerySet[Referral]:
    """Referrals for the API, scoped by `referral_scope` (an agency's client sees its agency's, staff
    what their role allows), each with `person_visible` (`sees_person_record`), the placement
    that holds (or held) a bedspace for it and that placement's licence terms in order in
    `terms_in_order`: three queries for any number of rows. (Lists, not managers: a prefetched
    manager costs a queryset clone a row.)"""
    return (
        Referral.objects.filter(referral_scope(user))
        .annotate(person_visible=sees_person_record(user))
        .select_related("offender")
        .prefetch_related(
            Prefetch(
                "placements",
                queryset=Placement.objects.exclude(status__in=Placement.RELEASED_STATUSES).prefetch_related(
                    Prefetch(
                        "licence_terms",
                        queryset=LicenceTerm.objects.order_by("number"),
                        to_attr="terms_in_order",
                    )
                ),
                to_attr="live_placements",
            )
        )
    )


def referral_get(*, user: Requester, public_id: UUID) -> Referral:
    return referral_list(user=user, status="all").get(public_id=public_id)


def person_details_differences(referral: Referral) -> list[tuple[str, str, str]]:
    """What the referrer sent that differs from the person's record, for the officer deciding on
    it: (what, as sent, as recorded). Nothing for a referral made without the details, or for an
    erased person."""
    details = referral.person_details or {}
    offender = referral.offender
    if not details or offender.erased_at is not None:
        return []
    differences = []
    sent_name = f"{details.get('first_name', '')} {details.get('last_name', '')}"
    if sent_name.casefold() != f"{offender.first_name} {offender.last_name}".casefold():
        differences.append((str(_("Name")), sent_name, offender.full_name))
    born = details.get("date_of_birth") or ""
    recorded_born = offender.date_of_birth.isoformat() if offender.date_of_birth else ""
    if born != recorded_born:
        differences.append(
            (
                str(_("Date of birth")),
                day(date.fromisoformat(born)) if born else "",
                day(cast(date, offender.date_of_birth)) if recorded_born else "",
            )
        )
    for name in ("pnc_id", "crn", "prison_number"):
        sent = details.get(name, "")
        recorded = getattr(offender, name)
        if sent and sent.upper() != recorded.upper():
            label = cast("Field[Any, Any]", Offender._meta.get_field(name)).verbose_name
            differences.append((str(label), sent, recorded))
    # A risk the referrer gives that the record lacks: the officer records it on the person's page
    # (a referral never changes an existing record).
    sent_risks = Offender(
        **{name: details[name] for name in SHARING_RISK_FIELDS if name in details}
    ).sharing_risks
    recorded_risks = offender.sharing_risks
    if set(sent_risks) - set(recorded_risks):
        differences.append(
            (
                str(_("Risks when sharing a property")),
                ", ".join(sent_risks),
                ", ".join(recorded_risks) or str(_("None recorded")),
            )
        )
    return differences


def placement_elsewhere(referral: Referral) -> Placement | None:
    """The person's stay or booking held under another referral (in residence, or booked and not
    cancelled), for the officer deciding on this one: a second place is rarely what is needed."""
    return (
        Placement.objects.filter(
            offender_id=referral.offender_id,
            status__in=[Placement.Status.ACTIVE, *Placement.BOOKED_STATUSES],
        )
        .exclude(referral=referral)
        .select_related("bedspace__property")
        .order_by("starts_on", "pk")
        .first()
    )


class AliasesText(Func):
    """A person's aliases as one string, the SQL function of migration 0005."""

    function = "offender_aliases_text"
    output_field = TextField()


def _contains(field: str, word: str) -> Q:
    """The folded `field` contains the folded `word`. A word of one or two letters must start
    one of the field's words instead: a trigram index cannot narrow a shorter string down, and
    "an" anywhere in a name matches a quarter of all people."""
    if len(word) >= 3:
        return Q(**{f"{field}__contains": word})
    return Q(**{f"{field}__startswith": word}) | Q(**{f"{field}__contains": f" {word}"})


def _with_folded_names(queryset: QuerySet[Any], prefix: str = "") -> QuerySet[Any]:
    """The person's folded names and aliases as aliases of `queryset` (for `_person_matches`);
    `prefix` is the path to the person ("offender__" from a referral)."""
    folded: QuerySet[Any] = queryset.alias(
        first_folded=Folded(f"{prefix}first_name"),
        last_folded=Folded(f"{prefix}last_name"),
        aliases_folded=Folded(AliasesText(f"{prefix}aliases")),
    )
    return folded


def _person_matches(word: str, today: date, prefix: str = "") -> Q:
    """A name or alias containing the word (accents and case aside, and a first name in any of
    its Welsh and English forms: referrals/names.py), or a PNC ID (full or short form) or CRN
    equal to it. Each arm has its index (trigram on the folded names and aliases, migration
    0012; the unique ones on the identifiers, which the empty-identifier tests let PostgreSQL
    use), so it reads only the matches; the aliases test spares the function call for the many
    with none."""
    folded = fold(word)
    first_names = Q()
    for form in first_name_forms(word):
        first_names |= _contains("first_folded", form)
    return (
        first_names
        | _contains("last_folded", folded)
        | (~Q(**{f"{prefix}aliases": []}) & _contains("aliases_folded", folded))
        | (Q(**{f"{prefix}pnc_id__iexact": pnc_full(word, today)}) & ~Q(**{f"{prefix}pnc_id": ""}))
        | (Q(**{f"{prefix}crn__iexact": word}) & ~Q(**{f"{prefix}crn": ""}))
    )


def offender_list(*, user: Requester, q: str = "", risk: str = "", category: str = "") -> QuerySet[Offender]:
    offenders = Offender.objects.filter(people_scope(user))
    words = q.split()
    if words:
        offenders = _with_folded_names(offenders)
        today = timezone.localdate()
    for word in words:
        offenders = offenders.filter(_person_matches(word, today))
    if risk:
        offenders = offenders.filter(risk_of_serious_harm=risk)
    if category:
        offenders = offenders.filter(iom_category=category)
    if words:
        # Sorted with NULLS FIRST (the same order, names are never NULL) so that PostgreSQL
        # cannot walk offender_name_idx testing each person until a page matches: for a
        # surname such as Jones, half the table. It reads the matches and sorts those.
        return offenders.order_by(F("last_name").asc(nulls_first=True), "first_name", "pk")
    return offenders.order_by("last_name", "first_name", "pk")


def offender_get(*, user: Requester, public_id: UUID) -> Offender:
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


# Visits come every week for as long as a person stays, hundreds over the years: the timeline
# shows the latest few and every concern, and sums up the rest of each stay, whose placement
# page lists every visit.
RECENT_VISITS = 10


def _labels(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """A choice field's labels, translated once for the whole timeline."""
    return {value: str(label) for value, label in choices}


def offender_timeline(*, offender: Offender) -> list[TimelineEntry]:
    """The person's story, newest first: referrals and decisions, bookings, stays, licence
    renewals and departures, offending and compliance, the latest visits and every concern, and
    the rest of each stay's visits summed up, warnings under the licence to occupy and endings for a
    breach, case notes and documents. A fixed number of queries, whatever the number of visits,
    notes or documents."""
    entries = _referral_entries(offender)
    placement_urls = _placement_entries(offender, entries)
    entries += _visit_entries(offender, placement_urls)
    entries += _licence_entries(offender, placement_urls)
    kinds = _labels(OffenderEvent.Kind.choices)
    categories = _labels(OffenceCategory.choices)
    for kind, occurred_on, category in offender.events.values_list("kind", "occurred_on", "offence_category"):
        entries.append(TimelineEntry(occurred_on, kinds[kind], categories.get(category, "")))
    entries += _case_file_entries(offender)
    return sorted(entries, key=lambda entry: entry.sort_key, reverse=True)


def _case_file_entries(offender: Offender) -> list[TimelineEntry]:
    """Each case note (its text as it reads now, corrected or not) and each document attached."""
    entries = []
    notes = CaseNote.objects.filter(offender=offender).values_list(
        "created_at", "text", "corrected_at", "author__first_name", "author__last_name", "author__username"
    )
    for created_at, text, corrected_at, first_name, last_name, username in notes:
        title = _("Case note (corrected)") if corrected_at else _("Case note")
        by = f"{first_name} {last_name}".strip() or username
        entries.append(
            TimelineEntry(created_at, title, text, by, f"{offender.get_absolute_url()}#case-notes")
        )
    kinds = _labels(Document.Kind.choices)
    documents = Document.objects.filter(offender=offender, erased_at__isnull=True).values_list(
        "uploaded_at",
        "kind",
        "title",
        "uploaded_by__first_name",
        "uploaded_by__last_name",
        "uploaded_by__username",
    )
    for uploaded_at, kind, title, first_name, last_name, username in documents:
        by = f"{first_name} {last_name}".strip() or username
        entries.append(
            TimelineEntry(
                uploaded_at,
                _("Document added: %(kind)s") % {"kind": kinds[kind]},
                title,
                by,
                f"{offender.get_absolute_url()}#documents",
            )
        )
    return entries


def _referral_entries(offender: Offender) -> list[TimelineEntry]:
    statuses = _labels(Referral.Status.choices)
    received = _("Referral received")
    entries = []
    referrals = offender.referrals.select_related("referring_agency").only(
        "offender_id",
        "public_id",
        "status",
        "reason",
        "submitted_at",
        "decided_at",
        "decision_notes",
        "referring_agency__name",
    )
    for referral in referrals:
        url = referral.get_absolute_url()
        entries.append(
            TimelineEntry(
                referral.submitted_at, received, referral.reason, referral.referring_agency.name, url
            )
        )
        if referral.decided_at:
            title = _("Referral %(status)s") % {"status": statuses[referral.status].lower()}
            entries.append(TimelineEntry(referral.decided_at, title, referral.decision_notes, url=url))
    return entries


def _placement_entries(offender: Offender, entries: list[TimelineEntry]) -> dict[int, str]:
    """Each booking and what became of it, appended to `entries`; returns each placement's URL."""
    statuses = _labels(Placement.Status.choices)
    reasons = _labels(DepartureReason.choices)
    destinations = _labels(Destination.choices)
    transfer_reasons = _labels(Transfer.Reason.choices)
    urls = {}

    def urls_of(transfer: Transfer) -> str:
        return transfer.to_placement.get_absolute_url()

    placements = (
        offender.placements.select_related(
            "bedspace__property", "transfer_out__to_placement__bedspace__property", "transfer_in"
        )
        .defer("notes", "bedspace__property__notes")
        .prefetch_related(
            Prefetch("licence_terms", queryset=LicenceTerm.objects.filter(number__gt=1).order_by("number"))
        )
    )
    for placement in placements:
        url = urls[placement.pk] = placement.get_absolute_url()
        place = str(placement.bedspace)
        moved_in = getattr(placement, "transfer_in", None) is not None
        if not moved_in:  # a move's new placement is told by the move's entry
            entries.append(
                TimelineEntry(
                    placement.created_at,
                    _("Bedspace booked"),
                    _("%(place)s from %(start)s") % {"place": place, "start": day(placement.starts_on)},
                    url=url,
                )
            )
        if placement.status in Placement.RELEASED_STATUSES:
            title = _("Booking %(status)s") % {"status": statuses[placement.status].lower()}
            entries.append(TimelineEntry(placement.updated_at, title, placement.cancellation_reason, url=url))
        if placement.arrived_on and not moved_in:
            entries.append(TimelineEntry(placement.arrived_on, _("Arrived"), place, url=url))
        for term in placement.licence_terms.all():
            title = _("Licence renewed (term %(number)s, %(days)s days)") % {
                "number": term.number,
                "days": term.days,
            }
            entries.append(TimelineEntry(term.starts_on, title, term.reason, url=url))
        moved_out = getattr(placement, "transfer_out", None)
        if moved_out is not None:
            description = _("From %(from)s to %(to)s. %(reason)s: %(details)s") % {
                "from": place,
                "to": moved_out.to_placement.bedspace,
                "reason": transfer_reasons[moved_out.reason],
                "details": moved_out.details,
            }
            entries.append(
                TimelineEntry(
                    moved_out.moved_on, _("Moved to another bedspace"), description, url=urls_of(moved_out)
                )
            )
        elif placement.departed_on:
            description = f"{reasons.get(placement.departure_reason, '')}. {destinations.get(placement.destination, '')}."
            entries.append(
                TimelineEntry(placement.departed_on, _("Left the placement"), description, url=url)
            )
    return urls


def _licence_entries(offender: Offender, placement_urls: dict[int, str]) -> list[TimelineEntry]:
    """Warnings under the licence to occupy, a licence ended for a breach, and sharing conflicts
    overridden: three queries."""
    levels = _labels(WarningLevel.choices)
    kinds = _labels(BreachEndingKind.choices)
    entries = []
    warnings = LicenceWarning.objects.filter(placement__offender=offender).values_list(
        "issued_on",
        "level",
        "condition",
        "what_happened",
        "issued_by__first_name",
        "issued_by__last_name",
        "issued_by__username",
        "placement_id",
    )
    for issued_on, level, condition, what_happened, first, last, username, placement_id in warnings:
        description = _("Condition breached: %(condition)s") % {"condition": condition} + "\n" + what_happened
        by = f"{first} {last}".strip() or username
        entries.append(
            TimelineEntry(issued_on, levels[level], description, by, placement_urls.get(placement_id, ""))
        )
    endings = LicenceBreachEnding.objects.filter(placement__offender=offender).values_list(
        "notice_on", "kind", "leave_by", "reason", "placement_id"
    )
    for notice_on, kind, leave_by, reason, placement_id in endings:
        title = _("Licence ended for a breach: %(kind)s") % {"kind": kinds[kind].lower()}
        description = _("The licence ends on %(day)s.") % {"day": day(leave_by)} + "\n" + reason
        entries.append(TimelineEntry(notice_on, title, description, url=placement_urls.get(placement_id, "")))
    # Only that it happened: the conflicts (other residents' risks) and the reason are on the
    # placement's page, for the IOM team.
    overrides = SharingOverride.objects.filter(placement__offender=offender).values_list(
        "decided_at",
        "change",
        "decided_by__first_name",
        "decided_by__last_name",
        "decided_by__username",
        "placement_id",
    )
    changes = _labels(SharingOverride.Change.choices)
    for decided_at, change, first, last, username, placement_id in overrides:
        title = _("Sharing conflict overridden: %(change)s") % {"change": changes[change].lower()}
        by = f"{first} {last}".strip() or username
        entries.append(TimelineEntry(decided_at, title, "", by, placement_urls.get(placement_id, "")))
    return entries


def _visit_entries(offender: Offender, placement_urls: dict[int, str]) -> list[TimelineEntry]:
    """The latest visits and every concern one by one; then, for each stay, one entry for the
    rest of its visits (how many, when, their outcomes), linking to the placement."""
    kinds = _labels(HomeVisit.Kind.choices)
    outcomes = _labels(HomeVisit.Outcome.choices)
    visits = HomeVisit.objects.filter(placement__offender=offender)
    latest = visits.order_by("-visited_at", "-pk").values("pk")[:RECENT_VISITS]
    shown = list(
        visits.filter(Q(pk__in=latest) | Q(concern_raised=True)).values_list(
            "pk", "visited_at", "kind", "outcome", "concern_raised", "concern", "agency__name", "placement_id"
        )
    )
    entries = []
    for _pk, visited_at, kind, outcome, concern_raised, concern, agency, placement_id in shown:
        description = outcomes[outcome]
        if concern_raised:
            description += ". " + _("Concern: %(concern)s") % {"concern": concern}
        entries.append(
            TimelineEntry(visited_at, kinds[kind], description, agency, placement_urls[placement_id])
        )
    earlier = (
        visits.exclude(pk__in=[row[0] for row in shown])
        .values("placement_id", "outcome")
        .annotate(count=Count("pk"), first=Min("visited_at"), last=Max("visited_at"))
        .order_by()
    )
    stays: dict[int, dict[str, dict[str, Any]]] = {}
    for row in earlier:
        stays.setdefault(row["placement_id"], {})[row["outcome"]] = row
    for placement_id, by_outcome in stays.items():
        rows = by_outcome.values()
        count = sum(row["count"] for row in rows)
        last = max(row["last"] for row in rows)
        title = ngettext("%(count)s earlier visit", "%(count)s earlier visits", count) % {"count": count}
        dates = _("From %(first)s to %(last)s.") % {
            "first": day(timezone.localdate(min(row["first"] for row in rows))),
            "last": day(timezone.localdate(last)),
        }
        tally = [
            _("%(outcome)s: %(count)s.") % {"outcome": label, "count": by_outcome[outcome]["count"]}
            for outcome, label in outcomes.items()
            if outcome in by_outcome
        ]
        description = " ".join([dates, *tally, _("Each visit is on the placement's page.")])
        entries.append(TimelineEntry(last, title, description, url=placement_urls[placement_id]))
    return entries
