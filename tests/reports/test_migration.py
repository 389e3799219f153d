"""reports 0005: the OPCC's suppressed version, stored as "opcc", is now "published"; the files and
downloads already recorded are renamed with it (and back, unapplied)."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from reports.models import ReportDownload, ReportExport

BEFORE = [("reports", "0004_unitcost_low_central_high")]


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


@pytest.mark.django_db(transaction=True)
def test_stored_opcc_reports_become_published_and_back():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = migrate(BEFORE).loader.project_state(BEFORE).apps
        user = old.get_model("auth", "User").objects.create(username="analyst")
        day = {"start": date(2026, 3, 1), "end": date(2026, 3, 31), "format": "csv"}
        exports = old.get_model("reports", "ReportExport").objects
        downloads = old.get_model("reports", "ReportDownload").objects
        opcc = exports.create(
            requested_by=user, audience="opcc", expires_at=timezone.now() + timedelta(hours=1), **day
        )
        officer = exports.create(
            requested_by=user, audience="officer", expires_at=timezone.now() + timedelta(hours=1), **day
        )
        downloads.create(user=user, audience="opcc", **day)

        migrate(latest)

        assert ReportExport.objects.get(pk=opcc.pk).audience == "published"
        assert ReportExport.objects.get(pk=officer.pk).audience == "officer"
        assert list(ReportDownload.objects.values_list("audience", flat=True)) == ["published"]

        back = migrate(BEFORE).loader.project_state(BEFORE).apps
        assert back.get_model("reports", "ReportExport").objects.get(pk=opcc.pk).audience == "opcc"
    finally:
        migrate(latest)
