"""*Record arrival* is offered only when the arrival is due (the booking starts today or has
started), not for a booking weeks away; the service refuses an early one too."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from placements.models import Placement
from placements.services import placement_arrive
from tests.clock import london
from tests.helpers import date_fields
from tests.placements import helpers as h

pytestmark = pytest.mark.django_db

Status = Placement.Status
TODAY = date(2026, 12, 7)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(london(2026, 12, 7, 10), tick=False)


def booking(starts_in: int, status: str = Status.CONFIRMED) -> Placement:
    return h.make_placement(h.make_bedspace(), starts_on=TODAY + timedelta(days=starts_in), status=status)


def test_the_service_refuses_an_arrival_for_a_booking_six_weeks_away(iom_officer):
    placement = booking(42)

    error = h.refused(placement_arrive, placement_id=placement.pk, arrived_on=TODAY, by=iom_officer)

    assert error.code == "arrival_not_due"
    assert h.text(error) == (
        "They are not due to arrive until 18 January 2027. Record the arrival on or after that day."
    )


def test_the_service_refuses_an_arrival_for_a_booking_starting_tomorrow(iom_officer):
    h.refused(placement_arrive, placement_id=booking(1).pk, arrived_on=TODAY, by=iom_officer)


@pytest.mark.parametrize("starts_in", [0, -3])
def test_an_arrival_due_today_or_earlier_is_recorded(iom_officer, starts_in):
    placement = booking(starts_in)

    placement_arrive(placement_id=placement.pk, arrived_on=TODAY, by=iom_officer)

    placement.refresh_from_db()
    assert placement.status == Status.ACTIVE


@pytest.mark.parametrize("starts_in, offered", [(42, False), (1, False), (0, True), (-2, True)])
def test_record_arrival_is_offered_only_when_due(iom_officer_client, starts_in, offered):
    placement = booking(starts_in)
    url = reverse("placements:placement-arrive", args=[placement.public_id])

    html = iom_officer_client.get(placement.get_absolute_url()).content.decode()

    assert (url in html) is offered
    assert ("You can record their arrival from that day." in html) is not offered


def test_the_arrival_page_of_a_booking_not_due_explains_and_has_no_form(iom_officer_client):
    placement = booking(42)
    url = reverse("placements:placement-arrive", args=[placement.public_id])

    page = iom_officer_client.get(url)
    posted = iom_officer_client.post(url, date_fields("arrived_on", TODAY))

    for response in (page, posted):
        html = response.content.decode()
        assert response.status_code == 200
        assert "The arrival is not due yet" in html
        assert "Monday 18 January 2027" in html
        assert 'name="arrived_on_0"' not in html
    placement.refresh_from_db()
    assert placement.status == Status.CONFIRMED


@pytest.mark.parametrize(
    "client_name, status",
    [
        ("iom_officer_client", 200),
        ("scheme_manager_client", 200),
        ("agency_worker_client", 403),
        ("opcc_client", 403),
    ],
)
def test_the_arrival_page_is_for_officers_and_managers(request, client_name, status):
    placement = booking(42)
    client = request.getfixturevalue(client_name)

    assert (
        client.get(reverse("placements:placement-arrive", args=[placement.public_id])).status_code == status
    )
