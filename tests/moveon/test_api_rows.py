"""The move-on API writes a list page from values() rows with a plain function
(`action_representations`), not field by field through DRF: here it is checked against what the
serializer's own fields write, for actions open (dated or not), done, no longer needed, made to a
council and owned by the IOM team, changed in summer and in winter; and an agency's list is its own
actions on the placements it supports today, in the order they changed."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from iom_housing.access import Role
from moveon import selectors
from moveon.api import MoveOnActionSerializer, action_representations, action_rows
from moveon.models import MoveOnAction
from tests.factories import MoveOnActionFactory, MoveOnPlanFactory, UserFactory
from tests.helpers import user_with_role
from tests.moveon.helpers import supported_case

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
WINTER = datetime(2026, 12, 1, 9, 15, 5, 123456, tzinfo=LONDON)  # UTC: written with "Z"
SUMMER = datetime(2026, 7, 1, 0, 30, tzinfo=LONDON)  # 23:30 UTC the day before
TODAY = datetime(2026, 12, 3, 10, 30, tzinfo=LONDON)


@pytest.fixture
def history(time_machine):
    time_machine.move_to(TODAY, tick=False)
    case = supported_case(days_in=20)
    plan = MoveOnPlanFactory(placement=case.placement)
    arrived = case.placement.arrived_on

    def action(at, **fields):
        time_machine.move_to(at, tick=False)
        fields.setdefault("owner_agency", case.agency)
        return MoveOnActionFactory(plan=plan, opened_on=arrived, **fields)

    action(SUMMER)
    action(WINTER, status=MoveOnAction.Status.IN_PROGRESS, due_on=None, details="Form half done")
    action(
        SUMMER,
        status=MoveOnAction.Status.DONE,
        outcome_on=arrived + timedelta(days=5),
        result=MoveOnAction.Result.SUCCESSFUL,
        outcome="Relief duty owed",
        kind=MoveOnAction.Kind.WALES_S73,
        local_authority="Ceredigion",
        applied_on=arrived + timedelta(days=1),
    )
    action(WINTER, status=MoveOnAction.Status.NOT_NEEDED, outcome_on=arrived + timedelta(days=2))
    action(SUMMER, owner_agency=None, owner_user=UserFactory(), notes="The IOM team's")
    other = supported_case()
    MoveOnActionFactory(
        plan=MoveOnPlanFactory(placement=other.placement),
        owner_agency=other.agency,
        opened_on=other.placement.arrived_on,
    )
    time_machine.move_to(TODAY, tick=False)
    return case


def test_an_action_is_written_as_the_serializers_fields_would_write_it(history):
    today = TODAY.date()
    actions = list(selectors.action_list(user=user_with_role(Role.IOM_OFFICER), today=today))
    assert len(actions) == 6
    assert {a.owner_agency_id is None for a in actions} == {True, False}
    assert any(a.local_authority_id for a in actions) and any(a.due_on is None for a in actions)
    expected = {a.pk: MoveOnActionSerializer(a).data for a in actions}
    rows = list(action_rows(selectors.action_list(user=user_with_role(Role.IOM_OFFICER), today=today)))
    assert {row["pk"]: w for row, w in zip(rows, action_representations(rows), strict=True)} == expected
    written = {expected[a.pk]["created_at"] for a in actions}
    assert {"2026-12-01T09:15:05.123456Z", "2026-07-01T00:30:00+01:00"} <= written


def test_an_agencys_list_is_its_own_actions_on_the_people_it_supports_in_the_order_they_changed(
    history, api_client_for
):
    http = api_client_for(history.agency)
    body = http.get("/api/v1/moveon/actions/").json()
    own = MoveOnAction.objects.filter(owner_agency=history.agency).select_related("plan__placement")
    assert body["results"] == [MoveOnActionSerializer(a).data for a in own.order_by("updated_at", "pk")]
    assert len(body["results"]) == 4
    history.placement.support_plan.support_agencies.update(ended_on=date(2026, 12, 3))
    assert http.get("/api/v1/moveon/actions/").json()["results"] == []
