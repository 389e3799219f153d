"""Every change to bookings, placements, licence terms, void periods and support plans: one
function each, in one transaction, with the bedspace or placement row locked and the status
checked first.

The bedspace row lock serialises bookings of one bedspace, so of two officers booking it at the
same moment the second sees the first's booking and gets a clear message; the exclusion
constraints in the database are the last line behind that.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from aftercare.services import follow_ups_reschedule, follow_ups_schedule
from agencies.models import Agency, HomeVisit
from alerts.services import Change, alerts_recheck
from iom_housing.access import Staff
from iom_housing.basis import ensure_basis, joined
from iom_housing.dates import day
from iom_housing.services import ensure_status, integrity_errors_as, locked, text_length_errors
from placements import sharing
from placements.dates import free_from
from placements.models import (
    DESTINATION_DETAILS_MAX,
    LEAVING_REASONS,
    LICENCE_TERM_MAX_DAYS,
    Bedspace,
    DepartureReason,
    Destination,
    EndingCorrection,
    LicenceTerm,
    Placement,
    Property,
    PropertyExclusion,
    SharingOverride,
    SupportAgency,
    SupportPlan,
    SupportTier,
    Transfer,
    VoidPeriod,
    ending_contradiction,
)
from placements.selectors import Hold, bedspace_holds, first_hold, latest_end
from placements.services_licence import licence_agreement_issue, renewal_refused_by_notice
from referrals.models import Offender, Referral, ReferralEvent
from referrals.services import referral_changes, referral_event_record

# An arrival (or a booking) may be recorded late, but not more than this many days after the fact.
BACKDATE_LIMIT_DAYS = 14


def _check_term_days(days: int, field: str = "days") -> None:
    if not 1 <= days <= LICENCE_TERM_MAX_DAYS:
        raise ValidationError({field: _("A licence term must be from 1 to 28 days.")})


def bedspace_hold(
    *, bedspace_id: int, starts_on: date, until: date | None, ignore_placement_id: int | None = None
) -> Hold | None:
    """What stops the bedspace being used over [starts_on, until), or None if nothing.

    A booking holds its bedspace until its `free_from` (after turnaround); `until=None` is open-ended.
    The holds are `selectors.bedspace_holds`, which Find a bedspace reads too.
    """
    holds = bedspace_holds(
        bedspace_ids=[bedspace_id],
        from_day=starts_on,
        today=timezone.localdate(),
        ignore_placement_id=ignore_placement_id,
    )[bedspace_id]
    return first_hold(holds, starts_on=starts_on, until=until)


def describe_hold(hold: Hold) -> str:
    """A hold in words, as a clause: "it runs into another booking of this bedspace from …"."""
    if hold.kind == "overrun":
        return _("the person in it is staying past their licence, which ended on %(end)s") % {
            "end": day(cast(date, hold.licence_ends_on))
        }
    if hold.kind == "booking":
        return _(
            "it runs into another booking of this bedspace from %(start)s until %(end)s (with turnaround)"
        ) % {"start": day(hold.starts_on), "end": day(cast(date, hold.until))}
    if hold.until is None:
        return _("the bedspace is void from %(start)s with no end date") % {"start": day(hold.starts_on)}
    return _("the bedspace is void from %(start)s until %(end)s") % {
        "start": day(hold.starts_on),
        "end": day(hold.until),
    }


def bedspace_clash(
    *, bedspace_id: int, starts_on: date, until: date | None, ignore_placement_id: int | None = None
) -> str | None:
    """What stops the bedspace being used over [starts_on, until), in words, or None if nothing."""
    hold = bedspace_hold(
        bedspace_id=bedspace_id, starts_on=starts_on, until=until, ignore_placement_id=ignore_placement_id
    )
    return None if hold is None else describe_hold(hold)


def _person_clash(
    *, offender_id: int, starts_on: date, ends_on: date, ignore_placement_id: int | None = None
) -> Placement | None:
    placements = Placement.objects.filter(
        offender_id=offender_id, starts_on__lt=ends_on, ends_on__gt=starts_on
    ).exclude(status__in=Placement.RELEASED_STATUSES)
    if ignore_placement_id is not None:
        placements = placements.exclude(pk=ignore_placement_id)
    return placements.select_related("bedspace__property").first()


_BOOKING_RACE = {
    "placement_no_overlap_on_bedspace": gettext_lazy(
        "Someone else has just booked this bedspace for these dates. Choose another."
    ),
    "placement_no_overlap_per_offender": gettext_lazy("This person already has a placement for these dates."),
}


def _is_this_booking(referral: Referral, *, bedspace_id: int, starts_on: date, days: int, by: Staff) -> bool:
    return (
        referral.placements.exclude(status__in=Placement.RELEASED_STATUSES)
        .filter(bedspace_id=bedspace_id, starts_on=starts_on, created_by=by)
        .filter(licence_terms__number=1, licence_terms__ends_on=starts_on + timedelta(days=days))
        .exists()
    )


def _check_suitable(bedspace: Bedspace, offender: Offender) -> None:
    """The bedspace is in use and its property suits the person (its restriction, which
    `sharing` states, and exclusions)."""
    property_ = bedspace.property
    if not (bedspace.active and property_.active):
        raise ValidationError({"bedspace": _("This bedspace is not in use.")})
    refusals = [
        c for c in sharing.property_conflicts(property_, sharing.Risks.of(offender)) if not c.overridable
    ]
    if refusals:
        raise ValidationError({"bedspace": [c.message for c in refusals]})
    exclusion = PropertyExclusion.objects.filter(property=property_, offender=offender).first()
    if exclusion is not None:
        raise ValidationError(
            {
                "bedspace": _("%(property)s is marked unsuitable for this person: %(reason)s")
                % {"property": property_.name, "reason": exclusion.reason}
            }
        )


def place_offender(
    *,
    referral_id: int,
    bedspace_id: int,
    starts_on: date,
    by: Staff,
    days: int = LICENCE_TERM_MAX_DAYS,
    expected_version: int | None = None,
    sharing_override_reason: str = "",
    sharing_seen: str = "",
) -> Placement:
    """Book an accepted referral into a bedspace: a provisional placement with its first licence term.

    `expected_version` is the referral's version when the bedspaces were shown. A stay that
    conflicts with the property or the people sharing it (`sharing`) is refused unless an IOM
    officer gives `sharing_override_reason`, kept as a `SharingOverride`; `sharing_seen` is the
    digest of the conflicts the page showed (`sharing.conflicts_digest`)."""
    _check_term_days(days)
    today = timezone.localdate()
    if starts_on < today - timedelta(days=BACKDATE_LIMIT_DAYS):
        raise ValidationError({"starts_on": _("The arrival date cannot be more than 14 days in the past.")})
    ends_on = starts_on + timedelta(days=days)

    with integrity_errors_as(_BOOKING_RACE), transaction.atomic():
        bedspace = locked(Bedspace.objects.select_related("property"), bedspace_id, _("bedspace"))
        referral = locked(Referral.objects.select_related("offender"), referral_id, _("referral"))
        ensure_basis(
            referral,
            expected_version,
            by=by,
            describe=referral_changes,
            done=lambda before, now: _is_this_booking(
                now, bedspace_id=bedspace_id, starts_on=starts_on, days=days, by=by
            ),
        )
        ensure_status(referral, Referral.Status.ACCEPTED)
        if referral.placements.exclude(status__in=Placement.RELEASED_STATUSES).exists():
            raise ValidationError(_("This referral has already been placed."))
        offender = referral.offender
        property_ = bedspace.property
        _check_suitable(bedspace, offender)
        bedspace_free_from = free_from(ends_on, property_.turnaround_days)
        clash = bedspace_clash(bedspace_id=bedspace.pk, starts_on=starts_on, until=bedspace_free_from)
        if clash:
            raise ValidationError(
                {"bedspace": _("This bedspace cannot be booked: %(clash)s.") % {"clash": clash}}
            )
        other = _person_clash(offender_id=offender.pk, starts_on=starts_on, ends_on=ends_on)
        if other is not None:
            raise ValidationError(
                {
                    "starts_on": _("This person already has a placement at %(place)s from %(start)s.")
                    % {"place": other.bedspace, "start": day(other.starts_on)}
                }
            )
        check, override = _sharing_checked(
            bedspace=bedspace,
            offender=offender,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=sharing_override_reason,
            by=by,
            seen=sharing_seen,
        )
        placement = Placement.objects.create(
            offender=offender,
            bedspace=bedspace,
            referral=referral,
            status=Placement.Status.PROVISIONAL,
            starts_on=starts_on,
            ends_on=ends_on,
            free_from=bedspace_free_from,
            created_by=by,
        )
        term = LicenceTerm.objects.create(
            placement=placement, number=1, starts_on=starts_on, ends_on=ends_on, created_by=by
        )
        licence_agreement_issue(term=term)
        if override:
            sharing.sharing_override_record(
                placement=placement,
                change=SharingOverride.Change.BOOKING,
                check=check,
                starts_on=starts_on,
                ends_on=ends_on,
                reason=override,
                by=by,
            )
        _placement_changed(placement, ReferralEvent.Kind.PLACED, Change.BOOKED)
    return placement


def _sharing_checked(
    *,
    bedspace: Bedspace,
    offender: Offender,
    starts_on: date,
    ends_on: date,
    reason: str,
    by: Staff,
    ignore_placement_ids: tuple[int, ...] = (),
    seen: str = "",
) -> tuple[sharing.SharingCheck, str]:
    """The sharing rule for a stay, with the property locked: two stays booked at once in two
    bedspaces of one property each see the other. Returns the check and the override's reason
    ("" when none is needed)."""
    Property.objects.select_for_update().filter(pk=bedspace.property_id).first()
    check = sharing.sharing_check(
        bedspace=bedspace,
        offender=offender,
        starts_on=starts_on,
        ends_on=ends_on,
        today=timezone.localdate(),
        ignore_placement_ids=ignore_placement_ids,
    )
    return check, sharing.sharing_allowed(check, override_reason=reason, by=by, seen=seen)


def _referral_changed(placement: Placement, kind: str) -> None:
    """A placement's change is part of its referral's outcome: bump the referral's `updated_at`
    so that API clients syncing with `updated_since` see it, and its version (a page showing the
    referral is out of date), and append `kind` to the events feed."""
    if placement.referral_id is not None:
        # The version is the trigger's to set; changing it here makes the row differ even when
        # the clock has not moved, so the trigger always counts the change.
        Referral.objects.filter(pk=placement.referral_id).update(
            updated_at=timezone.now(), version=F("version") + 1
        )
        referral_event_record(
            placement.referral_id,
            kind,
            status=placement.status,
            placement_id=str(placement.public_id),
            ends_on=placement.ends_on.isoformat(),
        )


def _locked_placement(placement_id: int) -> Placement:
    return locked(Placement.objects.select_related("bedspace__property"), placement_id, _("placement"))


def _placement_changes(before: Any, placement: Placement) -> str:
    """What changed in a placement since `before` (its row at an earlier version), as a clause."""
    Status = Placement.Status
    if before is None:
        return _("it is now marked “%(status)s” and its licence ends on %(end)s") % {
            "status": placement.get_status_display(),
            "end": day(placement.ends_on),
        }
    clauses = []
    if before.status != placement.status:
        if placement.status == Status.CONFIRMED:
            clauses.append(_("the booking was confirmed"))
        elif placement.status == Status.ACTIVE:
            # An active placement has arrived, an ended one has left (the model's check constraints).
            arrived_on = cast(date, placement.arrived_on)
            clauses.append(_("their arrival on %(day)s was recorded") % {"day": day(arrived_on)})
        elif placement.status == Status.NOT_ARRIVED:
            clauses.append(_("it was recorded that they did not arrive"))
        elif placement.status == Status.CANCELLED:
            clauses.append(_("the booking was cancelled"))
        elif placement.status == Status.ENDED:
            clauses.append(
                _("the placement was ended: they left on %(day)s")
                % {"day": day(cast(date, placement.departed_on))}
            )
        else:
            clauses.append(_("it is now marked “%(status)s”") % {"status": placement.get_status_display()})
    if placement.status != Status.ENDED and placement.ends_on != before.ends_on:
        if placement.ends_on > before.ends_on:
            clauses.append(_("its licence was renewed to %(end)s") % {"end": day(placement.ends_on)})
        else:
            clauses.append(_("its licence now ends on %(end)s") % {"end": day(placement.ends_on)})
    return joined(clauses) if clauses else _("its details were changed")


def _placement_for_change(
    placement_id: int,
    expected_version: int | None,
    *,
    by: Staff,
    done: Callable[[Any, Placement], bool] | None = None,
) -> Placement:
    """The placement locked, after the basis check every change of a placement makes first."""
    placement = _locked_placement(placement_id)
    ensure_basis(placement, expected_version, by=by, describe=_placement_changes, done=done)
    return placement


def _placement_changed(placement: Placement, kind: str, change: Change) -> None:
    """What every change of a placement does last: its referral's outcome, then its alerts."""
    _referral_changed(placement, kind)
    alerts_recheck(change=change, placement_id=placement.pk)


def placement_confirm(*, placement_id: int, by: Staff, expected_version: int | None = None) -> Placement:
    with transaction.atomic():
        placement = _placement_for_change(
            placement_id,
            expected_version,
            by=by,
            done=lambda before, now: now.status == Placement.Status.CONFIRMED,
        )
        ensure_status(placement, Placement.Status.PROVISIONAL)
        placement.status = Placement.Status.CONFIRMED
        placement.confirmed_at = timezone.now()
        placement.save(update_fields=["status", "confirmed_at", "updated_at"])
        _placement_changed(placement, ReferralEvent.Kind.CONFIRMED, Change.CONFIRMED)
    return placement


def arrival_due(placement: Placement, *, today: date) -> bool:
    """An arrival can be recorded from the day the booking starts, not for a booking weeks away."""
    return placement.status in Placement.BOOKED_STATUSES and placement.starts_on <= today


def placement_arrive(
    *, placement_id: int, arrived_on: date, by: Staff, expected_version: int | None = None
) -> Placement:
    """The person has moved in: the placement becomes active."""
    today = timezone.localdate()
    with transaction.atomic():
        placement = _placement_for_change(
            placement_id,
            expected_version,
            by=by,
            done=lambda before, now: now.status == Placement.Status.ACTIVE and now.arrived_on == arrived_on,
        )
        ensure_status(placement, *Placement.BOOKED_STATUSES)
        if not arrival_due(placement, today=today):
            raise ValidationError(
                _("They are not due to arrive until %(start)s. Record the arrival on or after that day.")
                % {"start": day(placement.starts_on)},
                code="arrival_not_due",
            )
        if arrived_on > today:
            raise ValidationError({"arrived_on": _("The arrival date must be today or in the past.")})
        if arrived_on < today - timedelta(days=BACKDATE_LIMIT_DAYS):
            raise ValidationError(
                {"arrived_on": _("The arrival date cannot be more than 14 days in the past.")}
            )
        if arrived_on < placement.starts_on:
            raise ValidationError(
                {
                    "arrived_on": _("The arrival date cannot be before the booking starts on %(start)s.")
                    % {"start": day(placement.starts_on)}
                }
            )
        if arrived_on >= placement.ends_on:
            raise ValidationError(
                {
                    "arrived_on": _("The arrival date must be before the licence ends on %(end)s.")
                    % {"end": day(placement.ends_on)}
                }
            )
        placement.status = Placement.Status.ACTIVE
        placement.arrived_on = arrived_on
        if placement.confirmed_at is None:
            placement.confirmed_at = timezone.now()
        placement.save(update_fields=["status", "arrived_on", "confirmed_at", "updated_at"])
        _placement_changed(placement, ReferralEvent.Kind.ARRIVED, Change.ARRIVED)
    return placement


def placement_not_arrived(
    *, placement_id: int, by: Staff, notes: str = "", expected_version: int | None = None
) -> Placement:
    """The person did not arrive: the booking no longer holds the bedspace."""
    with transaction.atomic():
        placement = _placement_for_change(
            placement_id,
            expected_version,
            by=by,
            done=lambda before, now: now.status == Placement.Status.NOT_ARRIVED,
        )
        ensure_status(placement, *Placement.BOOKED_STATUSES)
        placement.status = Placement.Status.NOT_ARRIVED
        if notes:
            placement.notes = notes
        placement.save(update_fields=["status", "notes", "updated_at"])
        _placement_changed(placement, ReferralEvent.Kind.NOT_ARRIVED, Change.NOT_ARRIVED)
    return placement


def placement_cancel(
    *, placement_id: int, reason: str, by: Staff, expected_version: int | None = None
) -> Placement:
    if not reason.strip():
        raise ValidationError({"reason": _("Enter why the booking is cancelled.")})
    with transaction.atomic():
        placement = _placement_for_change(
            placement_id,
            expected_version,
            by=by,
            done=lambda before, now: (
                now.status == Placement.Status.CANCELLED and now.cancellation_reason == reason.strip()
            ),
        )
        ensure_status(placement, *Placement.BOOKED_STATUSES)
        placement.status = Placement.Status.CANCELLED
        placement.cancellation_reason = reason.strip()
        placement.save(update_fields=["status", "cancellation_reason", "updated_at"])
        _placement_changed(placement, ReferralEvent.Kind.CANCELLED, Change.CANCELLED)
    return placement


def _is_this_renewal(before: Any, placement: Placement, *, days: int, reason: str, by: Staff) -> bool:
    """Whether the one term added since `before` is the renewal asked for (the form sent twice)."""
    if before is None:
        return False
    added = list(placement.licence_terms.filter(starts_on__gte=before.ends_on).order_by("number"))
    return (
        len(added) == 1
        and added[0].starts_on == before.ends_on
        and (added[0].ends_on - added[0].starts_on).days == days
        and added[0].reason == reason.strip()
        and added[0].created_by_id == by.pk
    )


def renewal_refusal(
    *, placement: Placement, hold: Hold, ends_on: date, turnaround_days: int, longest: date | None
) -> ValidationError:
    """Why a renewal to `ends_on` cannot be granted, as an error on "days" with code
    "renewal_blocked": what is in the way, the turnaround the property needs before it, the
    longest renewal possible, and that the person can be moved to another bedspace. Its params
    carry the same facts (`next_starts_on`, `turnaround_days`, `longest_days`, `longest_ends_on`
    as dates and numbers) for a page that offers the move."""
    if hold.kind == "booking":
        what = _(
            "the next booking of this bedspace starts on %(next_start)s (it holds the bedspace until "
            "%(next_until)s, with turnaround)"
        ) % {"next_start": day(hold.starts_on), "next_until": day(cast(date, hold.until))}
    else:
        what = describe_hold(hold)
    turnaround = ngettext(
        "the property needs %(count)d working day of turnaround before it (weekends and bank holidays"
        " are not counted)",
        "the property needs %(count)d working days of turnaround before it (weekends and bank holidays"
        " are not counted)",
        turnaround_days,
    ) % {"count": turnaround_days}
    refused = _("A licence until %(end)s cannot be granted: %(what)s, and %(turnaround)s.") % {
        "end": day(ends_on),
        "what": what,
        "turnaround": turnaround,
    }
    if longest is None:
        possible = _("No renewal is possible in this bedspace.")
    else:
        longest_days = (longest - placement.ends_on).days
        possible = ngettext(
            "The longest renewal possible is %(days)d day, to %(end)s.",
            "The longest renewal possible is %(days)d days, to %(end)s.",
            longest_days,
        ) % {"days": longest_days, "end": day(longest)}
    move = _("To keep them housed beyond that, move them to another bedspace.")
    return ValidationError(
        {
            "days": ValidationError(
                f"{refused} {possible} {move}",
                code="renewal_blocked",
                params={
                    "placement_id": placement.pk,
                    "next_starts_on": hold.starts_on,
                    "hold": hold.kind,
                    "turnaround_days": turnaround_days,
                    "longest_days": None if longest is None else (longest - placement.ends_on).days,
                    "longest_ends_on": longest,
                },
            )
        }
    )


def licence_renew(
    *,
    placement_id: int,
    days: int,
    reason: str,
    by: Staff,
    expected_version: int | None = None,
    sharing_override_reason: str = "",
) -> LicenceTerm:
    """Add the next licence term, starting the day the last one ends.

    `expected_version` is the placement's version the renewal was decided on: a renewal on a page
    opened before another renewal (two officers, or one double click) is refused, never a second
    term (docs/adr/006-stale-form-basis.md)."""
    _check_term_days(days)
    if not reason.strip():
        raise ValidationError({"reason": _("Enter the reason for renewing the licence.")})
    with integrity_errors_as(_BOOKING_RACE), transaction.atomic():
        placement = _placement_for_change(
            placement_id,
            expected_version,
            by=by,
            done=lambda before, now: _is_this_renewal(before, now, days=days, reason=reason, by=by),
        )
        Bedspace.objects.select_for_update().filter(pk=placement.bedspace_id).first()
        ensure_status(
            placement, Placement.Status.PROVISIONAL, Placement.Status.CONFIRMED, Placement.Status.ACTIVE
        )
        renewal_refused_by_notice(placement)
        last = placement.licence_terms.aggregate(number=Max("number"))["number"] or 0
        starts_on = placement.ends_on
        ends_on = starts_on + timedelta(days=days)
        turnaround = placement.bedspace.property.turnaround_days
        new_free_from = free_from(ends_on, turnaround)
        holds = bedspace_holds(
            bedspace_ids=[placement.bedspace_id],
            from_day=starts_on,
            today=timezone.localdate(),
            ignore_placement_id=placement.pk,
        )[placement.bedspace_id]
        hold = first_hold(holds, starts_on=starts_on, until=new_free_from)
        if hold is not None:
            longest = latest_end(
                holds, starts_on=starts_on, max_days=LICENCE_TERM_MAX_DAYS, turnaround_days=turnaround
            )
            raise renewal_refusal(
                placement=placement, hold=hold, ends_on=ends_on, turnaround_days=turnaround, longest=longest
            )
        other = _person_clash(
            offender_id=placement.offender_id,
            starts_on=starts_on,
            ends_on=ends_on,
            ignore_placement_id=placement.pk,
        )
        if other is not None:
            raise ValidationError(
                {
                    "days": _("This person has another placement from %(start)s.")
                    % {"start": day(other.starts_on)}
                }
            )
        # Only the new nights: whoever shares them (a co-resident booked since) is weighed again.
        check, override = _sharing_checked(
            bedspace=placement.bedspace,
            offender=placement.offender,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=sharing_override_reason,
            by=by,
            ignore_placement_ids=(placement.pk,),
        )
        term = LicenceTerm.objects.create(
            placement=placement,
            number=last + 1,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason.strip(),
            created_by=by,
        )
        licence_agreement_issue(term=term)
        if override:
            sharing.sharing_override_record(
                placement=placement,
                change=SharingOverride.Change.RENEWAL,
                check=check,
                starts_on=starts_on,
                ends_on=ends_on,
                reason=override,
                by=by,
            )
        placement.ends_on = ends_on
        placement.free_from = new_free_from
        placement.save(update_fields=["ends_on", "free_from", "updated_at"])
        _placement_changed(placement, ReferralEvent.Kind.RENEWED, Change.RENEWED)
    return term


def placement_end(
    *,
    placement_id: int,
    departed_on: date,
    reason: str,
    destination: str,
    by: Staff,
    destination_details: str = "",
    expected_version: int | None = None,
) -> Placement:
    """The person has left: record when, why and where to; the bedspace is free after turnaround."""
    destination_details = _ending_errors(
        departed_on=departed_on,
        reason=reason,
        destination=destination,
        destination_details=destination_details,
    )
    with integrity_errors_as(_BOOKING_RACE), transaction.atomic():
        placement = _placement_for_change(
            placement_id,
            expected_version,
            by=by,
            done=lambda before, now: (
                now.status == Placement.Status.ENDED
                and (now.departed_on, now.departure_reason, now.destination, now.destination_details)
                == (departed_on, reason, destination, destination_details)
            ),
        )
        Bedspace.objects.select_for_update().filter(pk=placement.bedspace_id).first()
        ensure_status(placement, Placement.Status.ACTIVE)
        new_free_from = _departure_checked(placement, departed_on)
        placement.status = Placement.Status.ENDED
        placement.departed_on = departed_on
        placement.departure_reason = reason
        placement.destination = destination
        placement.destination_details = destination_details
        placement.ends_on = departed_on
        placement.free_from = new_free_from
        placement.save(
            update_fields=[
                "status",
                "departed_on",
                "departure_reason",
                "destination",
                "destination_details",
                "ends_on",
                "free_from",
                "updated_at",
            ]
        )
        # Follow-up checks after leaving (3, 6 and 12 months: FOLLOW_UP_MONTHS), before the
        # alerts' re-check, which raises one already due for a departure recorded late.
        follow_ups_schedule(placement_ids=[placement.pk])
        _placement_changed(placement, ReferralEvent.Kind.DEPARTED, Change.ENDED)
    return placement


def _ending_errors(*, departed_on: date, reason: str, destination: str, destination_details: str) -> str:
    """The checks of an ending's answers on their own (before any row is read); returns the
    destination's details as kept (trimmed; "Other" only)."""
    errors: dict[str, Any] = {}
    details = destination_details.strip()
    # A move to another bedspace is `placement_transfer`'s, never a leaving.
    if reason not in dict(LEAVING_REASONS):
        errors["reason"] = _("Select the reason for leaving.")
    if destination not in Destination.values:
        errors["destination"] = _("Select where the person moved on to.")
    elif destination == Destination.OTHER and not details:
        errors["destination_details"] = _("Enter where they moved on to.")
    elif destination == Destination.OTHER and len(details) > DESTINATION_DETAILS_MAX:
        errors["destination_details"] = _(
            "Where they moved on to must be %(limit)s characters or fewer (it is %(length)s)."
        ) % {"limit": DESTINATION_DETAILS_MAX, "length": len(details)}
    if not errors:
        contradiction = ending_contradiction(reason, destination)
        if contradiction:
            errors["destination"] = contradiction
    if departed_on > timezone.localdate():
        errors["departed_on"] = _("The departure date must be today or in the past.")
    if errors:
        raise ValidationError(errors)
    return details if destination == Destination.OTHER else ""


def _departure_checked(placement: Placement, departed_on: date) -> date:
    """Refuse a departure date the stay's record contradicts (before arrival, a visit at the
    property after it, a clash with the next stay); returns when the bedspace is then free."""
    arrived_on = cast(date, placement.arrived_on)  # an active placement has (placement_arrived_has_date)
    if departed_on <= arrived_on:
        raise ValidationError(
            {
                "departed_on": _("The departure date must be after the arrival date, %(arrived)s.")
                % {"arrived": day(arrived_on)}
            }
        )
    last_home_visit = (
        placement.visits.filter(kind=HomeVisit.Kind.HOME, outcome=HomeVisit.Outcome.SEEN)
        .order_by("-visited_at")
        .values_list("visited_at", flat=True)
        .first()
    )
    if last_home_visit and timezone.localdate(last_home_visit) > departed_on:
        raise ValidationError(
            {
                "departed_on": _("They were seen at the property on %(day)s, after this departure date.")
                % {"day": day(timezone.localdate(last_home_visit))}
            }
        )
    new_free_from = free_from(departed_on, placement.bedspace.property.turnaround_days)
    clash = bedspace_clash(
        bedspace_id=placement.bedspace_id,
        starts_on=placement.starts_on,
        until=new_free_from,
        ignore_placement_id=placement.pk,
    )
    if clash:
        raise ValidationError(
            {"departed_on": _("This departure date cannot be recorded: %(clash)s.") % {"clash": clash}}
        )
    return new_free_from


ENDING_FIELDS = ("departed_on", "departure_reason", "destination", "destination_details")


def placement_ending_correct(
    *,
    placement_id: int,
    departed_on: date,
    reason: str,
    destination: str,
    correction_reason: str,
    by: Staff,
    destination_details: str = "",
    expected_version: int | None = None,
) -> EndingCorrection:
    """Correct an ended placement's departure date, reason or destination, with why: the same
    checks as the ending itself, the values before and after kept (`EndingCorrection`) and in the
    placement's history. A new departure date moves when the bedspace is free and the follow-up
    checks not yet recorded."""
    correction_reason = correction_reason.strip()
    errors: dict[str, Any] = {}
    try:
        destination_details = _ending_errors(
            departed_on=departed_on,
            reason=reason,
            destination=destination,
            destination_details=destination_details,
        )
    except ValidationError as error:
        errors |= error.error_dict
    if not correction_reason:
        errors["correction_reason"] = _("Enter the reason for the correction.")
    else:
        errors |= text_length_errors({"correction_reason": correction_reason})
    if errors:
        raise ValidationError(errors)
    with integrity_errors_as(_BOOKING_RACE), transaction.atomic():
        placement = _placement_for_change(placement_id, expected_version, by=by)
        Bedspace.objects.select_for_update().filter(pk=placement.bedspace_id).first()
        ensure_status(placement, Placement.Status.ENDED)
        if Transfer.objects.filter(from_placement=placement).exists():
            raise ValidationError(
                _(
                    "This stay ended with a move to another bedspace: which is not a leaving: correct the ending of the stay that followed."
                )
            )
        wanted = {
            "departed_on": departed_on,
            "departure_reason": reason,
            "destination": destination,
            "destination_details": destination_details,
        }
        changes = {
            name: [_json(getattr(placement, name)), _json(value)]
            for name, value in wanted.items()
            if getattr(placement, name) != value
        }
        if not changes:
            raise ValidationError(_("Nothing has changed: change the date, the reason or the destination."))
        if "departed_on" in changes:
            placement.free_from = _departure_checked(placement, departed_on)
            placement.ends_on = departed_on
        for name, value in wanted.items():
            setattr(placement, name, value)
        placement.save(update_fields=[*ENDING_FIELDS, "ends_on", "free_from", "updated_at"])
        correction = EndingCorrection.objects.create(
            placement=placement, corrected_by=by, reason=correction_reason, changes=changes
        )
        if "departed_on" in changes:
            follow_ups_reschedule(placement_id=placement.pk)
        alerts_recheck(change=Change.ENDED, placement_id=placement.pk)
    return correction


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def void_add(
    *, bedspace_id: int, starts_on: date, ends_on: date | None, reason: str, by: Staff, notes: str = ""
) -> VoidPeriod:
    """Take a bedspace out of use (repairs, damage) from `starts_on` until the day before `ends_on`."""
    if reason not in VoidPeriod.Reason.values:
        raise ValidationError({"reason": _("Select the reason the bedspace is out of use.")})
    if ends_on is not None and ends_on <= starts_on:
        raise ValidationError(
            {"ends_on": _("The date it is back in use must be after the first day out of use.")}
        )
    with (
        integrity_errors_as(
            {"void_no_overlap_on_bedspace": _("This bedspace already has a void period over these dates.")}
        ),
        transaction.atomic(),
    ):
        locked(Bedspace.objects, bedspace_id, _("bedspace"))
        clash = bedspace_clash(bedspace_id=bedspace_id, starts_on=starts_on, until=ends_on)
        if clash:
            raise ValidationError(
                {"starts_on": _("The bedspace cannot be made void: %(clash)s.") % {"clash": clash}}
            )
        return VoidPeriod.objects.create(
            bedspace_id=bedspace_id,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason,
            notes=notes,
            created_by=by,
        )


def _void_changes(before: Any, void: VoidPeriod) -> str:
    if void.ends_on is not None and (before is None or before.ends_on != void.ends_on):
        return _("the bedspace is back in use from %(day)s") % {"day": day(void.ends_on)}
    return _("its details were changed")


def void_end(*, void_id: int, ends_on: date, by: Staff, expected_version: int | None = None) -> VoidPeriod:
    """Put a bedspace back in use from `ends_on` (shortening a void never creates a clash)."""
    with transaction.atomic():
        void = locked(VoidPeriod.objects, void_id, _("void period"))
        ensure_basis(
            void,
            expected_version,
            by=by,
            describe=_void_changes,
            done=lambda before, now: now.ends_on == ends_on,
        )
        if ends_on <= void.starts_on:
            raise ValidationError(
                {
                    "ends_on": _("The bedspace must come back into use after %(start)s.")
                    % {"start": day(void.starts_on)}
                }
            )
        if void.ends_on is not None and ends_on > void.ends_on:
            raise ValidationError(
                {"ends_on": _("A void can be shortened here, not lengthened: add a new void period.")}
            )
        void.ends_on = ends_on
        void.save(update_fields=["ends_on", "updated_at"])
    return void


def property_exclusion_add(
    *, property_id: int, offender_id: int, reason: str, by: Staff
) -> PropertyExclusion:
    if not reason.strip():
        raise ValidationError({"reason": _("Enter why the property is unsuitable for this person.")})
    with (
        integrity_errors_as(
            {"exclusion_unique_per_person": _("This property is already marked unsuitable for this person.")}
        ),
        transaction.atomic(),
    ):
        return PropertyExclusion.objects.create(
            property_id=property_id, offender_id=offender_id, reason=reason.strip(), created_by=by
        )


# Support plans ---------------------------------------------------------------------------------

VISIT_EVERY_DAYS_MAX = 28


def _plan_changes(before: Any, plan: SupportPlan) -> str:
    """A support plan as it is now (its agencies are rows of their own, so the plan's history alone
    cannot say what it was)."""
    names = [row.agency.name for row in plan.support_agencies.filter(ended_on=None).select_related("agency")]
    return _("it is now %(tier)s, with visits by %(agencies)s") % {
        "tier": plan.get_tier_display(),
        "agencies": ", ".join(sorted(names)) or _("no agency"),
    }


def _is_this_plan(plan: SupportPlan, *, tier: str, agencies: dict[int, int], notes: str) -> bool:
    current = dict(plan.support_agencies.filter(ended_on=None).values_list("agency_id", "visit_every_days"))
    return plan.tier == tier and plan.notes == notes.strip() and current == agencies


def support_plan_set(
    *,
    placement_id: int,
    tier: str,
    agencies: dict[int, int],
    by: Staff,
    notes: str = "",
    expected_version: int | None = None,
) -> SupportPlan:
    """Set which agencies support a placement, how often each visits, and the support tier.

    `agencies` maps an agency's id to its visit frequency in days (1 to 28; weekly is 7). An agency
    left off the list stops supporting today: its row is kept with `ended_on`, because an agency
    keeps sight of the people and placements it supported. One listed again supports it again.

    A frequency error is raised under "agencies" with code "visit_every_days" and the agency's id in
    its params, so a page can show it beside that agency's own input.

    `expected_version` is the plan's version the change was decided on (0: there was no plan yet).
    """
    errors: dict[str, list[ValidationError]] = {}
    if tier not in SupportTier.values:
        errors.setdefault("tier", []).append(ValidationError(_("Select the support tier.")))
    if not agencies:
        errors.setdefault("agencies", []).append(
            ValidationError(_("Select at least one agency that supports this placement."), code="required")
        )
    known = {agency.pk: agency for agency in Agency.objects.filter(pk__in=list(agencies))}
    for agency_id, every in agencies.items():
        agency = known.get(agency_id)
        if agency is None:
            errors.setdefault("agencies", []).append(
                ValidationError(_("One of the agencies was not found."), code="not_found")
            )
        elif not agency.active or agency.kind == Agency.Kind.COMMISSIONER:
            errors.setdefault("agencies", []).append(
                ValidationError(
                    _("%(agency)s cannot support a placement: it is not a visiting agency in use."),
                    code="inactive",
                    params={"agency": agency.name, "agency_id": agency.pk},
                )
            )
        if not (isinstance(every, int) and 1 <= every <= VISIT_EVERY_DAYS_MAX):
            errors.setdefault("agencies", []).append(
                ValidationError(
                    _("Visits by %(agency)s must be every 1 to 28 days."),
                    code="visit_every_days",
                    params={"agency": agency.name if agency else agency_id, "agency_id": agency_id},
                )
            )
    if errors:
        raise ValidationError(errors)

    today = timezone.localdate()
    with transaction.atomic():
        placement = _locked_placement(placement_id)
        ensure_status(
            placement,
            Placement.Status.PROVISIONAL,
            Placement.Status.CONFIRMED,
            Placement.Status.ACTIVE,
            Placement.Status.ENDED,
        )
        # The placement's lock serialises changes to its plan, so the plan read here is current.
        existing = SupportPlan.objects.filter(placement=placement).first()
        if existing is not None:
            ensure_basis(
                existing,
                expected_version,
                by=by,
                describe=_plan_changes,
                done=lambda before, now: _is_this_plan(now, tier=tier, agencies=agencies, notes=notes),
            )
        plan, created = SupportPlan.objects.get_or_create(
            placement=placement, defaults={"tier": tier, "notes": notes.strip()}
        )
        if not created:
            plan.tier = tier
            plan.notes = notes.strip()
            # A change of its agencies alone is a change of the plan: its version moves (the
            # trigger sets it; changing it here makes the row differ whatever the clock says).
            plan.version = F("version") + 1
            plan.save(update_fields=["tier", "notes", "version", "updated_at"])
            plan.refresh_from_db(fields=["version"])
        current = {row.agency_id: row for row in plan.support_agencies.select_for_update()}
        for agency_id, every in agencies.items():
            row = current.get(agency_id)
            if row is None:
                SupportAgency.objects.create(support_plan=plan, agency_id=agency_id, visit_every_days=every)
            elif row.visit_every_days != every or row.ended_on is not None:
                row.visit_every_days = every
                row.ended_on = None
                row.save(update_fields=["visit_every_days", "ended_on", "updated_at"])
        for agency_id, row in current.items():
            if agency_id not in agencies and row.ended_on is None:
                row.ended_on = today
                row.save(update_fields=["ended_on", "updated_at"])
        alerts_recheck(change=Change.SUPPORT_PLAN_SET, placement_id=placement.pk)
    return plan


# Moving a person to another bedspace ---------------------------------------------------------

TRANSFER_DETAILS_MAX = 2000


def placement_transfer(
    *,
    placement_id: int,
    bedspace_id: int,
    moved_on: date,
    reason: str,
    details: str,
    by: Staff,
    days: int = LICENCE_TERM_MAX_DAYS,
    expected_version: int | None = None,
    sharing_override_reason: str = "",
) -> Transfer:
    """Move the person in an active placement to another bedspace on `moved_on` (for a repair, an
    incident or a risk): the placement ends that day ("moved to another bedspace", no move-on
    destination: it is not a leaving) and a new one starts and is arrived at that day, on a first
    licence term of `days`, for the same referral and with the same support plan.

    The new bedspace must be free for the new term and its turnaround, as a booking must; both
    bedspaces are locked, in id order, so two moves at once cannot deadlock or double-book."""
    errors: dict[str, str] = {}
    if reason not in Transfer.Reason.values:
        errors["reason"] = _("Select why they are moving.")
    if not details.strip():
        errors["details"] = _("Enter what happened and why they are moving.")
    elif len(details.strip()) > TRANSFER_DETAILS_MAX:
        errors["details"] = _("The details must be 2,000 characters or fewer.")
    if not 1 <= days <= LICENCE_TERM_MAX_DAYS:
        errors["days"] = _("A licence term must be from 1 to 28 days.")
    today = timezone.localdate()
    if moved_on > today:
        errors["moved_on"] = _("The date of the move must be today or in the past.")
    elif moved_on < today - timedelta(days=BACKDATE_LIMIT_DAYS):
        errors["moved_on"] = _("The date of the move cannot be more than 14 days in the past.")
    if errors:
        raise ValidationError(errors)
    ends_on = moved_on + timedelta(days=days)
    with integrity_errors_as(_BOOKING_RACE), transaction.atomic():
        placement = _placement_for_change(
            placement_id,
            expected_version,
            by=by,
            done=lambda before, now: (
                now.departure_reason == DepartureReason.TRANSFERRED
                and Transfer.objects.filter(
                    from_placement=now, to_placement__bedspace_id=bedspace_id, moved_on=moved_on
                ).exists()
            ),
        )
        ensure_status(placement, Placement.Status.ACTIVE)
        if bedspace_id == placement.bedspace_id:
            raise ValidationError({"bedspace": _("Choose a different bedspace from the one they are in.")})
        for pk in sorted((placement.bedspace_id, bedspace_id)):
            locked(Bedspace.objects, pk, _("bedspace"))
        target = Bedspace.objects.select_related("property").get(pk=bedspace_id)
        offender = Offender.objects.get(pk=placement.offender_id)
        _check_suitable(target, offender)
        arrived_on = cast(date, placement.arrived_on)  # an active placement has (placement_arrived_has_date)
        if moved_on <= arrived_on:
            raise ValidationError(
                {
                    "moved_on": _("The date of the move must be after they arrived, on %(arrived)s.")
                    % {"arrived": day(arrived_on)}
                }
            )
        target_free_from = free_from(ends_on, target.property.turnaround_days)
        hold = bedspace_hold(bedspace_id=target.pk, starts_on=moved_on, until=target_free_from)
        if hold is not None:
            raise ValidationError(
                {
                    "bedspace": _("%(bedspace)s is not free from %(start)s to %(end)s: %(why)s.")
                    % {
                        "bedspace": target,
                        "start": day(moved_on),
                        "end": day(ends_on),
                        "why": describe_hold(hold),
                    }
                }
            )
        other = _person_clash(
            offender_id=offender.pk, starts_on=moved_on, ends_on=ends_on, ignore_placement_id=placement.pk
        )
        if other is not None:
            raise ValidationError(
                {
                    "days": _("This person already has a placement at %(place)s from %(start)s.")
                    % {"place": other.bedspace, "start": day(other.starts_on)}
                }
            )
        check, override = _sharing_checked(
            bedspace=target,
            offender=offender,
            starts_on=moved_on,
            ends_on=ends_on,
            reason=sharing_override_reason,
            by=by,
            ignore_placement_ids=(placement.pk,),
        )
        placement.status = Placement.Status.ENDED
        placement.departed_on = moved_on
        placement.departure_reason = DepartureReason.TRANSFERRED
        placement.destination = ""
        placement.ends_on = moved_on
        placement.free_from = free_from(moved_on, placement.bedspace.property.turnaround_days)
        placement.save(
            update_fields=[
                "status",
                "departed_on",
                "departure_reason",
                "destination",
                "ends_on",
                "free_from",
                "updated_at",
            ]
        )
        moved = Placement.objects.create(
            offender=offender,
            bedspace=target,
            referral_id=placement.referral_id,
            status=Placement.Status.ACTIVE,
            starts_on=moved_on,
            ends_on=ends_on,
            free_from=target_free_from,
            confirmed_at=timezone.now(),
            arrived_on=moved_on,
            created_by=by,
        )
        LicenceTerm.objects.create(
            placement=moved,
            number=1,
            starts_on=moved_on,
            ends_on=ends_on,
            reason=_("Moved from %(bedspace)s") % {"bedspace": placement.bedspace},
            created_by=by,
        )
        plan = SupportPlan.objects.filter(placement=placement).first()
        if plan is not None:
            new_plan = SupportPlan.objects.create(placement=moved, tier=plan.tier, notes=plan.notes)
            SupportAgency.objects.bulk_create(
                SupportAgency(
                    support_plan=new_plan, agency_id=row.agency_id, visit_every_days=row.visit_every_days
                )
                for row in plan.support_agencies.filter(ended_on=None)
            )
        transfer = Transfer.objects.create(
            from_placement=placement,
            to_placement=moved,
            moved_on=moved_on,
            reason=reason,
            details=details.strip(),
            created_by=by,
        )
        if override:
            sharing.sharing_override_record(
                placement=moved,
                change=SharingOverride.Change.TRANSFER,
                check=check,
                starts_on=moved_on,
                ends_on=ends_on,
                reason=override,
                by=by,
            )
        # No follow-up checks: they are scheduled when the person leaves the scheme.
        _placement_changed(placement, ReferralEvent.Kind.TRANSFERRED, Change.ENDED)
        alerts_recheck(change=Change.ARRIVED, placement_id=moved.pk)
    return transfer
