"""The visits due this week and next (agencies.selectors.visits_due and its page): planned on the
day the last visit gave, otherwise due by the support plan's frequency; an agency's own for its
staff, every agency's for the IOM team; by who planned them."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from iom_housing.access import Role
from placements.models import Placement
from tests.clock import london
from tests.factories import (
    AgencyFactory,
    HomeVisitFactory,
    PlacementFactory,
    SupportAgencyFactory,
    SupportPlanFactory,
)
from tests.helpers import user_with_role

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 2)  # a Wednesday: this week ends on Sunday 6, next week on Sunday 13


@pytest.fixture(autouse=True)
def _pinned(time_machine):
    time_machine.move_to(london(2026, 12, 2, 9), tick=False)


def _in_residence(arrived: date, *supports) -> Placement:
    placement = PlacementFactory(
        status=Placement.Status.ACTIVE,
        starts_on=arrived,
        arrived_on=arrived,
        ends_on=arrived + timedelta(days=28),
    )
    plan = SupportPlanFactory(placement=placement)
    for agency, every, *ended in supports:
        SupportAgencyFactory(
            support_plan=plan, agency=agency, visit_every_days=every, ended_on=ended[0] if ended else None
        )
    return placement


@pytest.fixture
def world():
    probation = AgencyFactory(name="Probation")
    drugs = AgencyFactory(name="Drug and alcohol service")
    planner = user_with_role(Role.AGENCY_WORKER, probation, first_name="Megan", last_name="Planner")
    colleague = user_with_role(Role.AGENCY_WORKER, probation, first_name="Owain", last_name="Colleague")
    ann = _in_residence(date(2026, 11, 20), (probation, 7), (drugs, 7))
    # Probation visited on Monday 30 November and planned the next for Monday 7 December.
    HomeVisitFactory(
        placement=ann,
        agency=probation,
        recorded_by=planner,
        visited_at=london(2026, 11, 30, 10),
        next_visit_on=date(2026, 12, 7),
    )
    # Arrived Saturday 28 November, a visit every 14 days and none yet: due Saturday 12 December.
    ben = _in_residence(date(2026, 11, 28), (probation, 14))
    # Due Tuesday 15 December: after next week.
    cai = _in_residence(date(2026, 12, 1), (probation, 14))
    # Probation stopped supporting today: nothing owed.
    dee = _in_residence(date(2026, 11, 1), (probation, 7, TODAY))
    # Probation visited yesterday with no next visit planned: due Tuesday 8 December (today + 6).
    eve = _in_residence(date(2026, 11, 10), (probation, 7))
    HomeVisitFactory(
        placement=eve, agency=probation, recorded_by=colleague, visited_at=london(2026, 12, 1, 23, 30)
    )
    ended = _in_residence(date(2026, 10, 1), (probation, 7))
    Placement.objects.filter(pk=ended.pk).update(
        status=Placement.Status.ENDED,
        departed_on=date(2026, 10, 20),
        ends_on=date(2026, 10, 20),
        free_from=date(2026, 10, 22),
        departure_reason="planned_move_on",
        destination="social_rent",
    )
    return {
        "probation": probation,
        "drugs": drugs,
        "planner": planner,
        "colleague": colleague,
        "ann": ann,
        "ben": ben,
        "cai": cai,
        "dee": dee,
        "eve": eve,
    }


def _rows(client, **params) -> list[tuple[str, str, str, str]]:
    response = client.get(reverse("agencies:visits-due"), params)
    assert response.status_code == 200
    return [
        (str(title), v.placement.offender.first_name, v.agency.name, v.due_on.isoformat(), v.planned_by)
        for title, _total, visits in response.context["groups"]
        for v in visits
    ]


def _names(world, *keys):
    return [world[key].offender.first_name for key in keys]


def test_an_officer_sees_every_agencys_visits_due_by_day(client, world):
    officer = user_with_role(Role.IOM_OFFICER)
    client.force_login(officer)
    ann, ben, eve = _names(world, "ann", "ben", "eve")
    assert _rows(client) == [
        # Drugs never visited Ann: due 7 days from her arrival, Friday 27 November.
        ("Overdue", ann, "Drug and alcohol service", "2026-11-27", ""),
        ("Due next week", ann, "Probation", "2026-12-07", "Megan Planner"),
        # 23:30 on 1 December is that day in the UK (GMT): 1 + 7 = 8 December.
        ("Due next week", eve, "Probation", "2026-12-08", ""),
        ("Due next week", ben, "Probation", "2026-12-12", ""),
    ]
    assert _rows(client, agency=world["drugs"].pk) == [
        ("Overdue", ann, "Drug and alcohol service", "2026-11-27", "")
    ]


def test_an_agency_sees_its_own_and_filters_by_who_planned_them(client, world):
    client.force_login(world["colleague"])
    ann, ben, eve = _names(world, "ann", "ben", "eve")
    assert [row[1] for row in _rows(client)] == [ann, eve, ben]
    # The agency filter is not theirs to use: they still see only their own agency's.
    assert [row[1] for row in _rows(client, agency=world["drugs"].pk)] == [ann, eve, ben]
    assert _rows(client, worker=world["planner"].pk) == [
        ("Due next week", ann, "Probation", "2026-12-07", "Megan Planner")
    ]
    content = client.get(reverse("agencies:visits-due")).content.decode()
    # (by the stay's address, not the person's name: a random name may be shared by chance)
    assert "Record a visit" in content and str(world["cai"].public_id) not in content


def test_another_agency_sees_none_of_them(client, world):
    client.force_login(user_with_role(Role.AGENCY_WORKER, AgencyFactory(name="Elsewhere")))
    assert _rows(client) == []


@pytest.mark.parametrize("extra", [0, 5])
def test_the_page_takes_a_fixed_number_of_queries(client, world, extra, django_assert_num_queries):
    for n in range(extra):
        _in_residence(
            date(2026, 11, 25) + timedelta(days=n % 3), (world["probation"], 7), (world["drugs"], 7)
        )
    client.force_login(user_with_role(Role.IOM_OFFICER))
    client.get(reverse("agencies:visits-due"))
    # session, user, membership; the agencies and staff of the filters; the visits due with
    # their planners; the page's placements and agencies; the header's alert count; the access log
    with django_assert_num_queries(9):
        assert client.get(reverse("agencies:visits-due")).status_code == 200


def test_a_joint_visit_is_the_joining_agencys_last_visit_too(client, world):
    """Drugs joined probation's visit to Ann on Monday 30 November: the next visit that one
    planned (7 December, by Megan Planner) is drugs' too, no longer overdue from her arrival."""
    visit = world["ann"].visits.get()
    visit.other_agencies.add(world["drugs"])
    client.force_login(user_with_role(Role.IOM_OFFICER))
    ann = world["ann"].offender.first_name
    assert ("Due next week", ann, "Drug and alcohol service", "2026-12-07", "Megan Planner") in _rows(client)
    assert not [row for row in _rows(client) if row[0] == "Overdue"]


def test_the_last_visit_counts_on_its_uk_day_in_summer_time(client, world, time_machine):
    """A visit at 00:30 BST on 1 July is on 1 July in the UK (23:30 on 30 June in UTC)."""
    time_machine.move_to(london(2026, 7, 2, 9), tick=False)  # a Thursday
    drugs = AgencyFactory(name="Summer service")
    fay = _in_residence(date(2026, 6, 20), (drugs, 7))
    HomeVisitFactory(
        placement=fay,
        agency=drugs,
        recorded_by=user_with_role(Role.AGENCY_WORKER, drugs),
        visited_at=london(2026, 7, 1, 0, 30),
    )
    client.force_login(user_with_role(Role.IOM_OFFICER))
    assert ("Due next week", fay.offender.first_name, "Summer service", "2026-07-08", "") in _rows(
        client, agency=drugs.pk
    )


def test_the_visits_due_come_fifty_to_a_page_with_each_groups_whole_count(client, world):
    """55 more visits overdue: page 1 has 50 of the 56 overdue; page 2 the other 6 overdue and
    the 3 due next week; the headings count the whole list on both."""
    for n in range(55):
        _in_residence(date(2026, 11, 1) + timedelta(days=n % 5), (world["probation"], 7))
    client.force_login(user_with_role(Role.IOM_OFFICER))
    first = client.get(reverse("agencies:visits-due"))
    groups = [(str(title), total, len(visits)) for title, total, visits in first.context["groups"]]
    assert groups == [("Overdue", 56, 50), ("Due this week", 0, 0)]
    assert first.context["count"] == 59
    assert "Page 1 of 2" in first.content.decode()
    second = client.get(reverse("agencies:visits-due"), {"page": 2})
    groups = [(str(title), total, len(visits)) for title, total, visits in second.context["groups"]]
    assert groups == [("Overdue", 56, 6), ("Due this week", 0, 0), ("Due next week", 3, 3)]
    overdue = [v.due_on for v in first.context["groups"][0][2]] + [
        v.due_on for v in second.context["groups"][0][2]
    ]
    assert overdue == sorted(overdue)
