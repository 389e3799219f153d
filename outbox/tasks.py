"""The outbox sweep: every minute (iom_housing/celery.py), hand over again whatever background
work is still waiting, and forget what was done long ago."""

from celery import shared_task

from outbox.services import outbox_prune, outbox_resend


@shared_task(name="outbox.resend", time_limit=60, soft_time_limit=50)
def resend() -> int:
    outbox_prune()
    return outbox_resend()
