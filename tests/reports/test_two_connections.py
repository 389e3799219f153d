"""What a report does on more than one database connection, with committed data: built outside a
transaction, on two connections sharing one snapshot (reports/builder.py, docs/adr/009), with the
figures of the same report built on one, by every caller production has, and blind to a change
committed while it runs; a background file's progress written on a connection of its own, so
that the page polling it sees it during the build.

The other report tests run inside a transaction, so they take the one-connection path; these are
the ones that take the path production takes. They are slow (each empties the database after
it), so they are few."""

import io
import threading
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from placements.areas import POWYS
from reports import builder, services
from reports.builder import EVALUATION, OFFICER, build_report
from reports.models import ReportExport
from tests.factories import FundingFactory, HomeVisitFactory, ReportExportFactory
from tests.reports import scenario
from tests.reports.test_metrics import _figures
from tests.reports.test_report_pages import PERIOD as MARCH

# The evaluation version (the published one is built with its year's reports, on one snapshot).
PERIOD = {**MARCH, "audience": EVALUATION}

pytestmark = pytest.mark.django_db(transaction=True)  # committed: a second connection sees it


def _build(audience, area=""):
    return build_report(
        start=scenario.START, end=scenario.END, area=area, audience=audience, today=scenario.TODAY
    )


@pytest.fixture
def split_builds(monkeypatch) -> list[str]:
    """The snapshot each build handed to its second connection: one entry for each build that was
    split, none for a build that fell back to one connection."""
    shared = []
    on_second = builder._on_second_connection
    monkeypatch.setattr(
        builder,
        "_on_second_connection",
        lambda snapshot, jobs: shared.append(snapshot) or on_second(snapshot, jobs),
    )
    return shared


@pytest.mark.parametrize("audience", [OFFICER, EVALUATION])
def test_two_connections_give_the_figures_of_one(split_builds, audience):
    scenario.build()

    split = _build(audience)
    with transaction.atomic():  # as a caller's transaction: one connection
        alone = _build(audience)

    assert len(split_builds) == 1, "the first build was not split"
    assert [m.key for m in split.metrics()] == [m.key for m in alone.metrics()]
    assert _figures(split) == _figures(alone)
    assert _figures(split)["visits_by_agency"]["Probation service"]["visits"] == 2  # from the second


def test_two_connections_give_the_figures_of_one_for_one_area(split_builds):
    """With an area chosen the tables have a row for each property and each agency (not each
    area and each kind of agency), on both connections."""
    scenario.build()

    split = _build(OFFICER, area=POWYS)
    with transaction.atomic():
        alone = _build(OFFICER, area=POWYS)

    assert len(split_builds) == 1, "the first build was not split"
    assert _figures(split) == _figures(alone)
    by_agency = {agency: row["visits"] for agency, row in _figures(split)["visits_by_agency"].items()}
    assert by_agency == {"DDAS": 1}  # from the second: Beta Flat's one visit not cancelled


def test_every_caller_in_production_builds_on_two_connections(
    split_builds, opcc_client, opcc_analyst, tmp_path
):
    """The page, a download made at once, a file made in the background and the command each
    build outside a transaction, so on two connections: this fails if one of them falls back to
    one connection (for example once it runs inside a transaction of its own)."""
    scenario.build()

    assert opcc_client.get("/reports/", PERIOD).status_code == 200
    assert len(split_builds) == 1, "the page built on one connection"
    assert opcc_client.get("/reports/download/", {**PERIOD, "format": "csv"}).status_code == 200
    assert len(split_builds) == 2, "the download built on one connection"
    export = ReportExportFactory(status=ReportExport.Status.QUEUED, progress=0, file_name="")
    assert services.export_make(export_id=export.pk).status == ReportExport.Status.READY
    assert len(split_builds) == 3, "the background file was built on one connection"
    args = ["--start", "2026-03-01", "--end", "2026-03-31", "--audience", EVALUATION, "--format", "csv"]
    args += ["--user", opcc_analyst.username]
    call_command("evaluation_report", *args, "--output", str(tmp_path / "r.zip"), stdout=io.StringIO())
    assert len(split_builds) == 4, "the command built on one connection"


def _committed_elsewhere(write) -> None:
    """Run `write` on a connection of its own, committed before this returns."""

    def run() -> None:
        try:
            write()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()


def test_a_change_committed_during_the_build_is_in_neither_connections_figures(monkeypatch, split_builds):
    """Both connections read the snapshot the first took when the build began: a visit and a
    funding line committed once the first connection has started are seen by neither, although
    the second connection (visits) reads after the commit and the first (cost) goes on after it."""
    stays = scenario.build()["stays"]
    with transaction.atomic():
        before = _figures(_build(OFFICER))
    committed = threading.Event()

    def change() -> None:
        HomeVisitFactory(placement=stays[1], visited_at=scenario.at(date(2026, 3, 27)))
        FundingFactory(name="Late", amount=Decimal("700"), starts_on=date(2026, 3, 2), ends_on=None)

    def first_then_change(real):  # the first metric, on the first connection
        def compute(scope, facts):
            table = real(scope, facts)
            if not committed.is_set():
                _committed_elsewhere(change)
                committed.set()
            return table

        return compute

    def after_the_change(real):  # on the second connection
        def compute(scope, facts):
            assert committed.wait(timeout=60), "the change was never committed"
            return real(scope, facts)

        return compute

    registry = builder.REGISTRY
    first, second = "referral_outcomes", "visits_by_agency"
    assert registry[second].section in builder.SECOND_CONNECTION_SECTIONS
    assert registry[first].section not in builder.SECOND_CONNECTION_SECTIONS
    monkeypatch.setitem(
        registry, first, replace(registry[first], compute=first_then_change(registry[first].compute))
    )
    monkeypatch.setitem(
        registry, second, replace(registry[second], compute=after_the_change(registry[second].compute))
    )

    during = _figures(_build(OFFICER))
    monkeypatch.undo()  # the real metrics again
    after = _figures(_build(OFFICER))

    assert len(split_builds) == 1, "the build was not split"
    assert committed.is_set()
    assert during == before
    # The change is there for a build that starts after it, in both connections' figures.
    assert after["visits_by_agency"] != before["visits_by_agency"]
    # The £700 from 2 Mar with no end is spread over its first 365 days: 2–31 Mar = 30 days → £57.5342,
    # on top of the scenario's £286.5753 → £344.11 (funding received; the total cost leaves it out).
    assert str(before["funding"]["Funding received"]["amount"]) == "286.58"
    assert str(after["funding"]["Funding received"]["amount"]) == "344.11"


def test_a_failure_on_the_second_connection_fails_the_report(monkeypatch):
    scenario.build()

    def broken(scope, facts):
        raise RuntimeError("the second connection failed")

    monkeypatch.setitem(builder.REGISTRY, "gender", replace(builder.REGISTRY["gender"], compute=broken))
    with pytest.raises(RuntimeError, match="second connection"):
        _build(EVALUATION)


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
