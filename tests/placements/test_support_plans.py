"""Support plans: which agencies support a placement, how often each visits, and the tier. The
service's rules (each refusal writes nothing), and the page for each role, with errors beside the
agency they are about."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from iom_housing.access import Role
from placements.models import Placement, SupportAgency, SupportPlan
from placements.selectors import placement_list
from placements.services import support_plan_set
from tests.factories import AgencyFactory, PlacementFactory, SupportAgencyFactory, SupportPlanFactory
from tests.helpers import page_queries, post_as_shown, user_with_role

pytestmark = pytest.mark.django_db

Status = Placement.Status


@pytest.fixture
def placement():
    today = timezone.localdate()
    return PlacementFactory(
        status=Status.ACTIVE, starts_on=today - timedelta(days=3), arrived_on=today - timedelta(days=3)
    )


@pytest.fixture
def probation():
    return AgencyFactory(name="Probation Service", kind=Agency.Kind.PROBATION)


@pytest.fixture
def ddas():
    return AgencyFactory(name="Drug and Alcohol Service", kind=Agency.Kind.DRUG_ALCOHOL)


def _rows(plan) -> dict[str, tuple[int, object]]:
    return {row.agency.name: (row.visit_every_days, row.ended_on) for row in plan.support_agencies.all()}


def _snapshot():
    return (
        list(SupportPlan.objects.values_list("pk", "tier", "notes")),
        list(SupportAgency.objects.values_list("pk", "agency_id", "visit_every_days", "ended_on")),
    )


# The service ---------------------------------------------------------------------------------------


def test_setting_a_plan_names_the_agencies_their_frequency_and_the_tier(
    placement, probation, ddas, iom_officer
):
    plan = support_plan_set(
        placement_id=placement.pk,
        tier="t2",
        agencies={probation.pk: 7, ddas.pk: 14},
        notes="  Joint visits on Mondays  ",
        by=iom_officer,
    )
    assert plan.placement == placement and plan.tier == "t2" and plan.notes == "Joint visits on Mondays"
    assert _rows(plan) == {"Probation Service": (7, None), "Drug and Alcohol Service": (14, None)}
    assert plan.weekly_hours == 5


def test_changing_the_plan_updates_the_tier_and_frequency_in_place(placement, probation, iom_officer):
    support_plan_set(placement_id=placement.pk, tier="t1", agencies={probation.pk: 7}, by=iom_officer)
    plan = support_plan_set(placement_id=placement.pk, tier="t3", agencies={probation.pk: 3}, by=iom_officer)
    assert SupportPlan.objects.count() == 1 and SupportAgency.objects.count() == 1
    assert plan.tier == "t3" and _rows(plan) == {"Probation Service": (3, None)}


def test_an_agency_left_off_stops_today_and_is_kept(placement, probation, ddas, iom_officer):
    support_plan_set(
        placement_id=placement.pk, tier="t2", agencies={probation.pk: 7, ddas.pk: 7}, by=iom_officer
    )
    plan = support_plan_set(placement_id=placement.pk, tier="t2", agencies={probation.pk: 7}, by=iom_officer)
    today = timezone.localdate()
    assert _rows(plan) == {"Probation Service": (7, None), "Drug and Alcohol Service": (7, today)}
    # Its workers still see the placement they supported.
    worker = user_with_role(Role.AGENCY_WORKER, ddas)
    assert list(placement_list(user=worker)) == [placement]


def test_an_agency_listed_again_supports_again(placement, probation, ddas, iom_officer):
    support_plan_set(
        placement_id=placement.pk, tier="t2", agencies={probation.pk: 7, ddas.pk: 7}, by=iom_officer
    )
    support_plan_set(placement_id=placement.pk, tier="t2", agencies={probation.pk: 7}, by=iom_officer)
    plan = support_plan_set(
        placement_id=placement.pk, tier="t2", agencies={probation.pk: 7, ddas.pk: 10}, by=iom_officer
    )
    assert _rows(plan) == {"Probation Service": (7, None), "Drug and Alcohol Service": (10, None)}
    assert SupportAgency.objects.count() == 2


def test_an_agency_that_stopped_earlier_keeps_its_end_date(placement, probation, ddas, iom_officer):
    ended = timezone.localdate() - timedelta(days=30)
    plan = SupportPlanFactory(placement=placement)
    SupportAgencyFactory(support_plan=plan, agency=ddas, ended_on=ended)
    support_plan_set(placement_id=placement.pk, tier="t2", agencies={probation.pk: 7}, by=iom_officer)
    assert _rows(plan)["Drug and Alcohol Service"] == (7, ended)


@pytest.mark.parametrize("every", [0, 29, -7, "7", None])
def test_a_frequency_outside_1_to_28_days_is_refused_naming_the_agency(
    placement, probation, iom_officer, every
):
    before = _snapshot()
    with pytest.raises(ValidationError) as error:
        support_plan_set(placement_id=placement.pk, tier="t1", agencies={probation.pk: every}, by=iom_officer)
    [item] = error.value.error_dict["agencies"]
    assert item.code == "visit_every_days" and item.params["agency_id"] == probation.pk
    assert "Probation Service" in item.message % item.params
    assert _snapshot() == before


@pytest.mark.parametrize("every", [1, 28])
def test_a_frequency_of_1_to_28_days_is_allowed(placement, probation, iom_officer, every):
    plan = support_plan_set(
        placement_id=placement.pk, tier="t1", agencies={probation.pk: every}, by=iom_officer
    )
    assert _rows(plan) == {"Probation Service": (every, None)}


def test_an_inactive_agency_is_refused(placement, iom_officer):
    closed = AgencyFactory(name="Closed Project", active=False)
    before = _snapshot()
    with pytest.raises(ValidationError) as error:
        support_plan_set(placement_id=placement.pk, tier="t1", agencies={closed.pk: 7}, by=iom_officer)
    assert "Closed Project cannot support a placement" in str(error.value.message_dict["agencies"])
    assert _snapshot() == before


def test_the_commissioners_office_is_not_a_supporting_agency(placement, iom_officer):
    opcc = AgencyFactory(kind=Agency.Kind.COMMISSIONER)
    with pytest.raises(ValidationError):
        support_plan_set(placement_id=placement.pk, tier="t1", agencies={opcc.pk: 7}, by=iom_officer)
    assert not SupportPlan.objects.exists()


def test_an_unknown_agency_is_refused(placement, iom_officer):
    with pytest.raises(ValidationError) as error:
        support_plan_set(placement_id=placement.pk, tier="t1", agencies={987654: 7}, by=iom_officer)
    assert "agencies" in error.value.message_dict
    assert not SupportPlan.objects.exists()


def test_a_plan_needs_at_least_one_agency(placement, probation, iom_officer):
    support_plan_set(placement_id=placement.pk, tier="t1", agencies={probation.pk: 7}, by=iom_officer)
    before = _snapshot()
    with pytest.raises(ValidationError) as error:
        support_plan_set(placement_id=placement.pk, tier="t1", agencies={}, by=iom_officer)
    assert "Select at least one agency" in str(error.value.message_dict["agencies"])
    assert _snapshot() == before


@pytest.mark.parametrize("tier", ["", "t4", "T1"])
def test_an_unknown_tier_is_refused(placement, probation, iom_officer, tier):
    with pytest.raises(ValidationError) as error:
        support_plan_set(placement_id=placement.pk, tier=tier, agencies={probation.pk: 7}, by=iom_officer)
    assert "tier" in error.value.message_dict
    assert not SupportPlan.objects.exists()


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.NOT_ARRIVED])
def test_a_released_booking_cannot_have_a_plan(probation, iom_officer, status):
    placement = PlacementFactory(status=status, cancellation_reason="Changed plans")
    with pytest.raises(ValidationError) as error:
        support_plan_set(placement_id=placement.pk, tier="t1", agencies={probation.pk: 7}, by=iom_officer)
    assert error.value.code == "wrong_status"
    assert not SupportPlan.objects.exists()


@pytest.mark.parametrize("status", [Status.PROVISIONAL, Status.CONFIRMED])
def test_a_booking_can_have_a_plan_before_arrival(probation, iom_officer, status):
    placement = PlacementFactory(status=status)
    plan = support_plan_set(placement_id=placement.pk, tier="t1", agencies={probation.pk: 7}, by=iom_officer)
    assert plan.placement == placement


def test_an_unknown_placement_is_a_clear_error(probation, iom_officer):
    with pytest.raises(ValidationError) as error:
        support_plan_set(placement_id=987654, tier="t1", agencies={probation.pk: 7}, by=iom_officer)
    assert error.value.code == "not_found"


# The page ------------------------------------------------------------------------------------------


def _url(placement) -> str:
    return reverse("placements:support-plan", args=[placement.public_id])


def _post(probation=None, ddas=None, **extra) -> dict:
    data = {"tier": "t2", "notes": "", **extra}
    chosen = []
    for agency, days in ((probation, "7"), (ddas, "14")):
        if agency is not None:
            chosen.append(str(agency.pk))
            data.setdefault(f"visit_every_days_{agency.pk}", days)
    data["agencies"] = chosen
    return data


def test_officers_and_managers_can_set_the_plan(
    client, placement, probation, ddas, iom_officer, scheme_manager
):
    for user in (iom_officer, scheme_manager):
        client.force_login(user)
        assert client.get(_url(placement)).status_code == 200
    response = post_as_shown(client, _url(placement), _post(probation, ddas))
    assert response.status_code == 302 and response["Location"] == placement.get_absolute_url()
    plan = SupportPlan.objects.get(placement=placement)
    assert _rows(plan) == {"Probation Service": (7, None), "Drug and Alcohol Service": (14, None)}


def test_agency_workers_and_analysts_are_refused_and_anonymous_users_sent_to_sign_in(
    client, placement, probation, agency_worker, opcc_analyst
):
    SupportAgencyFactory(
        support_plan=SupportPlanFactory(placement=placement), agency=agency_worker.membership.agency
    )
    for user in (agency_worker, opcc_analyst):
        client.force_login(user)
        assert client.get(_url(placement)).status_code == 403
        assert client.post(_url(placement), _post(probation)).status_code == 403
    client.logout()
    response = client.get(_url(placement))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_unknown_placement_is_404(iom_officer_client):
    url = reverse("placements:support-plan", args=["00000000-0000-4000-8000-000000000000"])
    assert iom_officer_client.get(url).status_code == 404


def test_the_form_lists_active_visiting_agencies_with_weekly_as_the_default(
    iom_officer_client, placement, probation
):
    AgencyFactory(name="Closed Project", active=False)
    AgencyFactory(name="The Commissioner's Office", kind=Agency.Kind.COMMISSIONER)
    content = iom_officer_client.get(_url(placement)).content.decode()
    assert "Probation Service" in content
    assert "Closed Project" not in content and "Commissioner" not in content
    assert f'name="visit_every_days_{probation.pk}"' in content and 'value="7"' in content
    assert "T2: 5 hours a week" in content


def test_the_form_starts_from_the_current_plan(iom_officer_client, placement, probation, ddas, iom_officer):
    support_plan_set(placement_id=placement.pk, tier="t3", agencies={ddas.pk: 3}, by=iom_officer)
    form = iom_officer_client.get(_url(placement)).context["form"]
    assert form["tier"].value() == "t3"
    assert form["agencies"].value() == [ddas.pk]
    assert form[f"visit_every_days_{ddas.pk}"].value() == 3
    assert form[f"visit_every_days_{probation.pk}"].value() == 7


def test_a_bad_frequency_is_shown_beside_that_agency_and_writes_nothing(
    iom_officer_client, placement, probation, ddas
):
    response = post_as_shown(
        iom_officer_client, _url(placement), _post(probation, ddas, **{f"visit_every_days_{ddas.pk}": "40"})
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[f"visit_every_days_{ddas.pk}"] == [
        "Visits by Drug and Alcohol Service must be every 1 to 28 days."
    ]
    assert f"visit_every_days_{probation.pk}" not in form.errors
    content = response.content.decode()
    assert "There is a problem" in content
    assert f'href="#id_visit_every_days_{ddas.pk}"' in content
    assert f'id="id_visit_every_days_{ddas.pk}_1_error"' in content
    assert not SupportPlan.objects.exists()


def test_a_frequency_that_is_not_a_number_is_refused_on_the_form(iom_officer_client, placement, probation):
    response = iom_officer_client.post(
        _url(placement), _post(probation, **{f"visit_every_days_{probation.pk}": "weekly"})
    )
    assert response.context["form"].errors[f"visit_every_days_{probation.pk}"] == [
        "Enter the number of days as a number, from 1 to 28"
    ]
    assert not SupportPlan.objects.exists()


def test_an_unticked_agencys_frequency_is_ignored(iom_officer_client, placement, probation, ddas):
    data = _post(probation, **{f"visit_every_days_{ddas.pk}": "nonsense"})
    assert post_as_shown(iom_officer_client, _url(placement), data).status_code == 302
    assert _rows(SupportPlan.objects.get()) == {"Probation Service": (7, None)}


def test_no_agency_ticked_is_refused_on_the_form(iom_officer_client, placement, probation):
    response = iom_officer_client.post(_url(placement), _post())
    content = response.content.decode()
    assert "Select at least one agency that supports this placement" in content
    assert 'href="#id_agencies"' in content and 'id="id_agencies"' in content
    assert not SupportPlan.objects.exists()


def test_no_tier_is_refused_on_the_form(iom_officer_client, placement, probation):
    response = iom_officer_client.post(_url(placement), _post(probation, tier=""))
    assert "Select the support tier" in response.content.decode()
    assert not SupportPlan.objects.exists()


def test_a_released_booking_is_refused_on_the_form(iom_officer_client, probation):
    placement = PlacementFactory(status=Status.CANCELLED, cancellation_reason="Changed plans")
    response = post_as_shown(iom_officer_client, _url(placement), _post(probation))
    assert response.status_code == 200 and "cannot be changed this way" in response.content.decode()
    assert not SupportPlan.objects.exists()


# On the placement page -----------------------------------------------------------------------------


def test_the_placement_page_shows_the_plan_with_past_agencies(
    iom_officer_client, placement, probation, ddas, iom_officer
):
    support_plan_set(
        placement_id=placement.pk, tier="t2", agencies={probation.pk: 7, ddas.pk: 14}, by=iom_officer
    )
    support_plan_set(placement_id=placement.pk, tier="t2", agencies={probation.pk: 7}, by=iom_officer)
    content = iom_officer_client.get(placement.get_absolute_url()).content.decode()
    today = timezone.localdate()
    assert "T2: 5 hours a week" in content
    assert "Probation Service: visits weekly" in content
    assert f"Drug and Alcohol Service, until {today.day} {today:%B %Y}" in content
    assert "Change support plan" in content


def test_the_placement_page_says_when_there_is_no_plan(iom_officer_client, placement):
    content = iom_officer_client.get(placement.get_absolute_url()).content.decode()
    assert "No support plan has been set" in content and "Set the support plan" in content


def test_a_supporting_agency_sees_the_plan_but_no_change_link(client, placement, probation, iom_officer):
    support_plan_set(placement_id=placement.pk, tier="t1", agencies={probation.pk: 3}, by=iom_officer)
    client.force_login(user_with_role(Role.AGENCY_WORKER, probation))
    content = client.get(placement.get_absolute_url()).content.decode()
    assert "Probation Service: visits every 3 days" in content
    assert "Change support plan" not in content


def test_the_placement_page_query_count_does_not_grow_with_the_agencies(iom_officer_client, placement):
    plan = SupportPlanFactory(placement=placement)
    SupportAgencyFactory(support_plan=plan)
    with_one = page_queries(iom_officer_client, placement.get_absolute_url())
    for n in range(6):
        SupportAgencyFactory(support_plan=plan, ended_on=timezone.localdate() if n % 2 else None)
    assert page_queries(iom_officer_client, placement.get_absolute_url()) == with_one
