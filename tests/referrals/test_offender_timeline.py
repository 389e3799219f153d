"""The person's page tells their story on a timeline: everything that happened to them, the latest
visits one by one and the rest summed up for each stay, in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import HomeVisit
from placements.models import DepartureReason, Destination, Placement
from referrals.models import OffenderEvent, Referral
from referrals.selectors import RECENT_VISITS
from tests.factories import (
    HomeVisitFactory,
    LicenceTermFactory,
    OffenderEventFactory,
    OffenderFactory,
    PlacementFactory,
    ReferralFactory,
)

pytestmark = pytest.mark.django_db


def _page(client, offender):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("referrals:offender-detail", args=[offender.public_id]))
    assert response.status_code == 200
    return response, len(queries)


def _titles(response) -> list[str]:
    return [entry.title for entry in response.context["timeline"]]


def _stay(offender, *, days_ago: int, weeks: int, **visit):
    """An ended stay of `weeks` weeks with a visit each week, the first `days_ago` days ago."""
    start = timezone.localdate() - timedelta(days=days_ago)
    placement = PlacementFactory(
        offender=offender,
        status=Placement.Status.ENDED,
        starts_on=start,
        arrived_on=start,
        ends_on=start + timedelta(days=7 * weeks),
        free_from=start + timedelta(days=7 * weeks),
        departed_on=start + timedelta(days=7 * weeks),
        departure_reason=DepartureReason.PLANNED_MOVE_ON,
        destination=Destination.SOCIAL_RENT,
    )
    Placement.objects.filter(pk=placement.pk).update(created_at=timezone.now() - timedelta(days=days_ago + 2))
    for week in range(weeks):
        HomeVisitFactory(
            placement=placement,
            visited_at=timezone.now() - timedelta(days=days_ago - 7 * week - 1),
            **visit,
        )
    return placement


def test_the_timeline_tells_the_whole_story_newest_first(iom_officer_client):
    today = timezone.localdate()
    offender = OffenderFactory()
    referral = ReferralFactory(
        offender=offender,
        status=Referral.Status.ACCEPTED,
        submitted_at=timezone.now() - timedelta(days=60),
        decided_at=timezone.now() - timedelta(days=59),
    )
    placement = _stay(offender, days_ago=50, weeks=4)
    halfway = placement.starts_on + timedelta(days=14)
    LicenceTermFactory(placement=placement, number=1, starts_on=placement.starts_on, ends_on=halfway)
    LicenceTermFactory(
        placement=placement, number=2, starts_on=halfway, ends_on=placement.ends_on, reason="Waiting list"
    )
    OffenderEventFactory(
        offender=offender, kind=OffenderEvent.Kind.ARREST, occurred_on=today - timedelta(days=5)
    )

    response, _ = _page(iom_officer_client, offender)

    assert _titles(response) == [
        "Arrest",
        "Left the placement",
        "Home visit",
        "Home visit",
        "Licence renewed (term 2, 14 days)",
        "Home visit",
        "Home visit",
        "Arrived",
        "Bedspace booked",
        "Referral accepted",
        "Referral received",
    ]
    entries = response.context["timeline"]
    assert entries[0].description == "Theft and handling"
    assert entries[1].description == "Planned move-on. Settled: social rent."
    assert entries[-1].by == str(referral.referring_agency)
    assert entries[2].url == placement.get_absolute_url()


def test_older_visits_are_summed_up_for_each_stay_and_concerns_always_shown(iom_officer_client):
    offender = OffenderFactory()
    earlier = _stay(offender, days_ago=400, weeks=12, outcome=HomeVisit.Outcome.NOT_IN)
    HomeVisitFactory(
        placement=earlier,
        visited_at=timezone.now() - timedelta(days=380),
        concern_raised=True,
        concern="Visitors late at night",
    )
    _stay(offender, days_ago=100, weeks=RECENT_VISITS + 3)

    response, _ = _page(iom_officer_client, offender)

    entries = response.context["timeline"]
    visits = [entry for entry in entries if entry.title == "Home visit"]
    assert len(visits) == RECENT_VISITS + 1
    assert visits[-1].description == "Seen. Concern: Visitors late at night"
    summaries = {entry.url: entry for entry in entries if "earlier visit" in entry.title}
    assert summaries[earlier.get_absolute_url()].title == "12 earlier visits"
    assert "Not in: 12." in summaries[earlier.get_absolute_url()].description
    assert [entry.title for entry in summaries.values()] == ["3 earlier visits", "12 earlier visits"]
    content = response.content.decode()
    assert "3 earlier visits" in content and "Each visit is on the placement&#x27;s page." in content


def test_the_page_makes_the_same_number_of_queries_for_few_or_many_visits(iom_officer_client):
    offender = OffenderFactory()
    ReferralFactory(offender=offender)
    _stay(offender, days_ago=200, weeks=2)
    _page(iom_officer_client, offender)  # the header's alert count is cached from here on
    _, with_few = _page(iom_officer_client, offender)
    _stay(offender, days_ago=150, weeks=12)
    _stay(offender, days_ago=20, weeks=2, concern_raised=True, concern="Door damaged")
    OffenderEventFactory(offender=offender)
    _, with_many = _page(iom_officer_client, offender)
    assert with_many == with_few
