"""Daily retention job: list the records due for review (scheme managers act on them on the
Retention page)."""

import logging

from celery import shared_task
from django.utils import timezone

from audit.selectors import retention_due

logger = logging.getLogger("audit.retention")


@shared_task(name="audit.list_retention_due")
def list_retention_due() -> list[str]:
    """The public ids of the records due for review today, logged (ids only: no names leave the
    database in a log line)."""
    due = [
        str(public_id)
        for public_id in retention_due(today=timezone.localdate()).values_list("public_id", flat=True)
    ]
    logger.info("retention review: %d record(s) due", len(due), extra={"due": due})
    return due
