"""The Celery app. Broker: REDIS_URL; with none, tasks run eagerly in-process (see settings).

Schedules live here, in code. Run exactly one beat process (docker-compose has one `beat`
service): a second would queue every job twice. Tasks are idempotent anyway.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iom_housing.settings")

app = Celery("iom_housing")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Alerts' tasks (alerts/tasks.py) keep the names they had in `placements`: stored schedules and
# outbox rows name them (docs/adr/008-one-home-for-alerts.md).
app.conf.beat_schedule = {
    # Every hour at 5 past: licences ending and overrun, supervision ending, missed visits,
    # undecided referrals, unconfirmed bookings and missing arrivals raise and resolve alerts.
    "sweeps-hourly": {"task": "placements.run_all_sweeps", "schedule": crontab(minute=5)},
    # After the 7:05 sweep, each IOM officer's digest of new open alerts.
    "digests-daily": {"task": "placements.send_digests", "schedule": crontab(hour=7, minute=30)},
    # Background work that could not be handed to the broker when its change was saved (the
    # broker was down), or was lost with it, is handed over again (outbox/services.py).
    "outbox-resend": {"task": "outbox.resend", "schedule": 60.0},
    # Proves beat and a worker are running: scheme managers see its last run on the dashboard.
    "canary": {"task": "placements.canary", "schedule": 300.0},
    # Each morning: offender records due for their retention review (scheme managers act on them).
    "audit-retention-due": {"task": "audit.list_retention_due", "schedule": crontab(hour=6, minute=15)},
    # Report files made in the background are deleted once they expire.
    # Each night, the published version of every month, quarter and year that has ended is made
    # once and kept (reports/releases.py): its first reader then does not wait for it.
    "publish-due-releases": {"task": "reports.publish_due_releases", "schedule": crontab(hour=2, minute=30)},
    "delete-expired-report-files": {"task": "reports.delete_expired_report_files", "schedule": 3600.0},
}
