"""Reads for the audit pages (scheme managers only): the access log, records due for retention
review, and everything held about one person for a subject access request."""

from __future__ import annotations

import calendar
from collections.abc import Collection, Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Model, Q, QuerySet

from agencies.models import HomeVisit, VisitCorrection
from alerts.models import Alert
from audit.history import record_history
from audit.models import AccessLogEntry, RetentionReview
from casefiles.models import CaseNote, CaseNoteCorrection, Document
from iom_housing.dates import day_short
from placements.models import (
    LicenceTerm,
    Placement,
    PropertyExclusion,
    SharingOverride,
    SupportAgency,
    SupportPlan,
)
from referrals.models import Offender, OffenderEvent, Referral

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def years_before(day: date, years: int) -> date:
    """The latest last activity whose review (`review_date`) falls on or before `day`."""
    try:
        earlier = day.replace(year=day.year - years)
    except ValueError:  # 29 February, in a year that has none
        return day.replace(year=day.year - years, day=28)
    if (day.month, day.day) == (2, 28) and calendar.isleap(earlier.year) and not calendar.isleap(day.year):
        # A record last active on 29 February is reviewed on 28 February, with that day's.
        return earlier.replace(day=29)
    return earlier


def review_date(offender: Offender) -> date | None:
    """When the record is (or was) due for review: the date a review set, else the rule's."""
    if offender.retain_until:
        return offender.retain_until
    if offender.last_activity_on is None:
        return None
    last = offender.last_activity_on
    years = settings.RETENTION_REVIEW_YEARS
    try:
        return last.replace(year=last.year + years)
    except ValueError:
        return last.replace(year=last.year + years, day=28)


def retention_due(*, today: date) -> QuerySet[Offender]:
    """People whose record is due for review on `today`: no activity for RETENTION_REVIEW_YEARS
    and no later review date set, or a review date that has come. Both halves use a partial
    index; erased records are never due again."""
    cutoff = years_before(today, settings.RETENTION_REVIEW_YEARS)
    return (
        Offender.objects.filter(erased_at__isnull=True)
        .filter(
            Q(retain_until__isnull=True, last_activity_on__lte=cutoff)
            | Q(retain_until__isnull=False, retain_until__lte=today)
        )
        .order_by("last_activity_on", "pk")
    )


def access_log_search(
    *,
    user: User | None = None,
    offender: Offender | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AccessLogEntry]:
    entries = AccessLogEntry.objects.select_related("user", "api_client__application", "api_client__agency")
    if user is not None:
        entries = entries.filter(user=user)
    if offender is not None:
        entries = entries.filter(offender_ids__contains=[offender.pk])
    if date_from is not None:
        entries = entries.filter(at__date__gte=date_from)
    if date_to is not None:
        entries = entries.filter(at__date__lte=date_to)
    return entries.order_by("-at", "-pk")


def people_by_id(ids: Iterable[int]) -> dict[int, Offender]:
    """The people named in a page of log rows, in one query."""
    return Offender.objects.only("pk", "public_id", "first_name", "last_name", "erased_at").in_bulk(set(ids))


# Subject access -------------------------------------------------------------------------------


def _fields(obj: Model, exclude: Collection[str] = ()) -> dict[str, Any]:
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in exclude:
            continue
        value = getattr(obj, field.attname)
        data[field.attname] = value
    return data


def _history(obj: Model) -> list[dict[str, Any]]:
    return [
        {
            "at": change.at,
            "change": change.label,
            "by": change.who,
            "request": f"{change.method} {change.url}".strip(),
            "fields": {name: {"before": before, "after": after} for name, before, after in change.fields},
        }
        for change in record_history(obj, limit=1000)
    ]


def _item(
    key: str, title: str, record: Model, *, with_history: bool = True, exclude: Collection[str] = ()
) -> dict[str, Any]:
    """One item of a subject access export: a record about the person, less its own id and the
    person's (the export is about them), with its change history where it keeps one."""
    return {
        "key": key,
        "title": title,
        "data": _fields(record, exclude=("id", "offender", *exclude)),
        "history": _history(record) if with_history else [],
    }


def subject_access_items(offender: Offender) -> list[dict[str, Any]]:
    """Everything held about one person, as a list of items a manager may redact one by one
    before release. Each item: `key` (stable), `title`, `data` (fields), `history` (changes)."""
    items: list[dict[str, Any]] = [
        {
            "key": "person",
            "title": "Personal details",
            "data": _fields(offender, exclude=("id",)),
            "history": _history(offender),
        }
    ]
    for referral in Referral.objects.filter(offender=offender).select_related("referring_agency"):
        items.append(
            _item(
                f"referral-{referral.pk}",
                f"Referral by {referral.referring_agency} on {day_short(referral.submitted_at)}",
                referral,
            )
        )
    for placement in Placement.objects.filter(offender=offender).select_related("bedspace__property"):
        terms = [
            _fields(t, exclude=("id", "placement")) for t in LicenceTerm.objects.filter(placement=placement)
        ]
        plan = SupportPlan.objects.filter(placement=placement).first()
        items.append(
            {
                "key": f"placement-{placement.pk}",
                "title": f"Placement at {placement.bedspace} from {day_short(placement.starts_on)}",
                "data": {
                    **_fields(placement, exclude=("id", "offender")),
                    "licence_terms": terms,
                    "support_plan": _fields(plan, exclude=("id", "placement")) if plan else None,
                    "support_agencies": [
                        _fields(s, exclude=("id", "support_plan"))
                        for s in SupportAgency.objects.filter(support_plan=plan)
                    ]
                    if plan
                    else [],
                },
                "history": _history(placement),
            }
        )
    visits = (
        HomeVisit.objects.filter(placement__offender=offender).select_related("agency").order_by("visited_at")
    )
    for visit in visits:
        items.append(
            {
                "key": f"visit-{visit.pk}",
                "title": f"{visit.get_kind_display()} by {visit.agency} on {day_short(visit.visited_at)}",
                "data": {
                    **_fields(visit, exclude=("id",)),
                    "corrections": [
                        _fields(c, exclude=("id", "visit"))
                        for c in VisitCorrection.objects.filter(visit=visit)
                    ],
                },
                "history": _history(visit),
            }
        )
    # Each its own item: its conflicts speak of other residents (unnamed), which a manager may
    # redact before release.
    overrides = SharingOverride.objects.filter(placement__offender=offender).select_related(
        "placement__bedspace"
    )
    for override in overrides:
        items.append(
            _item(
                f"sharing-override-{override.pk}",
                f"Sharing conflict overridden ({override.get_change_display()}) at "
                f"{override.placement.bedspace} on {day_short(override.decided_at)}",
                override,
            )
        )
    for event in OffenderEvent.objects.filter(offender=offender).order_by("occurred_on"):
        items.append(
            _item(f"event-{event.pk}", f"{event.get_kind_display()} on {day_short(event.occurred_on)}", event)
        )
    for exclusion in PropertyExclusion.objects.filter(offender=offender).select_related("property"):
        items.append(
            _item(
                f"exclusion-{exclusion.pk}",
                f"Property marked unsuitable: {exclusion.property}",
                exclusion,
                with_history=False,
            )
        )
    for alert in Alert.objects.filter(offender=offender):
        items.append(
            _item(
                f"alert-{alert.pk}",
                f"Alert: {alert.get_kind_display()} ({day_short(alert.raised_at)})",
                alert,
            )
        )
    for note in (
        CaseNote.objects.filter(offender=offender).select_related("agency").order_by("created_at", "pk")
    ):
        items.append(
            {
                "key": f"case-note-{note.pk}",
                "title": f"Case note by {note.agency} on {day_short(note.created_at)}",
                "data": {
                    **_fields(note, exclude=("id",)),
                    "corrections": [
                        _fields(c, exclude=("id", "note"))
                        for c in CaseNoteCorrection.objects.filter(note=note)
                    ],
                },
                "history": _history(note),
            }
        )
    # The documents are listed; their files are released with the export, each one downloaded
    # from the person's page (and so logged).
    for document in Document.objects.filter(offender=offender).order_by("uploaded_at", "pk"):
        items.append(
            _item(
                f"document-{document.pk}",
                f"Document: {document.get_kind_display()} ({day_short(document.uploaded_at)})",
                document,
                exclude=("file",),
            )
        )
    for review in RetentionReview.objects.filter(offender=offender):
        items.append(
            _item(
                f"retention-{review.pk}",
                f"Retention review on {day_short(review.decided_at)}",
                review,
                with_history=False,
            )
        )
    items.append(
        {
            "key": "access-log",
            "title": "Who has read or changed the record",
            "data": {
                "entries": [
                    {
                        "at": entry.at,
                        "by": entry.user.username
                        if entry.user
                        else (str(entry.api_client) if entry.api_client else ""),
                        "action": entry.action,
                        "record": f"{entry.model} {entry.object_ref}".strip(),
                        "address": entry.url,
                        "reason": entry.reason,
                    }
                    for entry in access_log_search(offender=offender).order_by("at", "pk")
                ]
            },
            "history": [],
        }
    )
    return items
