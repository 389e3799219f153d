"""Overdue move-on actions raise alerts through the alert system: a sweep in the others' style (run
twice, one alert; ON CONFLICT against the one-unresolved-per-key index), re-checked by the services
so that an action done clears its alert at once. Due today is not overdue; days are UK days."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from alerts import sweeps
from alerts.models import Alert
from alerts.selectors import alert_list
from moveon import services
from moveon.models import MoveOnAction
from placements.services import placement_end
from tests.clock import london
from tests.factories import MoveOnActionFactory, MoveOnPlanFactory
from tests.moveon.helpers import supported_case

pytestmark = pytest.mark.django_db

K = Alert.Kind.MOVEON_OVERDUE


def overdue_alerts():
    return Alert.objects.filter(kind=K).exclude(status=Alert.Status.RESOLVED)


def action_due(case, due_on: date, **fields) -> MoveOnAction:
    plan = getattr(case.placement, "move_on_plan", None) or MoveOnPlanFactory(placement=case.placement)
    return MoveOnActionFactory(
        plan=plan, owner_agency=case.agency, opened_on=case.placement.arrived_on, due_on=due_on, **fields
    )


@pytest.fixture
def thursday(time_machine):
    time_machine.move_to(london(2026, 12, 3, 10, 30), tick=False)
    return date(2026, 12, 3)


def test_due_today_is_not_overdue_due_yesterday_is(thursday):
    case = supported_case()
    action_due(case, thursday)
    late = action_due(case, thursday - timedelta(days=1))
    result = sweeps.run_sweep("moveon_overdue")
    assert (result.raised, result.resolved) == (1, 0)
    alert = overdue_alerts().get()
    assert alert.key == f"moveon_overdue:action:{late.pk}:2026-12-02"
    assert (alert.placement, alert.offender_id, alert.agency, alert.due_on) == (
        case.placement,
        case.placement.offender_id,
        case.agency,
        date(2026, 12, 2),
    )
    assert "2 December 2026" in alert.message


def test_the_sweep_is_idempotent(thursday):
    case = supported_case()
    action_due(case, thursday - timedelta(days=3))
    sweeps.run_sweep("moveon_overdue")
    again = sweeps.run_sweep("moveon_overdue")
    assert (again.raised, again.resolved) == (0, 0)
    assert overdue_alerts().count() == 1


def test_the_uk_day_decides_just_after_midnight_in_summer(time_machine):
    # 00:30 BST on 2 July is still 1 July in UTC: the action due on 1 July is overdue in the UK.
    time_machine.move_to(london(2026, 7, 2, 0, 30), tick=False)
    assert timezone.localdate() == date(2026, 7, 2)
    case = supported_case()
    action_due(case, date(2026, 7, 1))
    action_due(case, date(2026, 7, 2))
    assert sweeps.run_sweep("moveon_overdue").raised == 1


def test_done_clears_the_alert_at_once(thursday, iom_officer):
    case = supported_case()
    action = action_due(case, thursday - timedelta(days=1))
    sweeps.run_sweep("moveon_overdue")
    services.action_complete(action_id=action.pk, outcome_on=thursday, result="successful", by=case.worker)
    assert not overdue_alerts().exists()
    assert Alert.objects.get(kind=K).resolved_at is not None


def test_moving_the_due_date_on_resolves_the_old_alert(thursday, iom_officer):
    case = supported_case()
    action = action_due(case, thursday - timedelta(days=5))
    sweeps.run_sweep("moveon_overdue")
    services.action_update(action_id=action.pk, by=iom_officer, due_on=thursday)
    assert not overdue_alerts().exists()
    # An action added already overdue is alerted by its service, not at the next sweep.
    services.action_add(
        placement_id=case.placement.pk, kind="benefits", opened_on=thursday - timedelta(days=3),
        due_on=thursday - timedelta(days=1), by=iom_officer,
    )  # fmt: skip
    assert overdue_alerts().count() == 1


def test_ending_the_placement_clears_its_overdue_actions(thursday, iom_officer):
    case = supported_case()
    action_due(case, thursday - timedelta(days=1))
    sweeps.run_sweep("moveon_overdue")
    placement_end(
        placement_id=case.placement.pk,
        departed_on=thursday,
        reason="planned_move_on",
        destination="social_rent",
        by=iom_officer,
    )
    assert not overdue_alerts().exists()


def test_the_owning_agency_sees_its_overdue_actions_and_no_one_elses(thursday, iom_officer):
    case = supported_case()
    action_due(case, thursday - timedelta(days=1))
    MoveOnActionFactory(  # the IOM team's own
        plan=case.placement.move_on_plan,
        owner_agency=None,
        opened_on=case.placement.arrived_on,
        due_on=thursday - timedelta(days=2),
    )
    sweeps.run_sweep("moveon_overdue")
    assert alert_list(user=iom_officer).filter(kind=K).count() == 2
    assert [a.agency_id for a in alert_list(user=case.worker).filter(kind=K)] == [case.agency.pk]
    assert not alert_list(user=case.outsider).filter(kind=K).exists()


def test_the_sweep_is_in_the_beat_fan_out_and_run_sweeps():
    from io import StringIO

    from django.core.management import call_command

    assert "moveon_overdue" in sweeps.SWEEPS
    out = StringIO()
    call_command("run_sweeps", stdout=out)
    assert "moveon_overdue: 0 raised, 0 resolved" in out.getvalue()
