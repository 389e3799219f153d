"""Alerts' background jobs: the sweeps that raise and resolve alerts, the officers' daily digests,
the email about a concern raised on a visit, and the canary that shows beat and the workers are
alive. Thin: each calls a sweep or a notification.

The task names are those the tasks had before they moved here from `placements` and `agencies`
(docs/adr/008-one-home-for-alerts.md): beat's schedule (iom_housing/celery.py), messages waiting in
a broker and the outbox's stored rows (`OutboxMessage.task`) name them.

Every task is idempotent (a sweep run twice changes nothing; an email is recorded once per
recipient and alert), because with `acks_late` a task whose worker dies is delivered again.

The fan-outs below queue with `.delay` from a worker, not through the outbox: what they queue is
worked out again from the database at their next run (a sweep; a digest of every alert not yet in
one), so a publish that fails loses nothing (docs/adr/005-durable-task-handoff.md).
"""

from smtplib import SMTPException

from celery import shared_task

from alerts import notifications, sweeps
from outbox.services import outbox_claim

# A sweep over 100,000 placements takes about a second (`make bench`, bench/README.md); these limits
# leave room for a slow day and stay well under the broker's visibility timeout (settings).
SWEEP_LIMITS = {"time_limit": 240, "soft_time_limit": 200}
EMAIL_RETRY = {
    "autoretry_for": (SMTPException, OSError),
    "retry_backoff": 30,
    "retry_backoff_max": 1800,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(name="placements.run_sweep", **SWEEP_LIMITS)
def run_sweep(name: str) -> str:
    return str(sweeps.run_sweep(name))


@shared_task(name="placements.run_all_sweeps", time_limit=60, soft_time_limit=50)
def run_all_sweeps() -> int:
    """Queue each sweep as its own task, so one slow or failing sweep does not hold up the rest."""
    for name in sweeps.SWEEPS:
        run_sweep.delay(name)
    return len(sweeps.SWEEPS)


@shared_task(name="placements.send_digest", time_limit=120, soft_time_limit=100, **EMAIL_RETRY)
def send_digest(user_id: int) -> int:
    return notifications.digest_send(user_id=user_id)


@shared_task(name="placements.send_digests", time_limit=60, soft_time_limit=50)
def send_digests() -> int:
    """Queue one digest per IOM officer (each retries on its own when the mail server fails)."""
    officer_ids = list(notifications.iom_officers().values_list("pk", flat=True))
    for user_id in officer_ids:
        send_digest.delay(user_id)
    sweeps.job_ran("digests", f"{len(officer_ids)} officers")
    return len(officer_ids)


@shared_task(name="placements.canary", time_limit=30, soft_time_limit=20)
def canary() -> None:
    """Records that beat queued it and a worker ran it: if this stops, scheduled sweeps stopped."""
    sweeps.job_ran("canary")


@shared_task(name="agencies.send_concern_email", time_limit=120, soft_time_limit=100, **EMAIL_RETRY)
def send_concern_email(alert_id: int) -> int:
    """Email every active IOM officer about a concern alert, once each, retrying with backoff
    when the mail server fails; returns how many were emailed by this run.

    Queued through the outbox (`alerts.services.concern_raise`): the claim lets one worker at
    a time send it and marks it sent, and each officer's notice keeps a retry from emailing anyone
    twice."""
    with outbox_claim(send_concern_email, [alert_id]) as mine:
        return notifications.concern_email_send(alert_id=alert_id) if mine else 0
