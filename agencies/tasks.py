"""Agencies' background job: the email with a link to choose a password."""

from celery import shared_task

from agencies import notifications
from alerts.tasks import EMAIL_RETRY
from outbox.services import outbox_claim


@shared_task(name="agencies.send_password_link", time_limit=60, soft_time_limit=50, **EMAIL_RETRY)
def send_password_link(user_id: int, request_id: str) -> int:
    """Queued through the outbox with the change; `request_id` makes each link sent its own
    message (a manager may send another). The claim sends it once, whoever runs it."""
    with outbox_claim(send_password_link, [user_id, request_id]) as mine:
        return notifications.password_link_send(user_id=user_id) if mine else 0
