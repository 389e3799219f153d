"""Every write to alerts outside the scheduled sweeps: re-checking a case's alerts when a service
changes it (`alerts_recheck`, the one entry point the other apps call), raising a concern from a
visit, and acknowledging an alert.

Which alerts a change re-checks is stated once, in `RECHECKS`: the kinds whose sweep condition
reads what that change writes. The other kinds cannot be raised or resolved by it, so their
sweeps are not run; time alone moves them, and the hourly sweep follows time.
"""

from datetime import date
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from agencies.models import Agency, HomeVisit
from alerts import sweeps
from alerts.models import Alert, alert_message
from alerts.tasks import send_concern_email
from iom_housing.access import Staff
from iom_housing.services import ensure_status, locked
from outbox.services import outbox_add
from placements.models import Placement

Kind = Alert.Kind


class Change(StrEnum):
    """A change to a case that can raise or resolve alerts, named by what the service did."""

    BOOKED = "booked"
    CONFIRMED = "confirmed"
    ARRIVED = "arrived"
    NOT_ARRIVED = "not_arrived"
    CANCELLED = "cancelled"
    RENEWED = "renewed"
    ENDED = "ended"
    SUPPORT_PLAN_SET = "support_plan_set"
    VISIT_RECORDED = "visit_recorded"  # recorded or corrected
    REFERRAL_DECIDED = "referral_decided"  # accepted, declined or withdrawn
    FOLLOW_UP_RECORDED = "follow_up_recorded"
    MOVEON_ACTION_CHANGED = "moveon_action_changed"  # added, its due date or status changed


# What each sweep's condition reads (alerts/sweeps.py), and so which changes can move it:
#   licence ending       provisional, confirmed or active, and the licence's end (`ends_on`) near
#   licence overrun      active, and `ends_on` past
#   supervision ending   active, and the person's supervision licence end near or past
#   visit missed         active, the arrival date, the support plan's agencies and their visits
#   booking unconfirmed  provisional, and the arrival date (`starts_on`) come
#   arrival missing      confirmed, and `starts_on` past
#   referral undecided   the referral's status (still open) and when it was submitted
#   follow-up due        an ended placement's follow-up checks: due, and not recorded
#   move-on overdue      active, and a move-on action's status (open) and due date past
RECHECKS: dict[Change, tuple[Kind, ...]] = {
    # A new provisional booking: the two conditions a provisional booking can meet.
    Change.BOOKED: (Kind.LICENCE_ENDING, Kind.BOOKING_UNCONFIRMED),
    # Provisional to confirmed: both stay in the licence-ending statuses, with the same end.
    Change.CONFIRMED: (Kind.BOOKING_UNCONFIRMED, Kind.ARRIVAL_MISSING),
    # Booked to active (on a date up to 14 days back, so the licence may have ended since, and a
    # visit may be overdue already); the licence's end does not move.
    Change.ARRIVED: (
        Kind.BOOKING_UNCONFIRMED,
        Kind.ARRIVAL_MISSING,
        Kind.LICENCE_OVERRUN,
        Kind.SUPERVISION_ENDING,
        Kind.VISIT_MISSED,
    ),
    # A booking released: it leaves every condition a booking can meet.
    Change.NOT_ARRIVED: (Kind.LICENCE_ENDING, Kind.BOOKING_UNCONFIRMED, Kind.ARRIVAL_MISSING),
    Change.CANCELLED: (Kind.LICENCE_ENDING, Kind.BOOKING_UNCONFIRMED, Kind.ARRIVAL_MISSING),
    # Only the licence's end moves.
    Change.RENEWED: (Kind.LICENCE_ENDING, Kind.LICENCE_OVERRUN),
    # Active to ended: it leaves every condition an active placement can meet.
    # Its move-on actions are no longer overdue; its follow-up checks are scheduled then, and one
    # may be due already (a departure recorded late).
    Change.ENDED: (
        Kind.LICENCE_ENDING,
        Kind.LICENCE_OVERRUN,
        Kind.SUPERVISION_ENDING,
        Kind.VISIT_MISSED,
        Kind.MOVEON_OVERDUE,
        Kind.FOLLOWUP_DUE,
    ),
    # Which agencies visit, and how often.
    Change.SUPPORT_PLAN_SET: (Kind.VISIT_MISSED,),
    Change.VISIT_RECORDED: (Kind.VISIT_MISSED,),
    Change.REFERRAL_DECIDED: (Kind.REFERRAL_UNDECIDED,),
    Change.FOLLOW_UP_RECORDED: (Kind.FOLLOWUP_DUE,),
    Change.MOVEON_ACTION_CHANGED: (Kind.MOVEON_OVERDUE,),
}


def alerts_recheck(
    *,
    change: Change,
    placement_id: int | None = None,
    referral_id: int | None = None,
    today: date | None = None,
) -> tuple[Kind, ...]:
    """Re-check, for the one placement or referral a service has just changed, the kinds of alert
    that change can affect (`RECHECKS`), in the service's transaction, so that an alert is raised
    or resolved with the change rather than at the next hourly sweep. Returns the kinds checked."""
    kinds = RECHECKS[change]
    today = today or timezone.localdate()
    for kind in kinds:
        if kind in sweeps.REFERRAL_SWEEPS:
            if referral_id is None:
                raise TypeError(f"{change} re-checks {kind}: pass referral_id")
            sweeps.REFERRAL_SWEEPS[kind](today=today, referral_id=referral_id)
        else:
            if placement_id is None:
                raise TypeError(f"{change} re-checks {kind}: pass placement_id")
            sweeps.PLACEMENT_SWEEPS[kind](today=today, placement_id=placement_id)
    return kinds


def _concern_message(agency: Agency, concern: str) -> dict[str, Any]:
    return alert_message(
        gettext_noop("Concern raised by %(agency)s: %(concern)s"), agency=agency.name, concern=concern
    )


def concern_raise(*, visit: HomeVisit, placement: Placement) -> Alert:
    """An alert for the IOM team about a concern raised on `visit`, and an email to them, both
    written in the visit's transaction (the caller's). A concern already raised on this visit
    and not resolved has its message brought up to date instead, and no second email."""
    key = f"visit_concern:visit:{visit.pk}"
    message = _concern_message(visit.agency, visit.concern)
    alert = Alert.objects.exclude(status=Alert.Status.RESOLVED).filter(key=key).first()
    if alert is not None:
        for field, value in message.items():
            setattr(alert, field, value)
        alert.save(update_fields=list(message))
        return alert
    alert = Alert.objects.create(
        kind=Alert.Kind.VISIT_CONCERN,
        key=key,
        **message,
        due_on=timezone.localdate(visit.visited_at),
        offender_id=placement.offender_id,
        placement=placement,
        visit=visit,
        agency=visit.agency,
    )
    # In the visit's transaction, so that the email is never lost: handed to the broker after
    # commit (a rolled-back visit sends nothing), and by the outbox sweep if the broker was down.
    # With no EMAIL_HOST the email goes to the console backend (the demo).
    outbox_add(task=send_concern_email, args=[alert.pk])
    return alert


def alerts_acknowledge(*, alert_ids: list[int], by: Staff, note: str = "") -> int:
    """Several alerts acknowledged at once, with one note: all of them or none (one taken in hand
    or cleared meanwhile means choosing again, not a part done). Returns how many."""
    if not alert_ids:
        raise ValidationError(_("Select the alerts to acknowledge."))
    note = note.strip()
    with transaction.atomic():
        alerts = list(Alert.objects.select_for_update().filter(pk__in=alert_ids).order_by("pk"))
        not_open = len(set(alert_ids)) - sum(1 for alert in alerts if alert.status == Alert.Status.OPEN)
        if not_open:
            raise ValidationError(
                ngettext(
                    "%(count)s of these alerts is no longer open (someone acknowledged it, or its cause was dealt with). Choose the alerts again.",
                    "%(count)s of these alerts are no longer open (someone acknowledged them, or their cause was dealt with). Choose the alerts again.",
                    not_open,
                )
                % {"count": not_open}
            )
        Alert.objects.filter(pk__in=[alert.pk for alert in alerts]).update(
            status=Alert.Status.ACKNOWLEDGED,
            acknowledged_at=timezone.now(),
            acknowledged_by=by,
            acknowledgement_note=note,
        )
    return len(alerts)


def alert_acknowledge(*, alert_id: int, by: Staff, note: str = "") -> Alert:
    """Someone has seen an alert and is acting on it; it leaves the dashboard's list of open alerts."""
    with transaction.atomic():
        alert = locked(Alert.objects, alert_id, _("alert"))
        ensure_status(alert, Alert.Status.OPEN)
        alert.status = Alert.Status.ACKNOWLEDGED
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = by
        alert.acknowledgement_note = note.strip()
        alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "acknowledgement_note"])
    return alert
