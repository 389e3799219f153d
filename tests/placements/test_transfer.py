"""Moving a person to another bedspace (`placement_transfer`): the placement ends on the day of
the move ("moved to another bedspace", no move-on destination) and a new active one starts that
day in the other bedspace, with the same referral and support plan; refused, writing nothing,
when the other bedspace is not free; an IOM officer's action; not a leaving in the reports."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from aftercare.models import FollowUpCheck
from placements.models import DepartureReason, Placement, SupportAgency, Transfer
from placements.services import placement_end, placement_transfer
from referrals.models import ReferralEvent
from referrals.selectors import offender_timeline
from tests.clock import london
from tests.factories import (
    AgencyFactory,
    PropertyExclusionFactory,
    SupportAgencyFactory,
    SupportPlanFactory,
    VoidPeriodFactory,
)
from tests.helpers import date_fields, post_as_shown
from tests.placements import helpers as h

pytestmark = pytest.mark.django_db

Status = Placement.Status
TODAY = date(2026, 12, 7)  # a Monday


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(london(2026, 12, 7, 10), tick=False)


def placed(**fields) -> Placement:
    """An active placement from 10 days ago, 28 nights, with its referral and a support plan."""
    referral = h.accepted_referral()
    placement = h.make_placement(
        h.make_bedspace(turnaround=2),
        starts_on=TODAY - timedelta(days=10),
        status=Status.ACTIVE,
        offender=referral.offender,
        referral=referral,
        **fields,
    )
    plan = SupportPlanFactory(placement=placement, tier="t2")
    SupportAgencyFactory(support_plan=plan, agency=AgencyFactory(), visit_every_days=7)
    return placement


def move(placement: Placement, bedspace, by, **overrides):
    kwargs = {
        "placement_id": placement.pk,
        "bedspace_id": bedspace.pk,
        "moved_on": TODAY,
        "reason": Transfer.Reason.REPAIR,
        "details": "The boiler failed: no heating.",
        "days": 14,
        "by": by,
    } | overrides
    return placement_transfer(**kwargs)


def test_a_move_ends_the_placement_and_starts_one_in_the_other_bedspace_the_same_day(iom_officer):
    placement = placed()
    target = h.make_bedspace(turnaround=1)

    transfer = move(placement, target, iom_officer)

    placement.refresh_from_db()
    moved = transfer.to_placement
    assert (placement.status, placement.departed_on, placement.ends_on) == (Status.ENDED, TODAY, TODAY)
    assert (placement.departure_reason, placement.destination) == (DepartureReason.TRANSFERRED, "")
    assert placement.free_from == date(2026, 12, 10)  # 2 working days after Monday: Tuesday, Wednesday
    assert (moved.bedspace, moved.status, moved.starts_on, moved.arrived_on) == (
        target,
        Status.ACTIVE,
        TODAY,
        TODAY,
    )
    assert (moved.ends_on, moved.referral, moved.offender) == (
        TODAY + timedelta(days=14),
        placement.referral,
        placement.offender,
    )
    assert list(moved.licence_terms.values_list("number", "starts_on", "ends_on")) == [
        (1, TODAY, TODAY + timedelta(days=14))
    ]
    assert (transfer.from_placement, transfer.moved_on, transfer.reason, transfer.created_by) == (
        placement,
        TODAY,
        "repair",
        iom_officer,
    )
    # The support plan goes with them.
    assert moved.support_plan.tier == "t2"
    assert list(
        SupportAgency.objects.filter(support_plan=moved.support_plan).values_list(
            "visit_every_days", flat=True
        )
    ) == [7]
    # The referral's feed says they moved; no follow-up checks (they have not left the scheme).
    assert ReferralEvent.objects.filter(referral=placement.referral, kind="transferred").exists()
    assert not FollowUpCheck.objects.filter(placement=placement).exists()


def test_a_move_into_a_booked_bedspace_is_refused_writing_nothing(iom_officer):
    placement = placed()
    target = h.make_bedspace(turnaround=2)
    # 17 to 24 December; its turnaround skips Christmas, the weekend and Boxing Day's substitute
    # (29 and 30 December), so it holds the bedspace until the 31st.
    h.make_placement(target, starts_on=TODAY + timedelta(days=10), length=7)

    error = h.refused(
        placement_transfer,
        placement_id=placement.pk,
        bedspace_id=target.pk,
        moved_on=TODAY,
        reason="incident",
        details="A fight with a neighbour.",
        days=14,
        by=iom_officer,
    )

    assert list(error.message_dict) == ["bedspace"]
    assert h.text(error) == (
        f"{target} is not free from 7 December 2026 to 21 December 2026: it runs into another booking "
        "of this bedspace from 17 December 2026 until 31 December 2026 (with turnaround)."
    )
    assert not Transfer.objects.exists()


def test_a_move_into_a_void_bedspace_is_refused(iom_officer):
    placement = placed()
    target = h.make_bedspace()
    VoidPeriodFactory(bedspace=target, starts_on=TODAY - timedelta(days=3), ends_on=None)

    error = h.refused(move, placement=placement, bedspace=target, by=iom_officer)

    assert "void from 4 December 2026 with no end date" in h.text(error)


def test_a_move_to_an_unsuitable_property_is_refused(iom_officer):
    placement = placed()
    target = h.make_bedspace()
    PropertyExclusionFactory(property=target.property, offender=placement.offender, reason="Near the victim")

    error = h.refused(move, placement=placement, bedspace=target, by=iom_officer)

    assert "unsuitable for this person: Near the victim" in h.text(error)


def test_a_move_to_the_same_bedspace_is_refused(iom_officer):
    placement = placed()

    error = h.refused(move, placement=placement, bedspace=placement.bedspace, by=iom_officer)

    assert list(error.message_dict) == ["bedspace"]


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"reason": "bored"}, "reason"),
        ({"details": "  "}, "details"),
        ({"details": "x" * 2001}, "details"),
        ({"days": 29}, "days"),
        ({"moved_on": TODAY + timedelta(days=1)}, "moved_on"),
        ({"moved_on": TODAY - timedelta(days=15)}, "moved_on"),
        ({"moved_on": TODAY - timedelta(days=10)}, "moved_on"),  # the day they arrived
    ],
)
def test_bad_input_is_refused_by_its_field(iom_officer, overrides, field):
    placement = placed()

    error = h.refused(move, placement=placement, bedspace=h.make_bedspace(), by=iom_officer, **overrides)

    assert list(error.message_dict) == [field]


@pytest.mark.parametrize("status", [Status.CONFIRMED, Status.ENDED])
def test_only_an_active_placement_can_be_moved(iom_officer, status):
    placement = placed()
    if status == Status.CONFIRMED:
        Placement.objects.filter(pk=placement.pk).update(status=status, arrived_on=None)
    else:
        Placement.objects.filter(pk=placement.pk).update(
            status=status,
            departed_on=TODAY - timedelta(days=1),
            ends_on=TODAY - timedelta(days=1),
            departure_reason="planned_move_on",
            destination="social_rent",
        )

    h.refused(move, placement=placement, bedspace=h.make_bedspace(), by=iom_officer)


def test_a_moved_person_can_be_moved_again(iom_officer):
    placement = placed()
    first = move(placement, h.make_bedspace(), iom_officer, moved_on=TODAY - timedelta(days=5))
    second = move(first.to_placement, h.make_bedspace(), iom_officer)

    chain = Placement.objects.filter(referral=placement.referral).order_by("starts_on")
    assert [p.status for p in chain] == [Status.ENDED, Status.ENDED, Status.ACTIVE]
    assert chain[2] == second.to_placement


def test_ending_a_placement_cannot_use_the_move_reason(iom_officer):
    placement = placed()

    error = h.refused(
        placement_end,
        placement_id=placement.pk,
        departed_on=TODAY,
        reason=DepartureReason.TRANSFERRED,
        destination="",
        by=iom_officer,
    )

    assert "reason" in error.message_dict


def test_the_move_is_in_the_persons_timeline(iom_officer):
    placement = placed()
    target = h.make_bedspace()
    move(placement, target, iom_officer)

    entries = [(entry.title, entry.description) for entry in offender_timeline(offender=placement.offender)]

    assert (
        "Moved to another bedspace",
        f"From {placement.bedspace} to {target}. Repairs to the bedspace: The boiler failed: no heating.",
    ) in entries
    assert [title for title, _ in entries].count("Left the placement") == 0


def test_the_move_is_in_the_placements_history(iom_officer_client, iom_officer):
    placement = placed()
    transfer = move(placement, h.make_bedspace(), iom_officer)

    page = iom_officer_client.get(placement.get_absolute_url())
    html = page.content.decode()

    assert "Moved to another bedspace" in html  # the reason for leaving, in the history and summary
    assert transfer.to_placement.get_absolute_url() in html
    moved_page = iom_officer_client.get(transfer.to_placement.get_absolute_url()).content.decode()
    assert "Moved from" in moved_page and "The boiler failed: no heating." in moved_page


# The page ----------------------------------------------------------------------------------------


def test_an_officer_moves_a_person_from_the_placement_page(iom_officer_client):
    placement = placed()
    target = h.make_bedspace()
    detail = iom_officer_client.get(placement.get_absolute_url()).content.decode()
    url = reverse("placements:placement-transfer", args=[placement.public_id])
    assert url in detail

    response = post_as_shown(
        iom_officer_client,
        url,
        {
            "bedspace": target.pk,
            **date_fields("moved_on", TODAY),
            "reason": "risk",
            "details": "Threats from a neighbour.",
            "days": "21",
        },
    )

    assert response.status_code == 302
    transfer = Transfer.objects.get()
    assert (transfer.to_placement.bedspace, transfer.reason) == (target, "risk")
    assert transfer.to_placement.ends_on == TODAY + timedelta(days=21)


def test_the_page_offers_suitable_bedspaces_with_when_each_is_free(iom_officer_client):
    placement = placed()  # its licence runs 18 more days: the page asks for 18 by default
    now = h.make_bedspace(name="A House")
    later = h.make_bedspace(name="B House", turnaround=0)
    h.make_placement(later, starts_on=TODAY + timedelta(days=10), length=7)  # to 24 December
    never = h.make_bedspace(name="C House")
    VoidPeriodFactory(bedspace=never, starts_on=TODAY, ends_on=None)
    url = reverse("placements:placement-transfer", args=[placement.public_id])

    choices = dict(iom_officer_client.get(url).context["form"].fields["bedspace"].choices)

    assert choices[now.pk] == f"{now} (free now)"
    assert choices[later.pk] == f"{later} (free from 24 December 2026)"
    assert never.pk not in choices and placement.bedspace_id not in choices


def test_the_page_shows_a_refusal_by_the_bedspace_field_keeping_the_answers(iom_officer_client):
    placement = placed()
    target = h.make_bedspace(turnaround=0)
    h.make_placement(target, starts_on=TODAY + timedelta(days=10), length=7)
    url = reverse("placements:placement-transfer", args=[placement.public_id])
    answers = {
        "bedspace": target.pk,
        **date_fields("moved_on", TODAY),
        "reason": "risk",
        "details": "Threats.",
    }

    response = post_as_shown(iom_officer_client, url, {**answers, "days": "18"})

    assert response.status_code == 200
    form = response.context["form"]
    assert "runs into another booking of this bedspace from 17 December 2026" in form.errors["bedspace"][0]
    assert form.data["details"] == "Threats."
    assert not Transfer.objects.exists()


@pytest.mark.parametrize(
    "client_name, status",
    [
        ("iom_officer_client", 200),
        ("scheme_manager_client", 403),
        ("agency_worker_client", 403),
        ("opcc_client", 403),
    ],
)
def test_only_iom_officers_move_people(request, client_name, status):
    placement = placed()
    client = request.getfixturevalue(client_name)

    response = client.get(reverse("placements:placement-transfer", args=[placement.public_id]))

    assert response.status_code == status


def test_a_scheme_manager_is_not_offered_the_move(scheme_manager_client):
    placement = placed()

    html = scheme_manager_client.get(placement.get_absolute_url()).content.decode()

    assert reverse("placements:placement-transfer", args=[placement.public_id]) not in html


def test_a_renewal_refused_by_the_next_booking_offers_the_move(iom_officer_client):
    placement = placed()
    h.make_placement(placement.bedspace, starts_on=placement.free_from + timedelta(days=3), length=7)
    url = reverse("placements:placement-renew", args=[placement.public_id])

    response = post_as_shown(iom_officer_client, url, {"days": "28", "reason": "Waiting for a flat"})

    html = response.content.decode()
    assert "The longest renewal possible is" in html
    assert reverse("placements:placement-transfer", args=[placement.public_id]) in html
