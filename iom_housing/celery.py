"""The Celery app. Broker: REDIS_URL; with none, tasks run eagerly in-process (see settings)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iom_housing.settings")

app = Celery("iom_housing")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Schedules live in code; scheduled sweeps are added by the issues that build them.
app.conf.beat_schedule = {
    "audit-retention-due": {"task": "audit.list_retention_due", "schedule": crontab(hour=6, minute=15)},
}
