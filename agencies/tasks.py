"""Background jobs for partner agencies: telling the IOM team by email about a concern on a visit."""

from smtplib import SMTPException

from celery import shared_task

from outbox.services import outbox_claim
from placements.notifications import concern_email_send


@shared_task(
    name="agencies.send_concern_email",
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=8,
    time_limit=120,
    soft_time_limit=100,
)
def send_concern_email(alert_id: int) -> int:
    """Email every active IOM officer about a concern alert, once each, retrying with backoff
    when the mail server fails; returns how many were emailed by this run.

    Queued through the outbox (`agencies.services._raise_concern`): the claim lets one worker at
    a time send it and marks it sent, and each officer's notice keeps a retry from emailing anyone
    twice."""
    with outbox_claim(send_concern_email, [alert_id]) as mine:
        return concern_email_send(alert_id=alert_id) if mine else 0
