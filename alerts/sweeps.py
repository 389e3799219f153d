"""The sweeps: each finds the cases where a condition holds, raises one alert per case, and
resolves the alerts whose condition has cleared.

A sweep can run any number of times, and by two workers at once, with the same result: alerts are
inserted with ON CONFLICT DO NOTHING against the partial unique index on the alert's key (one
unresolved alert per key), and resolving is a plain UPDATE of what no longer holds. Services that
change a case (renewing a licence, recording a visit, deciding a referral) call
`alerts.services.alerts_recheck` in their own transaction, which runs the sweeps of the kinds that
change can affect for that one case, so an alert clears the moment its condition does rather than
at the next scheduled run.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext_noop as _

from agencies.models import HomeVisit
from alerts.models import Alert, JobRun, alert_message
from moveon.models import OPEN_STATUSES, MoveOnAction
from placements.dates import add_working_days
from placements.models import Placement, SupportAgency
from referrals.models import Referral


@dataclass
class SweepResult:
    raised: int = 0
    resolved: int = 0

    def __str__(self) -> str:
        return f"{self.raised} raised, {self.resolved} resolved"


def _sync(kind: str, wanted: Iterable[Alert] | Mapping[str, Callable[[], Alert]], scope: Q) -> SweepResult:
    """Make the unresolved alerts of `kind` within `scope` exactly `wanted` (matched by key). A
    sweep of many conditions, nearly all raised already, gives `wanted` as each key's way to make
    its alert, made only for the keys not raised yet."""
    if not isinstance(wanted, Mapping):
        wanted = {alert.key: (lambda alert=alert: alert) for alert in wanted}
    with transaction.atomic():
        # Written as "not resolved" so that the partial index alert_unresolved_idx serves it.
        current = dict(
            Alert.objects.filter(scope, kind=kind)
            .exclude(status=Alert.Status.RESOLVED)
            .order_by()
            .values_list("key", "pk")
        )
        new = [make() for key, make in wanted.items() if key not in current]
        # ON CONFLICT DO NOTHING: another worker may have raised the same key since we looked.
        Alert.objects.bulk_create(new, ignore_conflicts=True, batch_size=2000)
        stale = [pk for key, pk in current.items() if key not in wanted]
        resolved = Alert.objects.filter(pk__in=stale, status__in=Alert.UNRESOLVED_STATUSES).update(
            status=Alert.Status.RESOLVED, resolved_at=timezone.now()
        )
    return SweepResult(raised=len(new), resolved=resolved)


def _subject(*, placement_id: int | None = None, referral_id: int | None = None) -> Q:
    """The alerts a sweep answers for: all of its kind, or one case's when it re-checks one."""
    if placement_id is not None:
        return Q(placement_id=placement_id)
    if referral_id is not None:
        return Q(referral_id=referral_id)
    return Q()


def _placement_dated_sweep(
    kind: str, placements, *, date_field: str, message: str, placement_id: int | None
) -> SweepResult:
    """One alert per placement in `placements`, keyed by the date in `date_field` (which the
    message names and the alert is due on)."""
    if placement_id is not None:
        placements = placements.filter(pk=placement_id)
    wanted = (
        Alert(
            kind=kind,
            key=f"{kind}:placement:{pk}:{day}",
            **alert_message(message, day=day),
            due_on=day,
            offender_id=offender_id,
            placement_id=pk,
        )
        for pk, offender_id, day in placements.order_by().values_list("pk", "offender_id", date_field)
    )
    return _sync(kind, wanted, _subject(placement_id=placement_id))


# The sweeps ------------------------------------------------------------------------------------

STAYING = (Placement.Status.PROVISIONAL, Placement.Status.CONFIRMED, Placement.Status.ACTIVE)


def sweep_licence_ending(*, today: date, placement_id: int | None = None) -> SweepResult:
    """A licence term ends within N days (ALERT_LICENCE_ENDING_DAYS) with no renewal booked: a
    renewal moves the placement's `ends_on` to the end of the new term, out of the window."""
    within = settings.ALERT_LICENCE_ENDING_DAYS
    return _placement_dated_sweep(
        Alert.Kind.LICENCE_ENDING,
        Placement.objects.filter(
            status__in=STAYING, ends_on__gte=today, ends_on__lte=today + timedelta(days=within)
        ),
        date_field="ends_on",
        message=_("The licence term ends on %(day)s and no renewal is booked."),
        placement_id=placement_id,
    )


def sweep_licence_overrun(*, today: date, placement_id: int | None = None) -> SweepResult:
    """The last licence term has ended, with no renewal and no departure recorded."""
    return _placement_dated_sweep(
        Alert.Kind.LICENCE_OVERRUN,
        Placement.objects.filter(status=Placement.Status.ACTIVE, ends_on__lt=today),
        date_field="ends_on",
        message=_(
            "The licence term ended on %(day)s and no departure is recorded: they are staying "
            "without a licence to occupy."
        ),
        placement_id=placement_id,
    )


def sweep_supervision_ending(*, today: date, placement_id: int | None = None) -> SweepResult:
    """A placed person's supervision licence ends within 28 days (or has ended): statutory
    support stops then, so the move-on must be planned now."""
    within = settings.ALERT_SUPERVISION_ENDING_DAYS
    placements = Placement.objects.filter(
        status=Placement.Status.ACTIVE, offender__licence_ends_on__lte=today + timedelta(days=within)
    )
    if placement_id is not None:
        placements = placements.filter(pk=placement_id)
    wanted = []
    for pk, offender_id, ends_on in placements.order_by().values_list(
        "pk", "offender_id", "offender__licence_ends_on"
    ):
        text = (
            _("Their supervision licence ends on %(day)s: statutory support stops then.")
            if ends_on >= today
            else _("Their supervision licence ended on %(day)s: statutory support has stopped.")
        )
        wanted.append(
            Alert(
                kind=Alert.Kind.SUPERVISION_ENDING,
                key=f"supervision_ending:placement:{pk}:{ends_on}",
                **alert_message(text, day=ends_on),
                due_on=ends_on,
                offender_id=offender_id,
                placement_id=pk,
            )
        )
    return _sync(Alert.Kind.SUPERVISION_ENDING, wanted, _subject(placement_id=placement_id))


def sweep_visit_missed(*, today: date, placement_id: int | None = None) -> SweepResult:
    """An agency on an active placement's support plan has not visited within its frequency
    (weekly by default): counted from its last visit, led or joint, not cancelled; or from the
    arrival when it has not visited yet."""

    def latest_visit(**by_agency: OuterRef) -> Subquery:
        """The agency's latest visit to the plan's placement that was not cancelled."""
        visits = HomeVisit.objects.filter(
            ~Q(outcome=HomeVisit.Outcome.CANCELLED),
            placement_id=OuterRef("support_plan__placement_id"),
            **by_agency,
        )
        return Subquery(visits.order_by("-visited_at").values("visited_at")[:1])

    led = latest_visit(agency_id=OuterRef("agency_id"))
    joint = latest_visit(other_agencies=OuterRef("agency_id"))
    rows = SupportAgency.objects.filter(
        ended_on__isnull=True, support_plan__placement__status=Placement.Status.ACTIVE
    )
    if placement_id is not None:
        rows = rows.filter(support_plan__placement_id=placement_id)
    rows = rows.annotate(last_visit=Greatest(led, joint)).values_list(
        "support_plan__placement_id",
        "support_plan__placement__offender_id",
        "support_plan__placement__arrived_on",
        "agency_id",
        "agency__name",
        "visit_every_days",
        "last_visit",
    )
    wanted = []
    for pk, offender_id, arrived_on, agency_id, agency, every, last_visit in rows:
        # PostgreSQL's GREATEST skips NULLs: last_visit is NULL only when the agency never visited.
        since = arrived_on
        if last_visit is not None:
            since = max(since, timezone.localdate(last_visit))
        due_on = since + timedelta(days=every)
        if due_on >= today:
            continue
        wanted.append(
            Alert(
                kind=Alert.Kind.VISIT_MISSED,
                key=f"visit_missed:placement:{pk}:agency:{agency_id}:{due_on}",
                **alert_message(
                    _("No visit by %(agency)s since %(day)s: a visit every %(every)s days is expected."),
                    agency=agency,
                    day=since,
                    every=every,
                ),
                due_on=due_on,
                offender_id=offender_id,
                placement_id=pk,
                agency_id=agency_id,
            )
        )
    return _sync(Alert.Kind.VISIT_MISSED, wanted, _subject(placement_id=placement_id))


def decision_cutoff(today: date, working_days: int) -> date:
    """The last submission date whose decision is due by today: submitted on Friday with 2
    working days to decide, the decision is due on Tuesday."""
    day = today
    while add_working_days(day, working_days) > today:
        day -= timedelta(days=1)
    return day


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def sweep_referral_undecided(*, today: date, referral_id: int | None = None) -> SweepResult:
    """A referral with no decision (accepted, declined or withdrawn) 2 working days after it was
    submitted (ALERT_REFERRAL_DECISION_WORKING_DAYS)."""
    working_days = settings.ALERT_REFERRAL_DECISION_WORKING_DAYS
    cutoff = decision_cutoff(today, working_days)
    referrals = Referral.objects.filter(
        status__in=Referral.OPEN_STATUSES, submitted_at__lt=_start_of(cutoff + timedelta(days=1))
    )
    if referral_id is not None:
        referrals = referrals.filter(pk=referral_id)
    wanted = []
    for pk, offender_id, submitted_at in referrals.order_by().values_list(
        "pk", "offender_id", "submitted_at"
    ):
        submitted_on = timezone.localdate(submitted_at)
        wanted.append(
            Alert(
                kind=Alert.Kind.REFERRAL_UNDECIDED,
                key=f"referral_undecided:referral:{pk}",
                **alert_message(
                    _(
                        "Referred on %(day)s and not yet decided: a decision was due within %(n)s working days."
                    ),
                    day=submitted_on,
                    n=working_days,
                ),
                due_on=add_working_days(submitted_on, working_days),
                offender_id=offender_id,
                referral_id=pk,
            )
        )
    return _sync(Alert.Kind.REFERRAL_UNDECIDED, wanted, _subject(referral_id=referral_id))


def sweep_booking_unconfirmed(*, today: date, placement_id: int | None = None) -> SweepResult:
    """A provisional booking whose arrival date has come and is still not confirmed."""
    return _placement_dated_sweep(
        Alert.Kind.BOOKING_UNCONFIRMED,
        Placement.objects.filter(status=Placement.Status.PROVISIONAL, starts_on__lte=today),
        date_field="starts_on",
        message=_("The booking for arrival on %(day)s is still provisional."),
        placement_id=placement_id,
    )


def sweep_arrival_missing(*, today: date, placement_id: int | None = None) -> SweepResult:
    """A confirmed booking with no arrival recorded by the day after its arrival date.
    (A provisional one past its date is already alerted as unconfirmed.)"""
    return _placement_dated_sweep(
        Alert.Kind.ARRIVAL_MISSING,
        Placement.objects.filter(status=Placement.Status.CONFIRMED, starts_on__lt=today),
        date_field="starts_on",
        message=_("Arrival was booked for %(day)s and has not been recorded."),
        placement_id=placement_id,
    )


def sweep_followup_due(*, today: date, placement_id: int | None = None) -> SweepResult:
    """A follow-up check after leaving (aftercare) is due and not recorded. First it schedules the
    checks of placements ended without them (ended before follow-ups existed, or by a path other
    than `placement_end`) that left within the longest follow-up period, so that old data does
    not flood the alerts page; recording a check clears its alert."""
    from aftercare.dates import add_months
    from aftercare.models import FollowUpCheck
    from aftercare.services import follow_ups_schedule

    if placement_id is None:
        follow_ups_schedule(departed_since=add_months(today, -(max(settings.FOLLOW_UP_MONTHS) + 1)))
    checks = FollowUpCheck.objects.filter(recorded_at__isnull=True, due_on__lte=today)
    if placement_id is not None:
        checks = checks.filter(placement_id=placement_id)

    def alert(key, months, due_on, placement_id, offender_id) -> Alert:
        return Alert(
            kind=Alert.Kind.FOLLOWUP_DUE,
            key=key,
            **alert_message(
                _("The %(months)s-month follow-up after leaving was due on %(day)s and is not recorded."),
                months=months,
                day=due_on,
            ),
            due_on=due_on,
            offender_id=offender_id,
            placement_id=placement_id,
        )

    # Tens of thousands nationally, nearly all raised already: each alert is made only if new.
    rows = checks.order_by().values_list(
        "public_id", "months", "due_on", "placement_id", "placement__offender_id"
    )
    wanted = {}
    for public_id, *row in rows:
        key = f"followup_due:check:{public_id}"
        wanted[key] = partial(alert, key, *row)
    return _sync(Alert.Kind.FOLLOWUP_DUE, wanted, _subject(placement_id=placement_id))


def sweep_moveon_overdue(*, today: date, placement_id: int | None = None) -> SweepResult:
    """A move-on action of someone in residence, still open (not started or in progress) after its
    due date: due today is not overdue until tomorrow. One alert per action and due date, for its
    owner (the agency, so its workers see it; the IOM team's own when it has none). Moving the due
    date on raises a new key, and the old alert resolves; done or no longer needed resolves it."""
    actions = MoveOnAction.objects.filter(
        status__in=OPEN_STATUSES,
        due_on__lt=today,
        plan__placement__status=Placement.Status.ACTIVE,
    )
    if placement_id is not None:
        actions = actions.filter(plan__placement_id=placement_id)
    wanted = []
    for pk, placement_pk, offender_id, agency_id, kind, due_on in actions.order_by().values_list(
        "pk", "plan__placement_id", "plan__placement__offender_id", "owner_agency_id", "kind", "due_on"
    ):
        wanted.append(
            Alert(
                kind=Alert.Kind.MOVEON_OVERDUE,
                key=f"moveon_overdue:action:{pk}:{due_on}",
                **alert_message(
                    _("Move-on action “%(action)s” was due on %(day)s and is not done."),
                    action=MoveOnAction.Kind(kind).label,
                    day=due_on,
                ),
                due_on=due_on,
                offender_id=offender_id,
                placement_id=placement_pk,
                agency_id=agency_id,
            )
        )
    return _sync(Alert.Kind.MOVEON_OVERDUE, wanted, _subject(placement_id=placement_id))


# Each sweep is named by the kind of alert it raises (Alert.Kind's values); its JobRun is "sweep:<kind>".
PLACEMENT_SWEEPS: dict[str, Callable[..., SweepResult]] = {
    "licence_ending": sweep_licence_ending,
    "licence_overrun": sweep_licence_overrun,
    "supervision_ending": sweep_supervision_ending,
    "visit_missed": sweep_visit_missed,
    "booking_unconfirmed": sweep_booking_unconfirmed,
    "arrival_missing": sweep_arrival_missing,
    "followup_due": sweep_followup_due,
    "moveon_overdue": sweep_moveon_overdue,
}
REFERRAL_SWEEPS: dict[str, Callable[..., SweepResult]] = {
    "referral_undecided": sweep_referral_undecided,
}
SWEEPS: dict[str, Callable[..., SweepResult]] = {**PLACEMENT_SWEEPS, **REFERRAL_SWEEPS}


def run_sweep(name: str, *, today: date | None = None) -> SweepResult:
    """Run one sweep over every case, and record when it ran (shown to scheme managers)."""
    result = SWEEPS[name](today=today or timezone.localdate())
    job_ran(f"sweep:{name}", str(result))
    return result


def job_ran(name: str, summary: str = "") -> JobRun:
    run, _created = JobRun.objects.update_or_create(
        name=name, defaults={"last_run_at": timezone.now(), "summary": summary[:200]}
    )
    return run
