"""Moving the alert models to their own app (alerts 0001, audit 0007, placements 0006) moves no data:
a database with alerts in it is taken back to before the move, and forward again, and keeps every
row, its ids and the content types (so the admin's history and permissions follow the models)."""

import pgtrigger
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from alerts.models import Alert, AlertNotice, JobRun

# Unapplying alerts 0001 takes placements back to 0005 and audit to 0006 with it.
BEFORE_THE_MOVE = [("alerts", None)]
LAST_BEFORE_THE_MOVE = [
    ("placements", "0005_version_db_default"),
    ("audit", "0006_history_version_db_default"),
    ("contenttypes", "0002_remove_content_type_name"),
]


# The history triggers on the alert table are today's (its table name never changed): they copy
# today's columns, which the history table before the move does not have. Off while there.
HISTORY_TRIGGERS = [f"alerts.Alert:{name}" for name in ("insert_insert", "update_update", "delete_delete")]


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


@pytest.mark.django_db(transaction=True)
def test_the_move_keeps_every_alert_its_emails_and_job_runs_and_their_content_types():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        pgtrigger.uninstall(*HISTORY_TRIGGERS)
        before = migrate(BEFORE_THE_MOVE).loader.project_state(LAST_BEFORE_THE_MOVE).apps
        old_alert = before.get_model("placements", "Alert")
        alert = old_alert.objects.create(
            kind="licence_overrun", key="licence_overrun:placement:1:2026-03-01", message="Overrun"
        )
        recipient = before.get_model("auth", "User").objects.create(username="officer")
        before.get_model("placements", "AlertNotice").objects.create(
            alert=alert, recipient=recipient, channel="digest"
        )
        before.get_model("placements", "JobRun").objects.create(name="canary", last_run_at=timezone.now())
        old_types = before.get_model("contenttypes", "ContentType").objects
        type_ids = {
            model: old_types.get(app_label="placements", model=model).pk for model in ("alert", "jobrun")
        }

        migrate(latest)

        moved = Alert.objects.get(pk=alert.pk)
        assert (moved.key, moved.status) == ("licence_overrun:placement:1:2026-03-01", Alert.Status.OPEN)
        assert AlertNotice.objects.get(alert=moved).recipient_id == recipient.pk
        assert JobRun.objects.filter(name="canary").exists()
        ContentType.objects.clear_cache()
        assert ContentType.objects.get_for_model(Alert).pk == type_ids["alert"]
        assert ContentType.objects.get_for_model(JobRun).pk == type_ids["jobrun"]
        assert not ContentType.objects.filter(app_label="placements", model="alert").exists()
    finally:
        migrate(latest)
        pgtrigger.install(*HISTORY_TRIGGERS)
