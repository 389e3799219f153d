"""The referral events feed: every service step appends an event, a cursor catches up without
repeats, each agency sees only its own, and the database refuses to change or delete an event."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone

from placements.models import DepartureReason, Destination
from placements.services import (
    licence_renew,
    place_offender,
    placement_arrive,
    placement_cancel,
    placement_end,
)
from referrals import api as referrals_api
from referrals.models import Referral, ReferralEvent
from referrals.services import referral_accept, referral_decline, referral_withdraw
from tests.factories import AgencyFactory, BedspaceFactory, ReferralFactory
from tests.referrals.test_api_writes import body

pytestmark = pytest.mark.django_db

FEED = "/api/v1/referrals/events/"
LIST = "/api/v1/referrals/"


@pytest.fixture(autouse=True)
def _no_horizon(monkeypatch):
    """Show events at once (the horizon itself has its own test)."""
    monkeypatch.setattr(referrals_api, "EVENT_FEED_HORIZON", timedelta(0))


def _kinds(response) -> list[str]:
    return [event["kind"] for event in response.json()["results"]]


def test_each_step_of_a_referral_and_its_placement_appends_an_event(probation_api, iom_officer):
    created = probation_api.post(
        LIST, body(external_ref="P-1"), content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert created.status_code == 201, created.content
    referral = probation_api.get(LIST).json()["results"][0]
    pk = Referral.objects.get(public_id=referral["id"]).pk
    referral_accept(referral_id=pk, by=iom_officer)
    bedspace = BedspaceFactory()
    today = timezone.localdate()
    placement = place_offender(
        referral_id=pk, bedspace_id=bedspace.pk, starts_on=today - timedelta(days=3), days=28, by=iom_officer
    )
    placement_arrive(placement_id=placement.pk, arrived_on=today - timedelta(days=3), by=iom_officer)
    licence_renew(placement_id=placement.pk, days=7, reason="Tenancy starts soon.", by=iom_officer)
    placement_end(
        placement_id=placement.pk,
        departed_on=today,
        reason=DepartureReason.PLANNED_MOVE_ON,
        destination=Destination.PRIVATE_RENT,
        by=iom_officer,
    )

    response = probation_api.get(FEED)

    assert response.status_code == 200
    assert _kinds(response) == ["submitted", "accepted", "placed", "arrived", "renewed", "departed"]
    events = response.json()["results"]
    assert {event["referral"] for event in events} == {referral["id"]}
    assert {event["external_ref"] for event in events} == {"P-1"}
    assert events[0]["data"] == {"status": "submitted"}
    assert events[2]["data"]["placement_id"] == str(placement.public_id)
    assert events[-1]["data"]["status"] == "ended"
    assert set(events[0]) == {"id", "kind", "occurred_at", "referral", "external_ref", "data"}


def test_declines_withdrawals_and_cancelled_bookings_are_events(probation_api, probation, iom_officer):
    declined = ReferralFactory(referring_agency=probation)
    referral_decline(referral_id=declined.pk, reason="other", notes="No room.", by=iom_officer)
    withdrawn = ReferralFactory(referring_agency=probation)
    referral_withdraw(referral_id=withdrawn.pk, by=None)
    booked = ReferralFactory(referring_agency=probation, status="accepted")
    placement = place_offender(
        referral_id=booked.pk,
        bedspace_id=BedspaceFactory().pk,
        starts_on=timezone.localdate() + timedelta(days=2),
        by=iom_officer,
    )
    placement_cancel(placement_id=placement.pk, reason="Released elsewhere.", by=iom_officer)

    events = probation_api.get(FEED).json()["results"]

    assert [event["kind"] for event in events] == ["declined", "withdrawn", "placed", "cancelled"]
    assert events[0]["data"] == {"status": "declined", "decline_reason": "other"}


def test_catching_up_with_the_cursor_returns_only_newer_events_never_twice(probation_api, probation):
    referrals = [ReferralFactory(referring_agency=probation) for _ in range(5)]
    for referral in referrals[:3]:
        referral_withdraw(referral_id=referral.pk, by=None)

    first = probation_api.get(FEED, {"limit": 2}).json()
    second = probation_api.get(FEED, {"limit": 2, "after": first["next_cursor"]}).json()
    assert len(first["results"]) == 2 and len(second["results"]) == 1
    caught_up = probation_api.get(FEED, {"after": second["next_cursor"]}).json()
    assert caught_up["results"] == []
    assert caught_up["next_cursor"] == second["next_cursor"]  # keep it: nothing new yet

    for referral in referrals[3:]:
        referral_withdraw(referral_id=referral.pk, by=None)
    later = probation_api.get(FEED, {"after": caught_up["next_cursor"]}).json()

    seen = [event["id"] for page in (first, second, later) for event in page["results"]]
    assert len(seen) == len(set(seen)) == 5
    assert seen == sorted(seen)
    assert [event["referral"] for event in later["results"]] == [str(r.public_id) for r in referrals[3:]]


def test_events_newer_than_the_horizon_wait(probation_api, probation, monkeypatch):
    monkeypatch.setattr(referrals_api, "EVENT_FEED_HORIZON", timedelta(seconds=2))
    referral_withdraw(referral_id=ReferralFactory(referring_agency=probation).pk, by=None)
    response = probation_api.get(FEED).json()
    assert response == {"results": [], "next_cursor": None}


def test_another_agencys_events_are_invisible(probation_api, probation):
    referral_withdraw(referral_id=ReferralFactory(referring_agency=AgencyFactory()).pk, by=None)
    mine = ReferralFactory(referring_agency=probation)
    referral_withdraw(referral_id=mine.pk, by=None)

    events = probation_api.get(FEED).json()["results"]

    assert [event["referral"] for event in events] == [str(mine.public_id)]


def test_bad_cursor_and_limit_are_problem_details(probation_api):
    for params, field in (
        ({"after": "nonsense!"}, "after"),
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"limit": "²"}, "limit"),
        ({"after": "ZTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5"}, "after"),
    ):
        response = probation_api.get(FEED, params)
        assert response.status_code == 400
        assert response["Content-Type"].startswith("application/problem+json")
        assert field in response.content.decode()


@pytest.mark.parametrize(
    "statement",
    ["UPDATE referrals_referralevent SET kind = 'accepted'", "DELETE FROM referrals_referralevent"],
)
def test_the_database_refuses_to_change_or_delete_an_event(probation, statement):
    referral_withdraw(referral_id=ReferralFactory(referring_agency=probation).pk, by=None)
    event = ReferralEvent.objects.get()

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    with pytest.raises(DatabaseError), transaction.atomic():
        if statement.startswith("UPDATE"):
            ReferralEvent.objects.filter(pk=event.pk).update(data={})
        else:
            event.delete()

    assert ReferralEvent.objects.get().kind == "withdrawn"


def test_a_token_without_referrals_read_is_403(api_client_for, probation):
    visits_only = api_client_for(probation, scopes=["visits:write"])
    assert visits_only.get(FEED).status_code == 403


def test_no_token_is_401():
    assert Client().get(FEED).status_code == 401


@pytest.mark.parametrize("rows", [2, 20])
def test_a_page_of_events_takes_a_fixed_number_of_queries(
    probation_api, probation, django_assert_num_queries, rows
):
    for _ in range(rows):
        referral_withdraw(referral_id=ReferralFactory(referring_agency=probation).pk, by=None)
    # token, its client and agency, the events with their referrals; the access-log row
    with django_assert_num_queries(4):
        response = probation_api.get(FEED)
    assert len(response.json()["results"]) == rows
