"""What a report does on more than one database connection, with committed data: built outside a
transaction, on two connections sharing one snapshot (reports/builder.py), with the figures of the
same report built on one; a background file's progress written on a connection of its own, so
that the page polling it sees it during the build."""

import threading
from dataclasses import replace

import pytest
from django.db import connection, transaction

from reports import builder, services
from reports.builder import OFFICER, OPCC, build_report
from reports.models import ReportExport
from tests.factories import ReportExportFactory
from tests.reports import scenario
from tests.reports.test_metrics import _figures

pytestmark = pytest.mark.django_db(transaction=True)  # committed: a second connection sees it


def _build(audience):
    return build_report(start=scenario.START, end=scenario.END, audience=audience, today=scenario.TODAY)


@pytest.mark.parametrize("audience", [OFFICER, OPCC])
def test_two_connections_give_the_figures_of_one(monkeypatch, audience):
    scenario.build()
    shared = []
    on_second = builder._on_second_connection
    monkeypatch.setattr(
        builder,
        "_on_second_connection",
        lambda snapshot, jobs: shared.append(snapshot) or on_second(snapshot, jobs),
    )

    split = _build(audience)
    with transaction.atomic():  # as a caller's transaction: one connection
        alone = _build(audience)

    assert len(shared) == 1, "the first build was not split"
    assert [m.key for m in split.metrics()] == [m.key for m in alone.metrics()]
    assert _figures(split) == _figures(alone)
    assert _figures(split)["visits_by_agency"]["Probation service"]["visits"] == 2  # from the second


def test_a_failure_on_the_second_connection_fails_the_report(monkeypatch):
    scenario.build()

    def broken(scope, facts):
        raise RuntimeError("the second connection failed")

    monkeypatch.setitem(builder.REGISTRY, "gender", replace(builder.REGISTRY["gender"], compute=broken))
    with pytest.raises(RuntimeError, match="second connection"):
        _build(OPCC)


def _progress_seen_elsewhere(export_id) -> int:
    """What the page polling a file reads: the progress as another connection sees it."""
    seen = []

    def read():
        try:
            seen.append(ReportExport.objects.get(pk=export_id).progress)
        finally:
            connection.close()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    return seen[0]


def test_a_files_progress_is_seen_while_the_report_is_built(monkeypatch):
    export = ReportExportFactory(status=ReportExport.Status.QUEUED, progress=0, file_name="")
    seen = []
    real_build = services.build_report

    def build(**kwargs):
        with transaction.atomic():  # the build holds its transaction open, as the real one does
            kwargs["progress"](50)
            seen.append(_progress_seen_elsewhere(export.pk))
        return real_build(**kwargs)

    monkeypatch.setattr(services, "build_report", build)
    services.export_make(export_id=export.pk)

    assert seen == [45]  # 50 % of the build is 45 % of the file
    export.refresh_from_db()
    assert export.status == ReportExport.Status.READY and export.progress == 100
