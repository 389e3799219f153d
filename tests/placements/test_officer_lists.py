"""The officers' summary pages at national scale, through HTTP: the dashboard shows the first rows
of each list with the total and a link to the rest, the property list is paginated and filtered
by area with each page's occupancy counted, and the occupancy calendar's cells say what they show.
Each pins its query count with two rows and with twenty."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts.models import Alert
from placements.areas import POWYS
from placements.models import Placement
from placements.views import DASHBOARD_ROWS
from referrals.models import Referral
from tests.clock import london
from tests.factories import (
    AlertFactory,
    BedspaceFactory,
    MoveOnPlanFactory,
    PlacementFactory,
    PropertyFactory,
    ReferralFactory,
    VoidPeriodFactory,
)

pytestmark = pytest.mark.django_db

Status = Placement.Status


def today():
    return timezone.localdate()


def ending_in(days: int) -> Placement:
    return PlacementFactory(
        status=Status.CONFIRMED,
        starts_on=today() - timedelta(days=20),
        ends_on=today() + timedelta(days=days),
    )


def overrun_by(days: int) -> Placement:
    starts_on = today() - timedelta(days=25)
    return PlacementFactory(
        status=Status.ACTIVE,
        starts_on=starts_on,
        arrived_on=starts_on,
        ends_on=today() - timedelta(days=days),
        with_term=True,
    )


# The dashboard ----------------------------------------------------------------------------------


def test_the_dashboard_shows_the_soonest_ten_of_each_list_with_the_total_and_a_link_to_all(
    iom_officer_client,
):
    ending = [ending_in(n % 7 + 1) for n in range(DASHBOARD_ROWS + 2)]
    overrun = [overrun_by(n + 1) for n in range(DASHBOARD_ROWS + 1)]

    response = iom_officer_client.get(reverse("placements:dashboard"))

    soonest = sorted(ending, key=lambda p: (p.ends_on, p.pk))[:DASHBOARD_ROWS]
    assert response.context["ending"] == soonest and response.context["ending_count"] == 12
    longest_ago = sorted(overrun, key=lambda p: (p.ends_on, p.pk))[:DASHBOARD_ROWS]
    assert response.context["overrun"] == longest_ago and response.context["overrun_count"] == 11
    content = response.content.decode()
    assert "Licence terms ending in the next 7 days (12)" in content
    assert "Licence terms overrun (11)" in content
    alerts = reverse("alerts:list")
    assert (
        f'href="{alerts}?kind=licence_ending&amp;status=unresolved">See all 12 licence terms ending<'
        in content
    )
    assert (
        f'href="{alerts}?kind=licence_overrun&amp;status=unresolved">See all 11 overrun licence terms<'
        in content
    )


def test_a_short_list_on_the_dashboard_has_no_link_to_more(iom_officer_client):
    ending_in(3)
    content = iom_officer_client.get(reverse("placements:dashboard")).content.decode()
    assert "Licence terms ending in the next 7 days (1)" in content
    assert "See all" not in content.split("Licence terms ending in the next 7 days")[1].split("<h2")[0]


def _dashboard_rows(count: int) -> None:
    for n in range(count):
        overrun = overrun_by(n % 5 + 1)
        ending_in(n % 7)
        # Listed among the planned move-outs: in residence, leaving within 28 days.
        MoveOnPlanFactory(placement=overrun, planned_move_out_on=today() + timedelta(days=n % 7 + 1))
        AlertFactory(kind=Alert.Kind.LICENCE_OVERRUN, offender=overrun.offender, placement=overrun)
        AlertFactory(kind=Alert.Kind.REFERRAL_UNDECIDED, referral=(referral := ReferralFactory()))
        AlertFactory(kind=Alert.Kind.SUPERVISION_ENDING, offender=referral.offender)
        ReferralFactory(status=Referral.Status.ACCEPTED)


@pytest.mark.parametrize("rows", [2, 20])
def test_the_dashboard_takes_a_fixed_number_of_queries(iom_officer_client, django_assert_num_queries, rows):
    _dashboard_rows(rows)
    iom_officer_client.get(reverse("placements:dashboard"))  # the session's first read is done
    # session, user, membership; occupancy; ending, overrun, licence notices in force and planned
    # move-outs with their counts; referrals waiting for a decision and for a bedspace, with their
    # counts; alerts; the header's alert count; the access log
    with django_assert_num_queries(19):
        assert iom_officer_client.get(reverse("placements:dashboard")).status_code == 200


# The property list ------------------------------------------------------------------------------


def test_the_property_list_counts_bedspaces_occupied_and_void_today(iom_officer_client):
    property_ = PropertyFactory(name="Bridge Street")
    occupied, void, _free = (BedspaceFactory(property=property_) for _ in range(3))
    BedspaceFactory(property=property_, active=False)
    overrun_by(0)  # elsewhere
    PlacementFactory(
        bedspace=occupied,
        status=Status.ACTIVE,
        starts_on=today() - timedelta(days=3),
        arrived_on=today() - timedelta(days=3),
    )
    PlacementFactory(
        bedspace=occupied,
        status=Status.ENDED,
        starts_on=today() - timedelta(days=60),
        arrived_on=today() - timedelta(days=60),
        ends_on=today() - timedelta(days=40),
        free_from=today() - timedelta(days=38),
        departed_on=today() - timedelta(days=40),
        departure_reason="planned_move_on",
        destination="family",
    )
    VoidPeriodFactory(bedspace=void, starts_on=today() - timedelta(days=1), ends_on=None)
    VoidPeriodFactory(
        bedspace=void, starts_on=today() - timedelta(days=30), ends_on=today() - timedelta(days=20)
    )

    page = iom_officer_client.get(reverse("placements:property-list"), {"area": "Ceredigion"}).context["page"]

    [row] = [p for p in page.object_list if p.name == "Bridge Street"]
    assert (row.bedspace_count, row.occupied_count, row.void_count) == (3, 1, 1)


def test_the_property_list_is_paginated_by_name(iom_officer_client):
    for n in range(30):
        PropertyFactory(name=f"House {n:02}")
    url = reverse("placements:property-list")

    first = iom_officer_client.get(url)
    second = iom_officer_client.get(url, {"page": 2})

    assert [p.name for p in first.context["page"].object_list] == [f"House {n:02}" for n in range(25)]
    assert [p.name for p in second.context["page"].object_list] == [f"House {n:02}" for n in range(25, 30)]
    assert "30 properties" in first.content.decode()
    assert 'rel="next"' in first.content.decode()


def test_the_property_list_filters_by_area(iom_officer_client):
    PropertyFactory(name="Aber House", local_authority="Ceredigion")
    PropertyFactory(name="Powys House", local_authority="Powys")
    url = reverse("placements:property-list")

    content = iom_officer_client.get(url, {"area": POWYS}).content.decode()

    assert "Powys House" in content and "Aber House" not in content
    # Chosen by its GSS code, shown by its name.
    assert '<option value="W06000023" selected>Powys</option>' in content
    # An area no property is in is ignored, not a 500.
    unknown = iom_officer_client.get(url, {"area": "Atlantis"})
    assert unknown.status_code == 200 and "Aber House" in unknown.content.decode()


@pytest.mark.parametrize("rows", [2, 30])
def test_the_property_list_takes_a_fixed_number_of_queries(
    iom_officer_client, django_assert_num_queries, rows
):
    for _ in range(rows):
        bedspace = BedspaceFactory()
        PlacementFactory(bedspace=bedspace, status=Status.ACTIVE, arrived_on=today())
        VoidPeriodFactory(bedspace=BedspaceFactory(property=bedspace.property))
    iom_officer_client.get(reverse("placements:property-list"))
    # session, user, membership; the areas; the count, the page and its occupancy; the header count
    with django_assert_num_queries(8):
        assert iom_officer_client.get(reverse("placements:property-list")).status_code == 200


# The occupancy calendar -------------------------------------------------------------------------


def _cell(day: date, state: str, *, today=False, href="", code="") -> str:
    """One calendar cell as the page writes it."""
    month = f"{day:%B}"
    link, end = (f'<a class="govuk-link" href="{href}">', "</a>") if href else ("", "")
    code = f'<span aria-hidden="true"> {code}</span>' if code else ""
    return (
        f'<td class="govuk-table__cell app-calendar__day app-calendar__day--{state}'
        f'{" app-calendar__day--today" if today else ""}" title="{day.day} {month}">{link}{day.day}'
        f'<span class="govuk-visually-hidden"> {month}: {state}</span>{code}{end}</td>'
    )


# Pinned days, with the calendar's edges worked out by hand: it shows the Monday 4 weeks before
# this week's to the Sunday 8 weeks after it. The stay runs from 2 days ago for 28 nights.
@pytest.mark.parametrize(
    ("first_shown", "arrived", "last_occupied", "first_free", "last_shown"),
    [
        pytest.param(
            date(2026, 11, 2),
            date(2026, 12, 1),
            date(2026, 12, 28),
            date(2026, 12, 29),
            date(2027, 1, 24),
            marks=pytest.mark.time_machine(london(2026, 12, 3), tick=False),
            id="thursday-3-december-into-the-new-year",
        ),
        pytest.param(
            date(2027, 1, 4),
            date(2027, 1, 30),
            date(2027, 2, 26),
            date(2027, 2, 27),
            date(2027, 3, 28),
            marks=pytest.mark.time_machine(london(2027, 2, 1, 0, 5), tick=False),
            id="monday-1-february-just-after-midnight",
        ),
    ],
)
def test_each_calendar_day_links_to_its_placement_and_names_its_state(
    iom_officer_client, first_shown, arrived, last_occupied, first_free, last_shown
):
    bedspace = BedspaceFactory()
    placement = PlacementFactory(
        bedspace=bedspace, status=Status.ACTIVE, starts_on=arrived, arrived_on=arrived
    )
    assert placement.ends_on == first_free  # the factory's 28 nights, with no turnaround stored

    content = iom_officer_client.get(
        reverse("placements:property-detail", args=[bedspace.property_id])
    ).content.decode()

    href = placement.get_absolute_url()
    assert _cell(today(), "occupied", today=True, href=href, code="O") in content
    assert _cell(arrived, "occupied", href=href, code="O") in content
    assert _cell(last_occupied, "occupied", href=href, code="O") in content
    assert _cell(first_free, "free") in content
    assert _cell(first_shown, "free") in content and _cell(last_shown, "free") in content
    assert content.count('<td class="govuk-table__cell app-calendar__day ') == 12 * 7  # 12 weeks
    assert content.count("app-calendar__day--today") == 1
