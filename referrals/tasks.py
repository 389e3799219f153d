"""Referrals' background job: the email telling the referrer their referral was decided or placed."""

from celery import shared_task

from alerts.tasks import EMAIL_RETRY
from outbox.services import outbox_claim
from referrals import notifications


@shared_task(name="referrals.send_referrer_email", time_limit=60, soft_time_limit=50, **EMAIL_RETRY)
def send_referrer_email(event_id: int) -> int:
    """Queued through the outbox with the event; the claim sends it once, whoever runs it."""
    with outbox_claim(send_referrer_email, [event_id]) as mine:
        return notifications.referrer_email_send(event_id=event_id) if mine else 0
