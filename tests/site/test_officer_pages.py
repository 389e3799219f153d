"""The IOM officer's pages through HTTP: who may open them, the whole journey from referral to
move-on, errors shown next to the field, and list pages whose query count does not grow."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts.models import Alert
from placements.models import Placement
from referrals.models import OffenderEvent, Referral
from tests.factories import (
    AlertFactory,
    BedspaceFactory,
    HomeVisitFactory,
    OffenderFactory,
    PlacementFactory,
    PropertyFactory,
    ReferralFactory,
    VoidPeriodFactory,
)
from tests.helpers import date_fields, form_basis, page_queries, post_as_shown

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(db):
    """One referral in review, one active placement with a visit concern, a void: every page has rows."""
    today = timezone.localdate()
    bedspace = BedspaceFactory(property=PropertyFactory(name="Bridge Street"))
    referral = ReferralFactory(status=Referral.Status.IN_REVIEW)
    placement = PlacementFactory(
        bedspace=bedspace,
        status=Placement.Status.ACTIVE,
        starts_on=today - timedelta(days=10),
        arrived_on=today - timedelta(days=10),
        with_term=True,
    )
    visit = HomeVisitFactory(placement=placement, concern_raised=True, concern="Visitors late at night")
    AlertFactory(
        kind=Alert.Kind.VISIT_CONCERN,
        key=f"visit_concern:visit:{visit.pk}",
        message="Visitors late at night",
        offender=placement.offender,
        placement=placement,
        visit=visit,
    )
    VoidPeriodFactory(bedspace=BedspaceFactory(property=bedspace.property), starts_on=today)
    return {
        "referral": referral,
        "placement": placement,
        "bedspace": bedspace,
        "offender": placement.offender,
    }


def _urls(scene) -> list[str]:
    placement, referral = scene["placement"], scene["referral"]
    return [
        reverse("placements:dashboard"),
        reverse("alerts:acknowledge", args=[Alert.objects.get(kind=Alert.Kind.VISIT_CONCERN).pk]),
        reverse("referrals:referral-list"),
        reverse("referrals:referral-detail", args=[referral.public_id]),
        reverse("referrals:referral-accept", args=[referral.public_id]),
        reverse("referrals:referral-decline", args=[referral.public_id]),
        reverse("referrals:offender-list"),
        reverse("referrals:offender-detail", args=[scene["offender"].public_id]),
        reverse("referrals:offender-event-add", args=[scene["offender"].public_id]),
        reverse("placements:exclusion-add", args=[scene["offender"].public_id]),
        reverse("placements:property-list"),
        reverse("placements:property-detail", args=[scene["bedspace"].property_id]),
        reverse("placements:void-add", args=[scene["bedspace"].pk]),
        reverse("placements:placement-detail", args=[placement.public_id]),
        reverse("placements:placement-renew", args=[placement.public_id]),
        reverse("placements:placement-end", args=[placement.public_id]),
    ]


def test_officers_and_managers_can_open_every_officer_page(client, scene, iom_officer, scheme_manager):
    for user in (iom_officer, scheme_manager):
        client.force_login(user)
        for url in _urls(scene):
            assert client.get(url).status_code == 200, url


def test_analysts_are_refused_the_officer_pages(client, scene, opcc_analyst):
    client.force_login(opcc_analyst)
    for url in _urls(scene):
        assert client.get(url).status_code == 403, url


def test_agency_workers_are_refused_officer_actions_and_never_see_others_people(client, scene, agency_worker):
    client.force_login(agency_worker)
    readable = {
        reverse("referrals:referral-detail", args=[scene["referral"].public_id]),
        reverse("referrals:offender-detail", args=[scene["offender"].public_id]),
        reverse("placements:placement-detail", args=[scene["placement"].public_id]),
    }
    for url in _urls(scene):
        # Records of people the agency has nothing to do with do not exist for it (404, not 403).
        assert client.get(url).status_code == (404 if url in readable else 403), url


def test_anonymous_users_are_sent_to_sign_in(client, scene):
    for url in _urls(scene):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url


def test_an_unknown_record_is_404(iom_officer_client):
    assert (
        iom_officer_client.get(
            reverse("referrals:offender-detail", args=["00000000-0000-4000-8000-000000000000"])
        ).status_code
        == 404
    )


def test_journey_from_referral_to_move_on(iom_officer_client):
    client = iom_officer_client
    today = timezone.localdate()
    bedspace = BedspaceFactory()
    referral = ReferralFactory()

    post_as_shown(client, reverse("referrals:referral-start-review", args=[referral.public_id]))
    response = post_as_shown(
        client, reverse("referrals:referral-accept", args=[referral.public_id]), {"notes": "Suitable"}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED

    response = client.get(
        reverse("placements:find-bedspace", args=[referral.public_id]),
        {**date_fields("starts_on", today), "days": "28"},
    )
    assert bedspace in [row.bedspace for row in response.context["bedspaces"]]

    response = client.post(
        reverse("placements:place", args=[referral.public_id]),
        {
            "bedspace": bedspace.pk,
            "starts_on": today.isoformat(),
            "days": "28",
            "basis": form_basis(response),
        },
    )
    placement = Placement.objects.get(referral=referral)
    assert response["Location"] == placement.get_absolute_url()
    assert placement.status == Placement.Status.PROVISIONAL

    post_as_shown(client, reverse("placements:placement-confirm", args=[placement.public_id]))
    post_as_shown(
        client,
        reverse("placements:placement-arrive", args=[placement.public_id]),
        date_fields("arrived_on", today),
    )
    post_as_shown(
        client,
        reverse("placements:placement-renew", args=[placement.public_id]),
        {"days": "14", "reason": "Waiting for a social housing offer"},
    )
    placement.refresh_from_db()
    assert placement.status == Placement.Status.ACTIVE
    assert placement.licence_terms.count() == 2
    assert placement.ends_on == today + timedelta(days=42)

    page = client.get(placement.get_absolute_url())
    assert page.context["renewals"] == 1 and page.context["total_days"] == 42

    # Departure today would be on the arrival day: refused with the reason beside the field.
    response = post_as_shown(
        client,
        reverse("placements:placement-end", args=[placement.public_id]),
        {**date_fields("departed_on", today), "reason": "planned_move_on", "destination": "social_rent"},
    )
    assert response.status_code == 200
    assert "The departure date must be after the arrival date" in response.content.decode()
    placement.refresh_from_db()
    assert placement.status == Placement.Status.ACTIVE


def test_a_bad_date_is_shown_next_to_the_field_and_writes_nothing(iom_officer_client, scene):
    offender = scene["offender"]
    response = iom_officer_client.post(
        reverse("referrals:offender-event-add", args=[offender.public_id]),
        {
            "kind": "arrest",
            "occurred_on_0": "31",
            "occurred_on_1": "2",
            "occurred_on_2": "2026",
            "offence_category": "theft",
        },
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in content and "The date it happened must be a real date" in content
    assert not OffenderEvent.objects.filter(offender=offender).exists()


def test_renewal_over_28_days_is_refused_on_the_form(iom_officer_client, scene):
    placement = scene["placement"]
    response = iom_officer_client.post(
        reverse("placements:placement-renew", args=[placement.public_id]),
        {"days": "40", "reason": "More time"},
    )
    assert "A licence term must be from 1 to 28 days" in response.content.decode()
    assert placement.licence_terms.count() == 1


def test_offender_search_finds_by_name_and_pnc_id(iom_officer_client):
    OffenderFactory(first_name="Rhys", last_name="Pritchard", pnc_id="2019/0000001A")
    OffenderFactory(first_name="Dafydd", last_name="Evans")
    by_name = iom_officer_client.get(reverse("referrals:offender-list"), {"q": "pritch"})
    assert [o.last_name for o in by_name.context["page"].object_list] == ["Pritchard"]
    by_pnc = iom_officer_client.get(reverse("referrals:offender-list"), {"q": "2019/0000001a"})
    assert [o.last_name for o in by_pnc.context["page"].object_list] == ["Pritchard"]


def test_overrun_placement_is_flagged_on_the_dashboard(iom_officer_client):
    today = timezone.localdate()
    overrun = PlacementFactory(
        status=Placement.Status.ACTIVE,
        starts_on=today - timedelta(days=30),
        arrived_on=today - timedelta(days=30),
        ends_on=today - timedelta(days=2),
        free_from=today - timedelta(days=2),
    )
    response = iom_officer_client.get(reverse("placements:dashboard"))
    assert list(response.context["overrun"]) == [overrun]
    assert "Overrun" in response.content.decode()


def _make_rows(count: int) -> None:
    today = timezone.localdate()
    for _ in range(count):
        bedspace = BedspaceFactory()
        placement = PlacementFactory(
            bedspace=bedspace,
            status=Placement.Status.ACTIVE,
            starts_on=today,
            arrived_on=today,
            with_term=True,
        )
        visit = HomeVisitFactory(placement=placement, concern_raised=True, concern="Concern")
        AlertFactory(
            kind=Alert.Kind.VISIT_CONCERN, offender=placement.offender, placement=placement, visit=visit
        )
        ReferralFactory(offender=placement.offender)


@pytest.mark.parametrize(
    "url_name",
    [
        "placements:dashboard",
        "referrals:referral-list",
        "referrals:offender-list",
        "placements:property-list",
    ],
)
def test_list_pages_make_the_same_number_of_queries_for_2_or_50_rows(iom_officer_client, url_name):
    url = reverse(url_name)
    _make_rows(2)
    with_two = page_queries(iom_officer_client, url)
    _make_rows(48)
    assert page_queries(iom_officer_client, url) == with_two


def test_property_calendar_query_count_does_not_grow_with_bookings(iom_officer_client):
    today = timezone.localdate()
    bedspace = BedspaceFactory()
    url = reverse("placements:property-detail", args=[bedspace.property_id])
    PlacementFactory(
        bedspace=bedspace,
        starts_on=today - timedelta(days=20),
        ends_on=today - timedelta(days=15),
        free_from=today - timedelta(days=15),
    )
    with_one = page_queries(iom_officer_client, url)
    for week in range(4):
        start = today + timedelta(days=7 * week)
        PlacementFactory(
            bedspace=bedspace,
            starts_on=start,
            ends_on=start + timedelta(days=5),
            free_from=start + timedelta(days=6),
        )
    assert page_queries(iom_officer_client, url) == with_one


def test_a_property_marked_unsuitable_is_not_offered_for_that_person(iom_officer_client):
    bedspace = BedspaceFactory()
    referral = ReferralFactory(status=Referral.Status.ACCEPTED)
    response = iom_officer_client.post(
        reverse("placements:exclusion-add", args=[referral.offender.public_id]),
        {"property": bedspace.property_id, "reason": "Near the victim's home"},
    )
    assert response.status_code == 302
    page = iom_officer_client.get(referral.offender.get_absolute_url())
    assert "Near the victim&#x27;s home" in page.content.decode()
    found = iom_officer_client.get(
        reverse("placements:find-bedspace", args=[referral.public_id]),
        {**date_fields("starts_on", timezone.localdate()), "days": "28"},
    )
    assert found.context["bedspaces"] == []


def test_marking_a_property_unsuitable_twice_is_refused_next_to_the_form(iom_officer_client):
    bedspace = BedspaceFactory()
    offender = OffenderFactory()
    url = reverse("placements:exclusion-add", args=[offender.public_id])
    iom_officer_client.post(url, {"property": bedspace.property_id, "reason": "Associates nearby"})
    response = iom_officer_client.post(url, {"property": bedspace.property_id, "reason": "Again"})
    assert "already marked unsuitable" in response.content.decode()


def test_a_concern_stays_on_the_dashboard_until_acknowledged(iom_officer_client, scene):
    alert = Alert.objects.get(kind=Alert.Kind.VISIT_CONCERN)
    assert (
        "Visitors late at night" in iom_officer_client.get(reverse("placements:dashboard")).content.decode()
    )
    url = reverse("alerts:acknowledge", args=[alert.pk])
    response = iom_officer_client.post(url, {"note": "Spoke to the tenant"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == Alert.Status.ACKNOWLEDGED and alert.acknowledgement_note == "Spoke to the tenant"
    assert (
        "Visitors late at night"
        not in iom_officer_client.get(reverse("placements:dashboard")).content.decode()
    )
    # Acknowledging twice: the alert is no longer open, so there is nothing to acknowledge.
    assert iom_officer_client.post(url, {}).status_code == 404


def test_the_error_summary_links_to_the_first_option_of_a_radio_group(iom_officer_client, scene):
    referral = scene["referral"]
    response = iom_officer_client.post(reverse("referrals:referral-decline", args=[referral.public_id]), {})
    content = response.content.decode()
    assert 'href="#id_reason"' in content
    # The first radio carries the field's id, so the link lands on it.
    assert content.count('id="id_reason"') == 1 and 'type="radio"' in content
