"""A report made outside a transaction is built on two connections sharing one snapshot
(reports/builder.py); its figures are those of the same report built on one."""

from dataclasses import replace

import pytest
from django.db import transaction

from reports import builder
from reports.builder import OFFICER, OPCC, build_report
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
