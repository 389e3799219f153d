"""Ending a placement: the answers, then check them; reason and destination pairs that contradict
each other refused (saying which); "Other" says where; and an ending corrected afterwards with why,
the values before and after kept.

Today is pinned to Thursday 3 December 2026 (London, winter time)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from aftercare.models import FollowUpCheck
from audit.models import AccessLogEntry
from placements import services
from placements.models import (
    CONTRADICTORY_ENDINGS,
    DepartureReason,
    Destination,
    EndingCorrection,
    Placement,
    ending_contradiction,
)
from tests.clock import london
from tests.helpers import date_fields, form_basis, post_as_shown, refused_writing_nothing, signed_in_client
from tests.placements import helpers as h

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)
ARRIVED = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _pinned(time_machine):
    time_machine.move_to(london(2026, 12, 3, 11, 30), tick=False)


@pytest.fixture
def stay():
    """Active since Monday 23 November, in a property with a turnaround of 2 working days."""
    return h.make_placement(h.make_bedspace(turnaround=2), starts_on=ARRIVED, status=Placement.Status.ACTIVE)


def _answers(day=TODAY, reason="planned_move_on", destination="social_rent", details=""):
    return {
        **date_fields("departed_on", day),
        "reason": reason,
        "destination": destination,
        "destination_details": details,
    }


def _stored(placement):
    placement.refresh_from_db()
    return (placement.status, placement.departed_on, placement.departure_reason, placement.destination)


# The rule, by hand ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "destination", "refused"),
    [
        ("eviction", "social_rent", True),  # the example
        ("eviction", "private_rent", True),
        ("eviction", "supported_long_term", True),
        ("eviction", "no_fixed_abode", False),
        ("eviction", "family", False),
        ("eviction", "custody", False),  # evicted for violence and arrested: custody is where they went
        ("recalled", "custody", False),
        ("recalled", "social_rent", True),
        ("recalled", "unknown", True),
        ("arrested", "custody", False),
        ("arrested", "hospital", True),
        ("planned_move_on", "social_rent", False),
        ("planned_move_on", "hospital", False),
        ("planned_move_on", "custody", True),
        ("planned_move_on", "no_fixed_abode", True),
        ("planned_move_on", "unknown", True),
        ("licence_ended", "temporary", False),
        ("licence_ended", "custody", False),
        ("abandoned", "unknown", False),
        ("abandoned", "other", False),
    ],
)
def test_contradictory_reason_and_destination_pairs(reason, destination, refused):
    assert (ending_contradiction(reason, destination) is not None) is refused


def test_every_pair_in_the_table_names_both_answers():
    for reason, destinations, _why in CONTRADICTORY_ENDINGS:
        for destination in destinations:
            message = ending_contradiction(reason, destination)
            assert str(DepartureReason(reason).label) in message
            assert str(Destination(destination).label) in message


# The service --------------------------------------------------------------------------------


def test_a_contradictory_ending_is_refused_by_the_destination_and_writes_nothing(stay, iom_officer):
    error = refused_writing_nothing(
        lambda: _stored(stay),
        services.placement_end,
        placement_id=stay.pk,
        departed_on=TODAY,
        reason="eviction",
        destination="social_rent",
        by=iom_officer,
    )
    assert error.message_dict["destination"] == [
        "“Evicted for breach of licence” cannot go with “Settled: social rent”: an eviction does not move "
        "someone into a new tenancy."
    ]


def test_other_needs_where_and_only_other_keeps_it(stay, iom_officer):
    error = refused_writing_nothing(
        lambda: _stored(stay),
        services.placement_end,
        placement_id=stay.pk,
        departed_on=TODAY,
        reason="licence_ended",
        destination="other",
        destination_details="   ",
        by=iom_officer,
    )
    assert error.message_dict == {"destination_details": ["Enter where they moved on to."]}
    services.placement_end(
        placement_id=stay.pk,
        departed_on=TODAY,
        reason="licence_ended",
        destination="other",
        destination_details="  Staying with his sister in Tregaron ",
        by=iom_officer,
    )
    stay.refresh_from_db()
    assert stay.destination_details == "Staying with his sister in Tregaron"


def test_details_typed_for_another_destination_are_not_kept(stay, iom_officer):
    services.placement_end(
        placement_id=stay.pk,
        departed_on=TODAY,
        reason="planned_move_on",
        destination="social_rent",
        destination_details="typed before choosing",
        by=iom_officer,
    )
    stay.refresh_from_db()
    assert stay.destination_details == ""


# The pages: answers, check, end ------------------------------------------------------------


def test_ending_asks_then_shows_the_answers_then_ends(stay, iom_officer_client):
    url = reverse("placements:placement-end", args=[stay.public_id])
    response = post_as_shown(
        iom_officer_client, url, _answers(destination="other", details="A friend's sofa")
    )
    check_url = reverse("placements:placement-end-check", args=[stay.public_id])
    assert response.status_code == 302 and response.url == check_url
    assert _stored(stay)[0] == Placement.Status.ACTIVE  # nothing changed yet

    page = iom_officer_client.get(check_url).content.decode()
    assert "Check your answers before ending the placement" in page
    assert "Thursday 3 December 2026" in page or "3 December 2026" in page
    assert "Planned move-on" in page and "Other: A friend&#x27;s sofa" in page
    assert f'href="{url}#id_destination"' in page

    # "Change" brings the answers back as given
    again = iom_officer_client.get(url).content.decode()
    assert 'value="A friend&#x27;s sofa"' in again

    response = iom_officer_client.post(check_url)
    assert response.status_code == 302 and response.url == stay.get_absolute_url()
    assert _stored(stay) == (Placement.Status.ENDED, TODAY, "planned_move_on", "other")
    assert FollowUpCheck.objects.filter(placement=stay).count() == 3
    # the answers are gone: the check page sends back to step 1
    assert iom_officer_client.get(check_url).url == url


def test_a_contradiction_is_said_on_the_first_step_by_the_field(stay, iom_officer_client):
    url = reverse("placements:placement-end", args=[stay.public_id])
    response = post_as_shown(iom_officer_client, url, _answers(reason="recalled", destination="social_rent"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "“Recalled to custody” cannot go with “Settled: social rent”" in page
    assert _stored(stay)[0] == Placement.Status.ACTIVE


def test_a_departure_the_service_refuses_never_reaches_the_check_page(stay, iom_officer_client):
    url = reverse("placements:placement-end", args=[stay.public_id])
    response = post_as_shown(iom_officer_client, url, _answers(day=ARRIVED))
    assert response.status_code == 200
    assert "The departure date must be after the arrival date" in response.content.decode()
    assert _stored(stay)[0] == Placement.Status.ACTIVE
    assert not FollowUpCheck.objects.exists()  # the dry run left nothing behind


def test_a_colleague_ending_it_between_the_steps_is_told_not_done_twice(
    stay, iom_officer, iom_officer_client
):
    url = reverse("placements:placement-end", args=[stay.public_id])
    post_as_shown(iom_officer_client, url, _answers())
    services.placement_end(
        placement_id=stay.pk,
        departed_on=TODAY - timedelta(days=1),
        reason="planned_move_on",
        destination="family",
        by=iom_officer,
    )
    response = iom_officer_client.post(reverse("placements:placement-end-check", args=[stay.public_id]))
    assert response.status_code == 302
    assert _stored(stay) == (Placement.Status.ENDED, TODAY - timedelta(days=1), "planned_move_on", "family")


def test_agency_workers_and_analysts_cannot_end_or_correct(stay, agency_worker_client, opcc_analyst):
    analyst = signed_in_client(opcc_analyst)
    for name in ("placements:placement-end", "placements:placement-end-check", "placements:ending-correct"):
        url = reverse(name, args=[stay.public_id])
        assert agency_worker_client.get(url).status_code in (403, 404), name
        assert analyst.get(url).status_code == 403, name


# Correcting an ending ---------------------------------------------------------------------------


@pytest.fixture
def ended(stay, iom_officer):
    services.placement_end(
        placement_id=stay.pk,
        departed_on=date(2026, 12, 1),
        reason="eviction",
        destination="no_fixed_abode",
        by=iom_officer,
    )
    stay.refresh_from_db()
    return stay


def test_a_correction_keeps_before_and_after_and_why(ended, iom_officer, iom_officer_client):
    url = reverse("placements:ending-correct", args=[ended.public_id])
    page = iom_officer_client.get(url)
    assert page.status_code == 200
    response = iom_officer_client.post(
        url,
        {
            **_answers(day=date(2026, 12, 2), reason="eviction", destination="temporary"),
            "correction_reason": "He left on the Wednesday; the council placed him in a B&B.",
            "basis": form_basis(page),
        },
    )
    assert response.status_code == 302
    ended.refresh_from_db()
    assert (ended.departed_on, ended.ends_on, ended.destination) == (
        date(2026, 12, 2),
        date(2026, 12, 2),
        "temporary",
    )
    # empty for 2 working days after the new departure (Thursday 3, Friday 4): free from Saturday 5
    assert ended.free_from == date(2026, 12, 5)
    correction = EndingCorrection.objects.get()
    assert correction.corrected_by == iom_officer
    assert correction.changes == {
        "departed_on": ["2026-12-01", "2026-12-02"],
        "destination": ["no_fixed_abode", "temporary"],
    }
    # the follow-up checks are due from the corrected date (3, 6 and 12 months after 2 December)
    assert sorted(FollowUpCheck.objects.filter(placement=ended).values_list("due_on", flat=True)) == [
        date(2027, 3, 2),
        date(2027, 6, 2),
        date(2027, 12, 2),
    ]
    detail = iom_officer_client.get(ended.get_absolute_url()).content.decode()
    assert "Corrections to the ending" in detail and "the council placed him in a B&amp;B" in detail
    assert "No fixed abode or rough sleeping" in detail and "Temporary accommodation" in detail
    entry = AccessLogEntry.objects.filter(url=url).latest("pk")
    assert entry.offender_ids == [ended.offender_id]


def test_a_correction_needs_a_reason_a_change_and_a_pair_that_agrees(ended, iom_officer):
    common = {"placement_id": ended.pk, "by": iom_officer, "departed_on": date(2026, 12, 1)}
    rows = lambda: (_stored(ended), EndingCorrection.objects.count())  # noqa: E731
    error = refused_writing_nothing(
        rows,
        services.placement_ending_correct,
        reason="eviction",
        destination="social_rent",
        correction_reason="",
        **common,
    )
    assert set(error.message_dict) == {"destination", "correction_reason"}
    error = refused_writing_nothing(
        rows,
        services.placement_ending_correct,
        reason="eviction",
        destination="no_fixed_abode",
        correction_reason="Checking",
        **common,
    )
    assert "Nothing has changed" in error.messages[0]
    error = refused_writing_nothing(
        rows,
        services.placement_ending_correct,
        reason="eviction",
        destination="no_fixed_abode",
        correction_reason="x" * 2001,
        **common,
    )
    assert "1 character too long" in error.message_dict["correction_reason"][0]


def test_a_corrected_departure_cannot_run_into_the_next_booking(ended, iom_officer):
    # Monday 7: after leaving on Tuesday 1 the bedspace is free from Friday 4 (turnaround Wed, Thu)
    h.make_placement(ended.bedspace, starts_on=date(2026, 12, 7))
    error = refused_writing_nothing(
        lambda: _stored(ended),
        services.placement_ending_correct,
        placement_id=ended.pk,
        departed_on=date(2026, 12, 3),  # turnaround Friday 4 and Monday 7: free only from Tuesday 8
        reason="eviction",
        destination="no_fixed_abode",
        correction_reason="Left a day later",
        by=iom_officer,
    )
    assert "departed_on" in error.message_dict


def test_an_active_placement_has_no_ending_to_correct(stay, iom_officer_client):
    response = iom_officer_client.get(reverse("placements:ending-correct", args=[stay.public_id]))
    assert response.status_code == 302 and response.url == stay.get_absolute_url()
