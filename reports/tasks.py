"""Background work for reports: making a long period's file, and deleting old files."""

from celery import shared_task

from outbox.services import outbox_claim
from reports.releases import releases_publish_due
from reports.services import export_make, exports_delete_expired


@shared_task(name="reports.make_report_export")
def make_report_export(export_id: str) -> None:
    """Queued through the outbox (`export_request`): one worker at a time makes the file."""
    with outbox_claim(make_report_export, [export_id]) as mine:
        if mine:
            export_make(export_id=export_id)


@shared_task(name="reports.delete_expired_report_files")
def delete_expired_report_files() -> int:
    return exports_delete_expired()


@shared_task(name="reports.publish_due_releases")
def publish_due_releases() -> int:
    """Each night: the fixed periods that ended are published (reports/releases.py), so the first
    reader of a month's published report does not wait for its year to be made."""
    return releases_publish_due()
