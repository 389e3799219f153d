"""Reads of alerts, scoped to the user by `iom_housing.access.alert_scope`, and of when the
scheduled jobs last ran (scheme managers see it on the dashboard)."""

from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import F, QuerySet

from alerts.models import Alert, AlertsChanged, JobRun
from iom_housing.access import Requester, active_membership, alert_scope, can_user_view_alerts


def alert_list(*, user: Requester, kind: str = "", status: str | tuple[str, ...] = "") -> QuerySet[Alert]:
    """Alerts the user may see (`alert_scope`), soonest due first, with what their action links
    need; of one status, or of any of a tuple of them. With one status a page is read in the order
    of `alert_status_due_idx`."""
    alerts = (
        Alert.objects.filter(alert_scope(user))
        # Joining the agency and the acknowledging user as well made planning the query take
        # 20 ms; who acknowledged is read for the page's few acknowledged alerts, by id.
        .select_related("offender", "placement__bedspace__property", "referral")
        .prefetch_related("acknowledged_by")
        .order_by(F("due_on").asc(nulls_last=True), "-raised_at", "pk")
    )
    if kind:
        alerts = alerts.filter(kind=kind)
    if isinstance(status, tuple):
        alerts = alerts.filter(status__in=status)
    elif status:
        alerts = alerts.filter(status=status)
    return alerts


def open_alert_get(*, user: Requester, pk: int) -> Alert:
    """One open alert the user may see, or Alert.DoesNotExist (a 404)."""
    return alert_list(user=user, status=Alert.Status.OPEN).get(pk=pk)


# How long a count is kept while alerts do not change: the longest the header lags behind a change
# of what the user may see (an agency joining a support plan), not of the alerts themselves.
OPEN_COUNT_SECONDS = 60


def open_alert_count(*, user: Requester) -> int | None:
    """The number in the header: open alerts the user may see (None: no alerts page). Counted
    again only when alerts have changed (`AlertsChanged`) or after OPEN_COUNT_SECONDS: for an
    agency worker the count tests every open alert against their agency's people (30-80 ms
    nationally), and it is on every page. One query when the count is cached."""
    if not can_user_view_alerts(user):
        return None
    changed = AlertsChanged.objects.filter(pk=1).values_list("number", flat=True).first()
    membership = active_membership(user)
    key = ":".join(
        str(part)
        for part in (
            "open-alerts",
            getattr(user, "pk", None),
            membership and membership.role,
            membership and membership.agency_id,
            changed,
        )
    )
    count: int | None = cache.get(key)
    if count is None:
        count = Alert.objects.filter(alert_scope(user), status=Alert.Status.OPEN).count()
        cache.set(key, count, OPEN_COUNT_SECONDS)
    return count


def job_runs() -> QuerySet[JobRun]:
    return JobRun.objects.order_by("name")


CANARY_LATE_AFTER = timedelta(minutes=15)


def scheduler_late(job_runs: list[JobRun], *, now: datetime) -> bool:
    """True when the canary (queued by beat every 5 minutes) has not run for 15 minutes."""
    canary = next((run for run in job_runs if run.name == "canary"), None)
    return canary is None or now - canary.last_run_at > CANARY_LATE_AFTER
