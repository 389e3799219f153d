"""The database refuses an action whose state does not hold together, whatever wrote it."""

from datetime import date, timedelta

import pytest
from django.db import DataError, IntegrityError, transaction

from tests.factories import MoveOnActionFactory, MoveOnPlanFactory

pytestmark = pytest.mark.django_db

OPENED = date(2026, 11, 2)


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"status": "done"}, "moveonaction_done_has_outcome"),
        ({"status": "done", "outcome_on": OPENED}, "moveonaction_done_has_outcome"),
        ({"status": "not_needed"}, "moveonaction_not_needed_has_date_only"),
        (
            {"status": "not_needed", "outcome_on": OPENED, "result": "successful"},
            "moveonaction_not_needed_has_date_only",
        ),
        ({"status": "in_progress", "outcome_on": OPENED}, "moveonaction_open_has_no_outcome"),
        (
            {"status": "done", "outcome_on": OPENED - timedelta(days=1), "result": "successful"},
            "moveonaction_outcome_not_before_opened",
        ),
        ({"kind": "other"}, "moveonaction_other_has_details"),
        ({"kind": "wales_s62"}, "moveonaction_homelessness_names_authority"),
        ({"status": "lost"}, "moveonaction_status_valid"),
        ({"kind": "lottery"}, "moveonaction_kind_valid"),
        ({"status": "done", "outcome_on": OPENED, "result": "maybe"}, "moveonaction_result_valid"),
    ],
)
def test_the_database_refuses_an_inconsistent_action(fields, constraint):
    plan = MoveOnPlanFactory()
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        MoveOnActionFactory(plan=plan, opened_on=OPENED, **fields)


def test_the_database_refuses_notes_over_1000_characters():
    with pytest.raises(DataError, match="too long"), transaction.atomic():
        MoveOnActionFactory(opened_on=OPENED, notes="x" * 1001)


def test_a_consistent_done_action_is_stored():
    action = MoveOnActionFactory(
        opened_on=OPENED, status="done", outcome_on=OPENED, result="unsuccessful", notes="x" * 1000
    )
    assert action.pk


def test_one_plan_per_placement():
    plan = MoveOnPlanFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        MoveOnPlanFactory(placement=plan.placement)


def test_the_version_rises_on_every_change():
    action = MoveOnActionFactory(opened_on=OPENED)
    action.notes = "Called the council"
    action.save()
    action.refresh_from_db()
    assert action.version == 2
