"""The move-on services: the plan made once on first use, its dates, actions added and closed by
the IOM team and by the agency that owns them (and by no one else), each in one transaction."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import MoveOnActionHistory
from audit.services import offender_erase
from iom_housing.access import Role
from moveon import services
from moveon.models import ERASED, MoveOnAction, MoveOnPlan
from placements.areas import CEREDIGION
from placements.models import Placement
from tests.clock import london
from tests.helpers import as_user, at_the_same_moment, user_with_role
from tests.moveon.helpers import in_residence, supported_case

pytestmark = pytest.mark.django_db

NOW = london(2026, 12, 3, 10, 30)


@pytest.fixture(autouse=True)
def _pinned(time_machine):
    time_machine.move_to(NOW, tick=False)


def today():
    return timezone.localdate()


def add(case, by, **fields):
    fields.setdefault("kind", MoveOnAction.Kind.HOUSING_REGISTER)
    return services.action_add(placement_id=case.placement.pk, by=by, **fields)


def test_the_plan_is_made_on_first_use_and_once(iom_officer):
    case = supported_case()
    assert not MoveOnPlan.objects.exists()
    first = add(case, iom_officer, due_on=today() + timedelta(days=7))
    second = add(case, iom_officer, kind=MoveOnAction.Kind.BANK_ACCOUNT)
    assert first.plan_id == second.plan_id
    assert MoveOnPlan.objects.get().created_by == iom_officer


def test_a_booking_not_yet_arrived_has_no_plan_to_change(iom_officer):
    placement = in_residence()
    Placement.objects.filter(pk=placement.pk).update(status=Placement.Status.CONFIRMED, arrived_on=None)
    with pytest.raises(ValidationError, match="Confirmed"):
        services.action_add(placement_id=placement.pk, kind="benefits", by=iom_officer)
    assert not MoveOnPlan.objects.exists()


def test_plan_dates_are_set_and_checked(iom_officer):
    case = supported_case()
    plan = services.plan_dates_set(
        placement_id=case.placement.pk,
        target_on=today() + timedelta(days=30),
        planned_move_out_on=today() + timedelta(days=20),
        by=iom_officer,
        expected_version=0,
    )
    assert plan.planned_move_out_on == today() + timedelta(days=20)
    with pytest.raises(ValidationError) as refused:
        services.plan_dates_set(
            placement_id=case.placement.pk,
            target_on=case.placement.arrived_on,
            planned_move_out_on=today() - timedelta(days=1),
            by=iom_officer,
        )
    assert set(refused.value.message_dict) == {"target_on", "planned_move_out_on"}


def test_a_plan_started_meanwhile_by_someone_else_is_not_overwritten(iom_officer, colleague):
    case = supported_case()
    services.plan_dates_set(
        placement_id=case.placement.pk, target_on=None, planned_move_out_on=today(), by=colleague
    )
    with pytest.raises(ValidationError, match="started by someone else"):
        services.plan_dates_set(
            placement_id=case.placement.pk,
            target_on=today() + timedelta(days=9),
            planned_move_out_on=None,
            by=iom_officer,
            expected_version=0,
        )


def test_agency_workers_do_not_set_plan_dates():
    case = supported_case()
    with pytest.raises(ValidationError, match="IOM team"):
        services.plan_dates_set(
            placement_id=case.placement.pk, target_on=None, planned_move_out_on=None, by=case.worker
        )


def test_an_agency_worker_adds_only_its_own_actions_for_people_it_supports(iom_officer):
    case = supported_case()
    other = user_with_role(Role.AGENCY_WORKER)
    action = add(case, case.worker, owner_agency_id=other.membership.agency_id)
    assert action.owner_agency == case.agency  # whatever it asked for
    with pytest.raises(ValidationError, match="not on this placement's support plan"):
        add(case, case.outsider)
    assert MoveOnAction.objects.count() == 1


def test_an_agency_changes_only_the_actions_it_owns(iom_officer):
    case = supported_case()
    police_action = add(case, iom_officer)  # owned by the IOM team
    with pytest.raises(ValidationError, match="owner or the IOM team"):
        services.action_update(action_id=police_action.pk, by=case.worker, notes="Ours now")
    own = add(case, case.worker)
    with pytest.raises(ValidationError, match="owner or the IOM team"):
        services.action_update(action_id=own.pk, by=case.outsider, status="in_progress")
    with pytest.raises(ValidationError, match="another owner"):
        services.action_update(action_id=own.pk, by=case.worker, owner_agency_id=None)
    updated = services.action_update(
        action_id=own.pk, by=case.worker, status="in_progress", notes="Form sent"
    )
    assert (updated.status, updated.notes) == ("in_progress", "Form sent")


def test_an_agency_no_longer_on_the_plan_cannot_change_its_action(iom_officer):
    case = supported_case()
    action = add(case, case.worker)
    case.placement.support_plan.support_agencies.update(ended_on=today())
    with pytest.raises(ValidationError, match="not on this placement's support plan"):
        services.action_update(action_id=action.pk, by=case.worker, status="in_progress")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "other"}, "details"),
        ({"kind": "wales_s73"}, "local_authority"),
        ({"kind": "england_duty_to_refer"}, "local_authority"),
        ({"applied_on": timezone.localdate() + timedelta(days=400)}, "applied_on"),
        ({"opened_on": timezone.localdate() - timedelta(days=400)}, "opened_on"),
        ({"due_on": timezone.localdate() - timedelta(days=400)}, "due_on"),
    ],
)
def test_bad_actions_are_refused_naming_the_field(iom_officer, fields, field):
    case = supported_case()
    with pytest.raises(ValidationError) as refused:
        add(case, iom_officer, **fields)
    assert field in refused.value.message_dict
    assert not MoveOnAction.objects.exists()


def test_a_homelessness_duty_records_the_authority_the_date_and_the_decision(iom_officer):
    case = supported_case()
    action = add(
        case,
        iom_officer,
        kind=MoveOnAction.Kind.WALES_S73,
        local_authority=CEREDIGION,
        applied_on=today() - timedelta(days=3),
        opened_on=today() - timedelta(days=3),
    )
    done = services.action_complete(
        action_id=action.pk,
        outcome_on=today(),
        result="successful",
        outcome="Relief duty owed",
        by=iom_officer,
    )
    assert (done.status, done.outcome_on, done.result, done.outcome) == (
        "done",
        today(),
        "successful",
        "Relief duty owed",
    )
    assert done.local_authority_id == CEREDIGION and str(done.local_authority) == "Ceredigion"


def test_done_needs_a_result_and_a_date_not_before_the_action_nor_in_the_future(iom_officer):
    case = supported_case()
    action = add(case, iom_officer, opened_on=today() - timedelta(days=2))
    for outcome_on, result, field in (
        (None, "successful", "outcome_on"),
        (today() - timedelta(days=3), "successful", "outcome_on"),
        (today() + timedelta(days=1), "successful", "outcome_on"),
        (today(), "", "result"),
    ):
        with pytest.raises(ValidationError) as refused:
            services.action_update(
                action_id=action.pk, by=iom_officer, status="done", outcome_on=outcome_on, result=result
            )
        assert field in refused.value.message_dict
    action.refresh_from_db()
    assert action.status == "not_started"


def test_no_longer_needed_is_dated_today_and_reopening_clears_the_outcome(iom_officer):
    case = supported_case()
    action = add(case, iom_officer)
    closed = services.action_update(action_id=action.pk, by=iom_officer, status="not_needed")
    assert (closed.outcome_on, closed.result) == (today(), "")
    reopened = services.action_update(action_id=action.pk, by=iom_officer, status="in_progress")
    assert (reopened.outcome_on, reopened.result) == (None, "")


def test_the_same_update_sent_twice_changes_nothing_more(iom_officer):
    case = supported_case()
    action = add(case, iom_officer)
    first = services.action_update(action_id=action.pk, by=iom_officer, status="in_progress")
    again = services.action_update(action_id=action.pk, by=iom_officer, status="in_progress")
    assert again.version == first.version


def test_a_change_made_on_an_old_version_is_refused(iom_officer, colleague):
    case = supported_case()
    action = add(case, iom_officer)
    shown = MoveOnAction.objects.get(pk=action.pk).version
    with as_user(colleague):
        services.action_update(action_id=action.pk, by=colleague, due_on=today() + timedelta(days=1))
    with pytest.raises(ValidationError, match="changed by"):
        services.action_update(action_id=action.pk, by=iom_officer, notes="Late", expected_version=shown)


def test_two_first_uses_at_once_make_one_plan(transactional_db, iom_officer):
    case = supported_case()
    at_the_same_moment(
        lambda: add(case, iom_officer),
        lambda: add(case, iom_officer, kind=MoveOnAction.Kind.BENEFITS),
    )
    assert MoveOnPlan.objects.count() == 1
    assert MoveOnAction.objects.count() == 2


def test_changes_are_in_the_history(iom_officer):
    case = supported_case()
    with as_user(iom_officer):
        action = add(case, iom_officer)
        services.action_update(action_id=action.pk, by=iom_officer, status="in_progress")
    assert list(MoveOnActionHistory.objects.filter(pgh_obj=action).values_list("status", flat=True)) == [
        "not_started",
        "in_progress",
    ]


def test_erasure_clears_the_actions_free_text(iom_officer, scheme_manager):
    case = supported_case()
    action = add(
        case,
        iom_officer,
        kind="other",
        details="Letter to Aled Jones at the jobcentre",
        notes="Lives with Dai",
    )
    services.action_update(
        action_id=action.pk,
        by=iom_officer,
        status="done",
        outcome_on=today(),
        result="successful",
        outcome="Seen by Aled",
    )
    offender_erase(offender_id=case.placement.offender_id, reason="Retention period over", by=scheme_manager)
    action.refresh_from_db()
    assert (action.details, action.notes, action.outcome) == (ERASED, "", "")
    assert not MoveOnActionHistory.objects.filter(pgh_obj_id=action.pk).exists()
