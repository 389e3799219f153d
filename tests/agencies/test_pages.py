"""Partner agencies' pages through HTTP: who may open them, the caseload's visit states, recording
and correcting a visit through the form, and list pages whose query count does not grow."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import HomeVisit, VisitCorrection
from agencies.selectors import caseload, visit_history
from alerts.models import Alert
from iom_housing.access import Role
from placements.models import Placement
from tests.agencies.helpers import supported_placement
from tests.clock import london
from tests.factories import (
    AgencyFactory,
    HomeVisitFactory,
    OffenderFactory,
    PlacementFactory,
    ReferralFactory,
    SupportAgencyFactory,
    SupportPlanFactory,
)
from tests.helpers import date_fields, page_queries, post_as_shown, user_with_role

pytestmark = pytest.mark.django_db


def _form(day=None, **overrides) -> dict:
    day = day or timezone.localdate()
    return {
        **date_fields("visited_on", day),
        "visited_time_0": "0",
        "visited_time_1": "05",
        "kind": "home",
        "outcome": "seen",
        "staff_names": "Sian Morgan",
        "property_in_good_order": "yes",
        "drug_test": "negative",
        "engagement": "good",
        "support_hours": "1.5",
        "notes": "",
        **overrides,
    }


@pytest.fixture
def scene(agency, agency_worker):
    placement = supported_placement(agency)
    visit = HomeVisitFactory(placement=placement, agency=agency, recorded_by=agency_worker)
    return {"placement": placement, "visit": visit}


def _person_urls(scene) -> list[str]:
    placement, visit = scene["placement"], scene["visit"]
    return [
        reverse("agencies:visit-record", args=[placement.public_id]),
        reverse("agencies:visit-detail", args=[visit.pk]),
        reverse("agencies:visit-correct", args=[visit.pk]),
        reverse("placements:placement-detail", args=[placement.public_id]),
    ]


def test_the_supporting_agency_worker_opens_every_page(agency_worker_client, scene):
    assert agency_worker_client.get(reverse("agencies:caseload")).status_code == 200
    for url in _person_urls(scene):
        assert agency_worker_client.get(url).status_code == 200, url


def test_agency_workers_go_home_to_their_caseload(agency_worker_client):
    response = agency_worker_client.get(reverse("home"))
    assert response["Location"] == reverse("agencies:caseload")


def test_a_worker_of_another_agency_finds_no_such_person(client, scene):
    client.force_login(user_with_role(Role.AGENCY_WORKER, AgencyFactory()))
    assert client.get(reverse("agencies:caseload")).context["placements"] == []
    for url in _person_urls(scene):
        assert client.get(url).status_code == 404, url


def test_a_worker_whose_agency_referred_but_does_not_support_them_is_told_why(client, scene):
    referrer = AgencyFactory()
    # Accepted: a referral only waiting for a decision opens nothing (404, iom_housing.access.people_scope).
    ReferralFactory(offender=scene["placement"].offender, referring_agency=referrer, status="accepted")
    client.force_login(user_with_role(Role.AGENCY_WORKER, referrer))
    response = client.get(reverse("agencies:visit-record", args=[scene["placement"].public_id]))
    assert response.status_code == 403
    assert "is not on the support plan" in response.content.decode()
    response = client.post(reverse("agencies:visit-record", args=[scene["placement"].public_id]), _form())
    assert response.status_code == 403
    assert HomeVisit.objects.count() == 1


def test_iom_officers_open_every_page_and_correct_any_visit(iom_officer_client, scene):
    assert iom_officer_client.get(reverse("agencies:caseload")).status_code == 200
    for url in _person_urls(scene):
        assert iom_officer_client.get(url).status_code == 200, url


def test_scheme_managers_read_and_correct_visits_but_do_not_record_them(scheme_manager_client, scene):
    record, *others = _person_urls(scene)
    assert scheme_manager_client.get(record).status_code == 403
    for url in others:
        assert scheme_manager_client.get(url).status_code == 200, url


def test_analysts_are_refused(opcc_client, scene):
    assert opcc_client.get(reverse("agencies:caseload")).status_code == 403
    for url in _person_urls(scene):
        assert opcc_client.get(url).status_code == 403, url


def test_anonymous_users_are_sent_to_sign_in(client, scene):
    for url in [reverse("agencies:caseload"), *_person_urls(scene)]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url


def test_a_colleague_cannot_correct_someone_elses_visit(client, scene, agency):
    client.force_login(user_with_role(Role.AGENCY_WORKER, agency))
    visit = scene["visit"]
    assert client.get(reverse("agencies:visit-detail", args=[visit.pk])).status_code == 200
    assert (
        "Correct this visit"
        not in client.get(reverse("agencies:visit-detail", args=[visit.pk])).content.decode()
    )
    assert client.get(reverse("agencies:visit-correct", args=[visit.pk])).status_code == 403


# Recording a visit through the form --------------------------------------------------------------


def test_recording_a_joint_visit_with_a_concern(agency_worker_client, agency_worker, scene, agency):
    placement = scene["placement"]
    partner = AgencyFactory(name="Dyfed Drug and Alcohol Service")
    form = agency_worker_client.get(reverse("agencies:visit-record", args=[placement.public_id]))
    # Prefilled with today and the worker's name; their own agency is not offered as a partner.
    assert form.context["form"].initial["staff_names"] == agency_worker.get_full_name()
    assert agency not in form.context["form"].fields["other_agencies"].queryset
    response = agency_worker_client.post(
        reverse("agencies:visit-record", args=[placement.public_id]),
        _form(other_agencies=[partner.pk], concern_raised="on", concern="Visitors late at night"),
    )
    assert response.status_code == 302 and response["Location"] == placement.get_absolute_url()
    visit = HomeVisit.objects.latest("created_at")
    assert list(visit.other_agencies.all()) == [partner]
    local = timezone.localtime(visit.visited_at)
    assert (local.date(), local.time()) == (timezone.localdate(), time(0, 5))
    assert Alert.objects.get(kind=Alert.Kind.VISIT_CONCERN).visit == visit
    dashboard = agency_worker_client.get(placement.get_absolute_url()).content.decode()
    assert "Your concern has been sent to the IOM team" in dashboard


def test_a_form_shown_again_keeps_the_ticked_agencies_and_links_errors_to_the_first_option(
    agency_worker_client, scene
):
    partners = [AgencyFactory(name=f"Partner {n}") for n in range(3)]
    response = agency_worker_client.post(
        reverse("agencies:visit-record", args=[scene["placement"].public_id]),
        _form(kind="", other_agencies=[partners[0].pk, partners[2].pk]),
    )
    content = response.content.decode()
    assert response.status_code == 200 and 'href="#id_kind"' in content
    assert 'id="id_kind" name="kind" type="radio" value="home">' in content
    assert 'id="id_kind_2" name="kind" type="radio" value="phone">' in content
    ticked = {p.pk for p in partners if f'type="checkbox" value="{p.pk}" checked>' in content}
    assert ticked == {partners[0].pk, partners[2].pk}
    assert 'name="property_in_good_order" type="radio" value="yes" checked>' in content


def test_the_visit_form_makes_the_same_number_of_queries_for_2_or_20_agencies(agency_worker_client, scene):
    url = reverse("agencies:visit-record", args=[scene["placement"].public_id])
    AgencyFactory.create_batch(2)
    with_two = page_queries(agency_worker_client, url)
    AgencyFactory.create_batch(18)
    assert page_queries(agency_worker_client, url) == with_two


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"support_hours": "25"}, "Support hours must be a number from 0 to 24"),
        ({"support_hours": "-1"}, "Support hours must be a number from 0 to 24"),
        ({"support_hours": "one"}, "Enter support hours as a number"),
        ({"concern_raised": "on", "concern": ""}, "Describe the concern"),
        ({"visited_time_0": "25"}, "Enter a real time"),
        ({"visited_on_0": "31", "visited_on_1": "2"}, "The visit&#x27;s date must be a real date"),
        ({"kind": ""}, "Select how you saw them"),
        ({"other_agencies": ["999999"]}, "Select the other agencies from the list"),
    ],
)
def test_bad_input_is_shown_and_writes_nothing(agency_worker_client, scene, overrides, message):
    response = agency_worker_client.post(
        reverse("agencies:visit-record", args=[scene["placement"].public_id]), _form(**overrides)
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in content and message in content
    assert HomeVisit.objects.count() == 1 and not Alert.objects.exists()


def test_a_future_visit_is_refused_next_to_the_date(agency_worker_client, scene):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = agency_worker_client.post(
        reverse("agencies:visit-record", args=[scene["placement"].public_id]), _form(day=tomorrow)
    )
    assert response.context["form"].errors["visited_on"] == ["The visit cannot be in the future"]
    assert HomeVisit.objects.count() == 1


# Correcting a visit ---------------------------------------------------------------------------------


def test_correcting_a_visit_keeps_the_change_and_shows_it(agency_worker_client, scene):
    visit = scene["visit"]
    url = reverse("agencies:visit-correct", args=[visit.pk])
    form = agency_worker_client.get(url).context["form"]
    assert form.initial["outcome"] == "seen" and form.initial["support_hours"] == "1.5"
    local = timezone.localtime(visit.visited_at)
    data = {
        **_form(day=local.date(), visited_time_0=str(local.hour), visited_time_1=str(local.minute)),
        "support_hours": "1.5",
        "drug_test": "",
        "property_in_good_order": "",
        "engagement": "good",
    }
    response = agency_worker_client.post(url, {**data, "support_hours": "2"})
    assert "Enter why you are correcting the visit" in response.content.decode()
    assert not VisitCorrection.objects.exists()
    response = post_as_shown(
        agency_worker_client, url, {**data, "support_hours": "2", "reason": "Wrong hours"}
    )
    assert response.status_code == 302
    correction = VisitCorrection.objects.get()
    assert correction.changes["support_hours"] == ["1.50", "2.00"]
    page = agency_worker_client.get(reverse("agencies:visit-detail", args=[visit.pk])).content.decode()
    assert "Wrong hours" in page and "Support hours delivered" in page


# The caseload -----------------------------------------------------------------------------------------


# Pinned: at 00:30 on a Monday, a visit "an hour ago" was last week's, and due again this Sunday.
@pytest.mark.time_machine(london(2026, 12, 2, 14), tick=False)
def test_caseload_states_overdue_due_and_visited(agency, agency_worker):
    now = timezone.localtime()
    today = now.date()
    monday = today - timedelta(days=today.weekday())
    overdue = supported_placement(agency, arrived_days_ago=20)
    HomeVisitFactory(placement=overdue, agency=agency, visited_at=now - timedelta(days=8))
    never = supported_placement(agency, arrived_days_ago=9)
    visited = supported_placement(agency, arrived_days_ago=20)
    HomeVisitFactory(placement=visited, agency=agency, visited_at=now - timedelta(hours=1))
    # A joint visit led by another agency counts as this agency's visit too.
    joint = supported_placement(agency, arrived_days_ago=20)
    HomeVisitFactory(
        placement=joint, agency=AgencyFactory(), visited_at=now - timedelta(hours=1)
    ).other_agencies.add(agency)
    # Due this week: the last visit was 7 days before some day from today to Sunday.
    due = supported_placement(agency, arrived_days_ago=20)
    due_day = monday + timedelta(days=6)
    HomeVisitFactory(
        placement=due,
        agency=agency,
        visited_at=timezone.make_aware(datetime.combine(due_day - timedelta(days=7), time(10))),
    )
    arriving = PlacementFactory(status=Placement.Status.CONFIRMED, starts_on=today + timedelta(days=3))
    SupportAgencyFactory(support_plan=SupportPlanFactory(placement=arriving), agency=agency)
    # Not on the caseload: supported by another agency only; this agency stopped; arriving later.
    supported_placement(AgencyFactory())
    stopped = supported_placement(agency)
    stopped.support_plan.support_agencies.update(ended_on=today)
    later = PlacementFactory(status=Placement.Status.CONFIRMED, starts_on=today + timedelta(days=20))
    SupportAgencyFactory(support_plan=SupportPlanFactory(placement=later), agency=agency)

    rows = {p.pk: p for p in caseload(user=agency_worker, today=today)}
    states = {pk: row.visit_state for pk, row in rows.items()}
    assert states == {
        overdue.pk: "overdue",
        never.pk: "overdue",
        visited.pk: "visited",
        joint.pk: "visited",
        due.pk: "due",
        arriving.pk: "arriving",
    }
    assert rows[overdue.pk].visit_due_on == (now - timedelta(days=8)).date() + timedelta(days=7)
    assert rows[never.pk].last_visit_at is None
    assert [p.visit_state for p in caseload(user=agency_worker, today=today)][:2] == ["overdue", "overdue"]


def test_caseload_lists_by_state_then_due_day_then_name(agency, agency_worker):
    today = timezone.localdate()
    # Overdue by the same day: by name. Overdue longer comes first; arriving soon comes last.
    adams = supported_placement(agency, arrived_days_ago=10, offender=OffenderFactory(last_name="Adams"))
    zeller = supported_placement(agency, arrived_days_ago=10, offender=OffenderFactory(last_name="Zeller"))
    longer = supported_placement(agency, arrived_days_ago=12, offender=OffenderFactory(last_name="Young"))
    arriving = PlacementFactory(
        status=Placement.Status.CONFIRMED,
        starts_on=today + timedelta(days=1),
        offender=OffenderFactory(last_name="Aaron"),
    )
    SupportAgencyFactory(support_plan=SupportPlanFactory(placement=arriving), agency=agency)

    rows = caseload(user=agency_worker, today=today)

    assert [row.pk for row in rows] == [longer.pk, adams.pk, zeller.pk, arriving.pk]
    assert [row.visit_state for row in rows] == ["overdue", "overdue", "overdue", "arriving"]
    assert rows[-1].visit_due_on == today + timedelta(days=8)


def test_caseload_page_shows_safety_warnings_and_a_record_button(agency_worker_client, agency):
    placement = supported_placement(
        agency, offender=OffenderFactory(safety_warnings="Do not visit alone: lone visiting not allowed.")
    )
    content = agency_worker_client.get(reverse("agencies:caseload")).content.decode()
    assert "govuk-warning-text" in content and "lone visiting not allowed" in content
    assert reverse("agencies:visit-record", args=[placement.public_id]) in content
    assert "Overdue" in content


def _caseload_rows(agency, count: int) -> None:
    for _ in range(count):
        placement = supported_placement(agency, offender=OffenderFactory(safety_warnings="Visit in pairs."))
        HomeVisitFactory(placement=placement, agency=agency)


def test_caseload_makes_the_same_number_of_queries_for_2_or_20_rows(agency_worker_client, agency):
    url = reverse("agencies:caseload")
    _caseload_rows(agency, 2)
    with_two = page_queries(agency_worker_client, url)
    _caseload_rows(agency, 18)
    assert page_queries(agency_worker_client, url) == with_two
    assert len(agency_worker_client.get(url).context["placements"]) == 20


def test_visit_history_makes_the_same_number_of_queries_for_2_or_20_visits(agency_worker_client, agency):
    placement = supported_placement(agency, arrived_days_ago=25)
    url = placement.get_absolute_url()
    partner = AgencyFactory()
    SupportAgencyFactory(support_plan=placement.support_plan, agency=partner)

    def visits(count):
        for n in range(count):
            visit = HomeVisitFactory(
                placement=placement,
                agency=agency if n % 2 else partner,
                visited_at=timezone.now() - timedelta(days=n, hours=1),
            )
            visit.other_agencies.add(AgencyFactory())

    visits(2)
    with_two = page_queries(agency_worker_client, url)
    visits(18)
    assert page_queries(agency_worker_client, url) == with_two
    content = agency_worker_client.get(url).content.decode()
    assert "Support hours delivered against the tier" in content


def test_visit_history_sums_every_agencys_hours_per_week_against_the_tier(agency, agency_worker):
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    # Arrived on the Monday two weeks ago: two whole weeks and this one so far.
    placement = supported_placement(agency, arrived_days_ago=(today - (monday - timedelta(days=14))).days)
    placement.support_plan.tier = "t2"  # 5 hours a week
    placement.support_plan.save()
    partner = AgencyFactory()
    at = timezone.make_aware(datetime.combine(monday - timedelta(days=14), time(10)))
    HomeVisitFactory(placement=placement, agency=agency, visited_at=at, support_hours=Decimal("2"))
    HomeVisitFactory(
        placement=placement, agency=partner, visited_at=at + timedelta(days=2), support_hours=Decimal("3.5")
    )
    HomeVisitFactory(
        placement=placement, agency=agency, visited_at=at + timedelta(days=7), support_hours=Decimal("1")
    )

    history = visit_history(user=agency_worker, placement=placement, today=today)
    weeks = {week.starts_on: week for week in history.weeks}
    first, second = weeks[monday - timedelta(days=14)], weeks[monday - timedelta(days=7)]
    assert (first.hours, first.target, first.met, first.visits) == (Decimal("5.5"), Decimal("5.0"), True, 2)
    assert (second.hours, second.met) == (Decimal("1"), False)
    # This week is not judged until it is over.
    assert weeks[monday].in_progress and weeks[monday].met is None and weeks[monday].days == 7
    assert (history.hours, history.target) == (Decimal("6.5"), Decimal("10.0"))
    assert [group.agency for group in history.by_agency] == sorted([agency, partner], key=lambda a: a.name)


def test_visit_history_without_a_plan_has_no_target(agency_worker):
    placement = PlacementFactory(
        status=Placement.Status.ACTIVE,
        starts_on=timezone.localdate() - timedelta(days=3),
        arrived_on=timezone.localdate() - timedelta(days=3),
    )
    history = visit_history(user=user_with_role(Role.IOM_OFFICER), placement=placement)
    assert history.weekly_hours is None and all(week.target is None for week in history.weeks)
    # And an agency worker who cannot see the person sees none of their visits.
    HomeVisitFactory(placement=placement)
    assert visit_history(user=agency_worker, placement=placement).visit_count == 0


# A placement's visits ------------------------------------------------------------------------------


def test_the_placement_page_shows_each_agencys_latest_visits_and_links_to_them_all(
    agency_worker_client, agency, agency_worker
):
    placement = supported_placement(agency, arrived_days_ago=20)
    partner = AgencyFactory(name="Partner")
    now = timezone.now()
    ours = [
        HomeVisitFactory(placement=placement, agency=agency, visited_at=now - timedelta(days=n, hours=1))
        for n in range(7)
    ]
    HomeVisitFactory.create_batch(2, placement=placement, agency=partner, visited_at=now - timedelta(hours=3))

    history = visit_history(user=agency_worker, placement=placement)
    shown = {group.agency: group for group in history.by_agency}
    assert [visit.pk for visit in shown[agency].visits] == [visit.pk for visit in ours[:5]]
    assert (shown[agency].total, shown[partner].total, history.visit_count) == (7, 2, 9)
    assert sum(week.visits for week in history.weeks) == 9

    page = agency_worker_client.get(placement.get_absolute_url()).content.decode()
    assert "7 visits" in page and "The latest 5 are shown" in page and "See all 9 visits" in page
    assert ours[5].get_absolute_url() not in page
    all_visits = agency_worker_client.get(reverse("agencies:placement-visits", args=[placement.public_id]))
    assert all_visits.context["page"].paginator.count == 9
    assert ours[6].get_absolute_url() in all_visits.content.decode()


def test_a_placement_with_few_visits_shows_them_all_without_a_link(agency_worker_client, scene):
    page = agency_worker_client.get(scene["placement"].get_absolute_url()).content.decode()
    assert "See all" not in page and "are shown" not in page
    assert scene["visit"].get_absolute_url() in page


def test_a_placements_visits_page_makes_the_same_number_of_queries_for_2_or_20_visits(
    agency_worker_client, agency
):
    placement = supported_placement(agency, arrived_days_ago=25)
    url = reverse("agencies:placement-visits", args=[placement.public_id])

    def visits(count):
        for n in range(count):
            visit = HomeVisitFactory(
                placement=placement, agency=agency, visited_at=timezone.now() - timedelta(days=n)
            )
            visit.other_agencies.add(AgencyFactory())

    visits(2)
    with_two = page_queries(agency_worker_client, url)
    visits(18)
    assert page_queries(agency_worker_client, url) == with_two
    assert len(agency_worker_client.get(url).context["page"].object_list) == 20
