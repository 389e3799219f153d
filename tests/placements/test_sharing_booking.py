"""The sharing rule at work: booking, renewal and moves refuse a conflicting stay unless an IOM
officer gives a reason, kept as a `SharingOverride` in the same transaction; Find a bedspace
marks the conflicting bedspaces in a fixed number of queries; the booking page shows who else
will be there, pseudonymously."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from audit.models import SharingOverrideHistory
from iom_housing.access import Role, can_user_override_sharing
from iom_housing.api.auth import ApiClientUser
from placements.models import Placement, SharingOverride
from placements.selectors import earliest_free_bedspaces
from placements.services import licence_renew, place_offender, placement_transfer
from placements.sharing import OVERRIDE_FIELD, conflicts_digest, sharing_check
from referrals.models import Gender
from tests.clock import london
from tests.factories import AgencyFactory, BedspaceFactory, OffenderFactory, PropertyFactory
from tests.helpers import api_client_with_scopes, user_with_role
from tests.placements import helpers as h

pytestmark = pytest.mark.django_db

Status = Placement.Status
TODAY = date(2026, 12, 7)  # a Monday
START = date(2026, 12, 14)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(london(2026, 12, 7, 10), tick=False)


@pytest.fixture
def house(db):
    """A property of two rooms; in Room 2, a man with a history of violence to other residents
    from 10 December to 7 January."""
    property_ = PropertyFactory(name="Tŷ Glas", turnaround_days=0)
    room1 = BedspaceFactory(property=property_, label="Room 1")
    room2 = BedspaceFactory(property=property_, label="Room 2")
    h.make_placement(
        room2,
        starts_on=date(2026, 12, 10),
        length=28,
        offender=OffenderFactory(gender=Gender.MALE, violence_to_residents=True),
    )
    return room1, room2


VIOLENCE = "Resident A has a history of violence to other residents."


def book(room, by, **kwargs):
    referral = h.accepted_referral()
    return place_offender(
        referral_id=referral.pk, bedspace_id=room.pk, starts_on=START, days=14, by=by, **kwargs
    )


def test_a_conflicting_booking_without_a_reason_is_refused_naming_the_conflicts(house, iom_officer):
    room1, _room2 = house
    referral = h.accepted_referral()

    error = h.refused(
        place_offender,
        referral_id=referral.pk,
        bedspace_id=room1.pk,
        starts_on=START,
        days=14,
        by=iom_officer,
    )

    (item,) = error.error_dict[OVERRIDE_FIELD]
    assert item.code == "sharing_conflict"
    assert item.params["conflict_list"] == [VIOLENCE]
    assert VIOLENCE in h.text(error)
    assert not SharingOverride.objects.exists()


def test_an_iom_officers_reason_books_it_and_keeps_the_override_with_its_history(house, iom_officer):
    room1, _room2 = house

    placement = book(
        room1, iom_officer, sharing_override_reason="  Warned; the rooms have separate entrances. "
    )

    (override,) = SharingOverride.objects.all()
    assert (override.placement, override.change, override.decided_by) == (placement, "booking", iom_officer)
    assert (override.starts_on, override.ends_on) == (START, START + timedelta(days=14))
    assert override.conflicts == [VIOLENCE]
    assert override.reason == "Warned; the rooms have separate entrances."
    assert SharingOverrideHistory.objects.filter(pgh_obj_id=override.pk, pgh_label="insert").count() == 1


def test_a_scheme_manager_cannot_override(house, scheme_manager):
    room1, _room2 = house
    referral = h.accepted_referral()

    error = h.refused(
        place_offender,
        referral_id=referral.pk,
        bedspace_id=room1.pk,
        starts_on=START,
        days=14,
        by=scheme_manager,
        sharing_override_reason="I think it is fine.",
    )

    assert error.error_dict[OVERRIDE_FIELD][0].code == "sharing_not_allowed"
    assert not SharingOverride.objects.exists()


@pytest.mark.parametrize(
    ("role", "may"),
    [
        (Role.IOM_OFFICER, True),
        (Role.SCHEME_MANAGER, False),
        (Role.AGENCY_WORKER, False),
        (Role.OPCC_ANALYST, False),
    ],
)
def test_only_iom_officers_may_override_sharing(role, may):
    assert can_user_override_sharing(user_with_role(role, AgencyFactory())) is may


def test_no_one_and_no_api_client_may_override(agency):
    """No API endpoint books (agencies' case systems refer; the IOM team places), so no client
    overrides: the rule refuses anyone who is not a signed-in IOM officer."""
    assert can_user_override_sharing(None) is False
    assert can_user_override_sharing(ApiClientUser(api_client_with_scopes(agency))) is False
    # Were a booking endpoint added (placements.api), this rule and its tests must be revisited.
    assert not [module for module in _api_modules() if module.startswith("placements")]


def _api_modules() -> set[str]:
    from iom_housing.api.urls import urlpatterns

    return {getattr(pattern.callback, "cls", pattern.callback).__module__ for pattern in urlpatterns}


def test_a_women_only_property_is_refused_whatever_the_reason(iom_officer):
    room = BedspaceFactory(property=PropertyFactory(restriction="women_only"))
    referral = h.accepted_referral(offender=OffenderFactory(gender=Gender.MALE))

    error = h.refused(
        place_offender,
        referral_id=referral.pk,
        bedspace_id=room.pk,
        starts_on=START,
        by=iom_officer,
        sharing_override_reason="Nowhere else.",
    )

    assert h.text(error) == f"{room.property.name} is for women only."


def test_a_stay_with_no_conflict_needs_no_reason_and_records_no_override(house, iom_officer):
    room1, _room2 = house
    Placement.objects.update(starts_on=date(2026, 12, 1), ends_on=START, free_from=START)  # leaves on arrival

    book(room1, iom_officer, sharing_override_reason="Not needed.")

    assert not SharingOverride.objects.exists()


def test_a_property_characteristic_conflicts_with_the_persons_risk(iom_officer):
    room = BedspaceFactory(property=PropertyFactory(name="Bryn", near_school=True))
    referral = h.accepted_referral(offender=OffenderFactory(sexual_risk_to_children=True))

    error = h.refused(
        place_offender, referral_id=referral.pk, bedspace_id=room.pk, starts_on=START, by=iom_officer
    )

    assert error.error_dict[OVERRIDE_FIELD][0].params["conflict_list"] == [
        "Bryn is near a school, and this person has a sexual risk to children."
    ]


def test_the_database_refuses_an_override_without_a_reason(house, iom_officer):
    room1, _room2 = house
    placement = book(room1, iom_officer, sharing_override_reason="Reason.")
    for reason in ("", "   \n"):
        with pytest.raises(IntegrityError, match="sharingoverride_has_reason"), transaction.atomic():
            SharingOverride.objects.create(
                placement=placement,
                change="booking",
                starts_on=START,
                ends_on=START + timedelta(days=1),
                conflicts=[VIOLENCE],
                reason=reason,
                decided_by=iom_officer,
            )


# --- Renewal and moves weigh the nights they add ------------------------------------------------


def test_a_renewal_into_a_new_co_residents_dates_needs_an_override(iom_officer):
    property_ = PropertyFactory(turnaround_days=0)
    room1 = BedspaceFactory(property=property_)
    room2 = BedspaceFactory(property=property_)
    mine = h.make_placement(room1, starts_on=TODAY - timedelta(days=20), length=28, status=Status.ACTIVE)
    # Arrives the day after the current licence ends: only the renewal's nights meet them.
    h.make_placement(
        room2,
        starts_on=mine.ends_on + timedelta(days=1),
        length=10,
        offender=OffenderFactory(violence_to_residents=True),
    )

    error = h.refused(
        licence_renew, placement_id=mine.pk, days=7, reason="Awaiting a tenancy.", by=iom_officer
    )
    assert error.error_dict[OVERRIDE_FIELD][0].params["conflict_list"] == [VIOLENCE]

    licence_renew(
        placement_id=mine.pk,
        days=7,
        reason="Awaiting a tenancy.",
        by=iom_officer,
        sharing_override_reason="The other resident is on a curfew in another wing.",
    )
    (override,) = SharingOverride.objects.all()
    assert (override.change, override.starts_on, override.ends_on) == (
        "renewal",
        mine.ends_on,
        mine.ends_on + timedelta(days=7),
    )


def test_a_renewal_that_stops_before_the_co_resident_arrives_needs_none(iom_officer):
    property_ = PropertyFactory(turnaround_days=0)
    room1, room2 = BedspaceFactory(property=property_), BedspaceFactory(property=property_)
    mine = h.make_placement(room1, starts_on=TODAY - timedelta(days=20), length=28, status=Status.ACTIVE)
    h.make_placement(
        room2,
        starts_on=mine.ends_on + timedelta(days=7),
        length=10,
        offender=OffenderFactory(violence_to_residents=True),
    )

    licence_renew(placement_id=mine.pk, days=7, reason="Awaiting a tenancy.", by=iom_officer)

    assert not SharingOverride.objects.exists()


def test_a_move_into_a_conflicting_property_needs_an_override(house, iom_officer):
    room1, _room2 = house
    referral = h.accepted_referral(offender=OffenderFactory(gender=Gender.FEMALE))
    current = h.make_placement(
        h.make_bedspace(),
        starts_on=TODAY - timedelta(days=10),
        status=Status.ACTIVE,
        offender=referral.offender,
        referral=referral,
    )
    move = {
        "placement_id": current.pk,
        "bedspace_id": room1.pk,
        "moved_on": TODAY,
        "reason": "repair",
        "details": "No heating.",
        "days": 14,
        "by": iom_officer,
    }

    error = h.refused(placement_transfer, **move)
    assert error.error_dict[OVERRIDE_FIELD][0].params["conflict_list"] == [VIOLENCE]

    transfer = placement_transfer(**move, sharing_override_reason="Emergency: the only bed tonight.")
    (override,) = SharingOverride.objects.all()
    assert (override.placement, override.change) == (transfer.to_placement, "transfer")


# --- Find a bedspace ---------------------------------------------------------------------------


def test_find_a_bedspace_marks_the_conflicting_bedspaces_naming_no_one(house):
    room1, room2 = house
    elsewhere = BedspaceFactory(property=PropertyFactory(name="Bryn"))

    rows, _never = earliest_free_bedspaces(starts_on=START, days=14, today=TODAY, offender=OffenderFactory())

    conflicts = {row.bedspace: [c.message for c in row.conflicts] for row in rows}
    # Room 2 is free once its resident leaves, with no one else there then.
    assert conflicts == {room1: [VIOLENCE], room2: [], elsewhere: []}


def test_find_a_bedspace_weighs_sharing_in_one_more_query_however_many(django_assert_num_queries):
    person = OffenderFactory(sexual_risk_to_adults="any")

    def shared_house(rooms: int) -> None:
        property_ = PropertyFactory(turnaround_days=0)
        for n in range(rooms):
            room = BedspaceFactory(property=property_, label=f"Room {n}")
            if n % 2:
                h.make_placement(room, starts_on=START + timedelta(days=n), length=5)

    shared_house(2)
    with django_assert_num_queries(5):
        rows = earliest_free_bedspaces(starts_on=START, days=14, today=TODAY, offender=person)[0]
    assert sum(bool(row.conflicts) for row in rows) == 1
    for _ in range(5):
        shared_house(4)
    with django_assert_num_queries(5):
        rows = earliest_free_bedspaces(starts_on=START, days=14, today=TODAY, offender=person)[0]
    assert len(rows) == 22


# --- The booking pages -------------------------------------------------------------------------


def _post_book(client, referral, room):
    return client.post(
        reverse("placements:place", args=[referral.public_id]) + "?starts_on=x",
        {"bedspace": room.pk, "starts_on": START.isoformat(), "days": 14, "basis": referral.version},
    )


def test_booking_a_shared_property_shows_who_else_will_be_there_first(house, iom_officer_client):
    room1, _room2 = house
    referral = h.accepted_referral(offender=OffenderFactory(first_name="Gethin", arson_history=True))

    response = _post_book(iom_officer_client, referral, room1)

    assert response.status_code == 302
    assert response.url.startswith(reverse("placements:place-check", args=[referral.public_id]))
    assert not Placement.objects.filter(referral=referral).exists()
    page = iom_officer_client.get(response.url).content.decode()
    assert "Resident A: male; violence to other residents; from 10 December 2026 to 7 January 2027" in page
    assert VIOLENCE in page
    assert "Arson history" in page  # this person's own risks
    assert f'name="{OVERRIDE_FIELD}"' in page
    assert "Override and book this bedspace" in page


def test_the_override_is_booked_from_the_check_page_and_shown_on_the_placement(house, iom_officer_client):
    room1, _room2 = house
    referral = h.accepted_referral()
    form = {
        "bedspace": room1.pk,
        "starts_on": START.isoformat(),
        "days": 14,
        "basis": referral.version,
        "checked": "on",
    }
    url = reverse("placements:place", args=[referral.public_id])

    refused = iom_officer_client.post(url, form)
    assert refused.status_code == 200
    assert "govuk-error-summary" in refused.content.decode()
    assert not Placement.objects.filter(referral=referral).exists()

    booked = iom_officer_client.post(url, form | {OVERRIDE_FIELD: "Separate entrances; both warned."})
    placement = Placement.objects.get(referral=referral)
    assert booked.url == placement.get_absolute_url()
    page = iom_officer_client.get(booked.url).content.decode()
    assert "Sharing conflicts overridden" in page
    assert "Separate entrances; both warned." in page


def test_a_scheme_manager_sees_the_conflict_but_no_override(house, scheme_manager_client):
    room1, _room2 = house
    referral = h.accepted_referral()
    query = f"?bedspace={room1.pk}&starts_on={START.isoformat()}&days=14&basis={referral.version}"

    page = scheme_manager_client.get(reverse("placements:place-check", args=[referral.public_id]) + query)

    text = page.content.decode()
    assert VIOLENCE in text
    assert OVERRIDE_FIELD not in text
    assert "Ask an IOM officer" in text


def test_a_bedspace_with_no_one_else_over_the_dates_is_booked_straight_away(iom_officer_client):
    referral = h.accepted_referral()
    room = h.make_bedspace()

    response = _post_book(iom_officer_client, referral, room)

    assert response.url == Placement.objects.get(referral=referral).get_absolute_url()


def test_the_check_page_with_no_booking_asked_for_goes_back_to_the_search(iom_officer_client):
    referral = h.accepted_referral()

    response = iom_officer_client.get(reverse("placements:place-check", args=[referral.public_id]))

    assert response.url == reverse("placements:find-bedspace", args=[referral.public_id])


def test_an_override_of_conflicts_that_changed_since_they_were_shown_is_refused(house, iom_officer):
    room1, _room2 = house
    referral = h.accepted_referral()
    shown_before_the_violent_resident_was_booked = conflicts_digest([])

    error = h.refused(
        place_offender,
        referral_id=referral.pk,
        bedspace_id=room1.pk,
        starts_on=START,
        days=14,
        by=iom_officer,
        sharing_override_reason="Fine.",
        sharing_seen=shown_before_the_violent_resident_was_booked,
    )

    assert error.error_dict[OVERRIDE_FIELD][0].code == "sharing_changed"
    shown = conflicts_digest(
        sharing_check(
            bedspace=room1,
            offender=referral.offender,
            starts_on=START,
            ends_on=START + timedelta(days=14),
            today=TODAY,
        ).conflicts
    )
    place_offender(
        referral_id=referral.pk,
        bedspace_id=room1.pk,
        starts_on=START,
        days=14,
        by=iom_officer,
        sharing_override_reason="Fine.",
        sharing_seen=shown,
    )
    assert SharingOverride.objects.count() == 1
