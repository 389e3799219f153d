"""The move-on pages: the plan as a task list on the placement's page, the forms (an agency worker's
on a phone-sized page), the agency's caseload, and planned move-outs on the dashboard and the
property calendar. List pages keep their number of queries whatever their length."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from moveon.models import MoveOnAction, MoveOnPlan
from placements.areas import known_area
from tests.clock import london
from tests.factories import MoveOnActionFactory, MoveOnPlanFactory
from tests.helpers import date_fields, page_queries, post_as_shown, signed_in_client
from tests.moveon.helpers import supported_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pinned(time_machine):
    time_machine.move_to(london(2026, 12, 3, 10, 30), tick=False)


def today():
    return timezone.localdate()


def actions(case, n, **fields):
    plan = MoveOnPlan.objects.filter(placement=case.placement).first() or MoveOnPlanFactory(
        placement=case.placement
    )
    fields.setdefault("owner_agency", case.agency)
    return [MoveOnActionFactory(plan=plan, opened_on=case.placement.arrived_on, **fields) for _ in range(n)]


def test_the_placement_page_shows_the_plan_as_a_task_list(iom_officer_client):
    case = supported_case()
    MoveOnPlanFactory(placement=case.placement, target_on=today() + timedelta(days=20))
    actions(case, 1, due_on=today() - timedelta(days=1))
    actions(
        case,
        1,
        kind="wales_s66",
        local_authority="Powys",
        due_on=today() + timedelta(days=3),
    )
    page = iom_officer_client.get(case.placement.get_absolute_url()).content.decode()
    assert "Move-on plan" in page and "govuk-task-list" in page
    assert "23 December 2026" in page  # the target
    assert "Overdue" in page and "Not started" in page
    assert "Powys" in page  # the council the duty is owed by, by its area
    assert reverse("moveon:action-add", args=[case.placement.public_id]) in page


def test_the_placement_page_keeps_its_queries_whatever_the_number_of_actions(iom_officer_client):
    case = supported_case()
    actions(case, 2)
    url = case.placement.get_absolute_url()
    with_two = page_queries(iom_officer_client, url)
    actions(case, 18, status="in_progress")
    assert page_queries(iom_officer_client, url) == with_two


def test_an_agency_worker_sees_the_plan_and_may_change_only_its_own_actions():
    case = supported_case()
    [own] = actions(case, 1)
    [police] = actions(case, 1, owner_agency=None)
    page = signed_in_client(case.worker).get(case.placement.get_absolute_url()).content.decode()
    assert reverse("moveon:action-progress", args=[own.public_id]) in page
    assert reverse("moveon:action-progress", args=[police.public_id]) not in page
    assert reverse("moveon:plan-dates", args=[case.placement.public_id]) not in page


def test_an_officer_adds_an_action_for_an_agency(iom_officer_client):
    case = supported_case()
    url = reverse("moveon:action-add", args=[case.placement.public_id])
    response = iom_officer_client.post(
        url,
        {
            "kind": "england_duty_to_refer",
            "local_authority": known_area("Bristol").code,
            "owner_agency": str(case.agency.pk),
            **date_fields("due_on", today() + timedelta(days=5)),
        },
    )
    assert response.status_code == 302
    action = MoveOnAction.objects.get()
    assert (action.kind, action.owner_agency, action.opened_on) == (
        "england_duty_to_refer",
        case.agency,
        today(),
    )


def test_a_bad_action_is_shown_again_with_the_error_by_its_field(iom_officer_client):
    case = supported_case()
    url = reverse("moveon:action-add", args=[case.placement.public_id])
    for answers, error in (
        ({"kind": "wales_s75"}, "Name the local housing authority"),
        ({"kind": "benefits", "notes": "x" * 1001}, "at most 1000 characters"),
        ({"kind": "benefits", **date_fields("due_on", today()), "due_on_1": "13"}, "must be a real date"),
    ):
        response = iom_officer_client.post(url, answers)
        assert response.status_code == 200
        page = response.content.decode()
        assert "govuk-error-summary" in page and error in page, error
    assert not MoveOnAction.objects.exists()


def test_an_agency_worker_records_progress_on_its_action():
    case = supported_case()
    [action] = actions(case, 1, due_on=today() - timedelta(days=1))
    client = signed_in_client(case.worker)
    url = reverse("moveon:action-progress", args=[action.public_id])
    response = post_as_shown(
        client,
        url,
        {"status": "done", **date_fields("outcome_on", today()), "result": "successful", "outcome": "Band 2"},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.outcome_on, action.result, action.outcome) == (
        "done",
        today(),
        "successful",
        "Band 2",
    )


def test_an_agency_worker_adds_its_own_action_with_no_owner_to_choose():
    case = supported_case()
    client = signed_in_client(case.worker)
    url = reverse("moveon:action-add", args=[case.placement.public_id])
    assert 'name="owner_agency"' not in client.get(url).content.decode()
    assert client.post(url, {"kind": "bank_account"}).status_code == 302
    assert MoveOnAction.objects.get().owner_agency == case.agency


def test_another_agency_finds_neither_the_form_nor_the_action():
    case = supported_case()
    [action] = actions(case, 1)
    client = signed_in_client(case.outsider)
    assert client.get(reverse("moveon:action-add", args=[case.placement.public_id])).status_code == 404
    assert client.get(reverse("moveon:action-progress", args=[action.public_id])).status_code == 404


def test_the_caseload_shows_the_agencys_own_actions_in_a_fixed_number_of_queries():
    case = supported_case()
    [own] = actions(case, 1, due_on=today() - timedelta(days=2))
    [police] = actions(case, 1, owner_agency=None)
    client = signed_in_client(case.worker)
    url = reverse("agencies:caseload")
    page = client.get(url).content.decode()
    assert reverse("moveon:action-progress", args=[own.public_id]) in page
    assert reverse("moveon:action-progress", args=[police.public_id]) not in page
    assert "Overdue" in page
    with_two = page_queries(client, url)
    for _ in range(3):
        other = supported_case()
        other.placement.support_plan.support_agencies.update(agency=case.agency)
        actions(other, 2, owner_agency=case.agency)
    assert page_queries(client, url) == with_two


def test_the_dashboard_lists_planned_move_outs_and_the_calendar_marks_the_day(iom_officer_client):
    case = supported_case()
    MoveOnPlanFactory(placement=case.placement, planned_move_out_on=today() + timedelta(days=4))
    dashboard = iom_officer_client.get(reverse("placements:dashboard")).content.decode()
    assert "Planned move-outs in the next 28 days (1)" in dashboard
    assert case.placement.offender.full_name in dashboard
    calendar = iom_officer_client.get(case.placement.bedspace.property.get_absolute_url()).content.decode()
    assert "planned move-out" in calendar
    assert calendar.count("> M</span>") == 1


def test_the_plan_dates_form_sets_the_target_and_the_move_out(iom_officer_client):
    case = supported_case()
    url = reverse("moveon:plan-dates", args=[case.placement.public_id])
    response = post_as_shown(
        iom_officer_client,
        url,
        {
            **date_fields("target_on", today() + timedelta(days=14)),
            **date_fields("planned_move_out_on", None),
        },
    )
    assert response.status_code == 302
    plan = MoveOnPlan.objects.get()
    assert (plan.target_on, plan.planned_move_out_on) == (today() + timedelta(days=14), None)
