"""The Celery app. Broker: REDIS_URL; with none, tasks run eagerly in-process (see settings)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iom_housing.settings")

app = Celery("iom_housing")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Schedules live in code; scheduled sweeps are added by the issues that build them.
app.conf.beat_schedule = {
    "delete-expired-report-files": {"task": "reports.delete_expired_report_files", "schedule": 3600.0},
}
