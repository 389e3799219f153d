"""A change made on what a page showed: each placement form carries the version it was shown from,
and a change whose basis has moved is refused naming who changed what and when, never a second
licence term; the same form sent twice is "already done". Over HTTP, with two real concurrent
requests, and service by service (docs/adr/006-stale-form-basis.md)."""

import html
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from iom_housing.access import Role
from placements import services
from placements.models import LicenceTerm, Placement, SupportPlan, VoidPeriod
from referrals.models import Referral
from tests.clock import london
from tests.factories import (
    AgencyFactory,
    BedspaceFactory,
    PlacementFactory,
    ReferralFactory,
    VoidPeriodFactory,
)
from tests.helpers import as_user, at_the_same_moment, form_basis, post_as_shown, stale, user_with_role
from tests.placements.helpers import long_date

pytestmark = pytest.mark.django_db

Status = Placement.Status
# A Thursday morning, far from midnight and the clock changes: the messages say "at 10am".
NOW = london(2026, 12, 3, 10, 0)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _pinned(time_machine):
    time_machine.move_to(NOW, tick=False)


def placement_in(status: str, **fields) -> Placement:
    """A placement that started 10 days ago on a 28-day first term, in `status`."""
    starts_on = TODAY - timedelta(days=10)
    values = {"status": status, "starts_on": starts_on, "ends_on": starts_on + timedelta(days=28)}
    if status == Status.ACTIVE:
        values["arrived_on"] = starts_on
    return PlacementFactory(**values, **fields, with_term=True)


def snapshot(placement: Placement) -> tuple:
    placement = Placement.objects.get(pk=placement.pk)
    return (
        placement.version,
        placement.status,
        placement.ends_on,
        placement.arrived_on,
        placement.departed_on,
        placement.cancellation_reason,
        list(LicenceTerm.objects.filter(placement=placement).values_list("number", "ends_on", "reason")),
    )


# The version -----------------------------------------------------------------------------------


def test_every_change_of_the_row_moves_its_version_one_on_however_it_is_made():
    placement = placement_in(Status.CONFIRMED)
    assert Placement.objects.get(pk=placement.pk).version == 1
    placement.notes = "Saved through the ORM"
    placement.save()
    Placement.objects.filter(pk=placement.pk).update(notes="A bulk update")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE placements_placement SET notes = 'Raw SQL' WHERE id = %s", [placement.pk])
    assert Placement.objects.get(pk=placement.pk).version == 4


def test_an_update_that_changes_nothing_leaves_the_version():
    placement = placement_in(Status.CONFIRMED, notes="Same")
    Placement.objects.filter(pk=placement.pk).update(notes="Same")
    assert Placement.objects.get(pk=placement.pk).version == 1


def test_a_save_from_an_old_copy_cannot_set_the_version_back():
    placement = placement_in(Status.CONFIRMED)
    old_copy = Placement.objects.get(pk=placement.pk)
    Placement.objects.filter(pk=placement.pk).update(notes="Changed meanwhile")
    old_copy.notes = "Saved from a copy read at version 1"
    old_copy.save()
    assert Placement.objects.get(pk=placement.pk).version == 3


# Renewal: the race the penetration test found ----------------------------------------------------


def test_a_renewal_on_a_page_opened_before_another_renewal_is_refused_naming_it(officer, colleague):
    placement = placement_in(Status.ACTIVE)
    basis = placement.version
    with as_user(colleague):
        services.licence_renew(
            placement_id=placement.pk,
            days=14,
            reason="Awaiting an offer",
            by=colleague,
            expected_version=basis,
        )
    renewed = snapshot(placement)

    error = stale(
        lambda: services.licence_renew(
            placement_id=placement.pk, days=14, reason="Awaiting an offer", by=officer, expected_version=basis
        )
    )

    new_end = TODAY + timedelta(days=18 + 14)
    assert error.messages == [
        f"This placement was changed by Morwenna Staleworth at 10am since you opened this page: its "
        f"licence was renewed to {long_date(new_end)}. Check it and try again."
    ]
    assert error.code == "stale_basis" and not error.already_done
    assert snapshot(placement) == renewed
    assert placement.licence_terms.count() == 2


def test_the_same_renewal_sent_twice_is_already_done_and_adds_no_second_term(officer):
    placement = placement_in(Status.ACTIVE)
    basis = placement.version
    with as_user(officer):
        services.licence_renew(
            placement_id=placement.pk, days=7, reason="One more week", by=officer, expected_version=basis
        )
        renewed = snapshot(placement)
        error = stale(
            lambda: services.licence_renew(
                placement_id=placement.pk, days=7, reason="One more week", by=officer, expected_version=basis
            )
        )
    assert error.already_done
    assert error.messages == [
        "This was already done at 10am (the form was sent twice): its licence was renewed to "
        f"{long_date(TODAY + timedelta(days=25))}. Nothing more was changed."
    ]
    assert snapshot(placement) == renewed


def test_a_different_renewal_on_your_own_old_page_is_refused_not_taken_as_done(officer):
    placement = placement_in(Status.ACTIVE)
    basis = placement.version
    with as_user(officer):
        services.licence_renew(
            placement_id=placement.pk, days=7, reason="One more week", by=officer, expected_version=basis
        )
        error = stale(
            lambda: services.licence_renew(
                placement_id=placement.pk,
                days=28,
                reason="Four more weeks",
                by=officer,
                expected_version=basis,
            )
        )
    assert not error.already_done
    assert error.messages[0].startswith(
        "This placement was changed by you at 10am since you opened this page"
    )


def test_renewing_again_on_the_current_version_is_a_new_decision(officer):
    placement = placement_in(Status.ACTIVE)
    with as_user(officer):
        services.licence_renew(
            placement_id=placement.pk, days=7, reason="A week", by=officer, expected_version=1
        )
        current = Placement.objects.get(pk=placement.pk).version
        services.licence_renew(
            placement_id=placement.pk, days=7, reason="A week", by=officer, expected_version=current
        )
    assert placement.licence_terms.count() == 3


def test_a_change_no_one_is_named_for_is_still_refused_with_its_time():
    placement = placement_in(Status.ACTIVE)
    officer = user_with_role(Role.IOM_OFFICER)
    # A change made outside a request (a shell, a job): the history names no one.
    services.licence_renew(placement_id=placement.pk, days=3, reason="From a shell", by=officer)
    error = stale(
        lambda: services.licence_renew(
            placement_id=placement.pk, days=7, reason="A week", by=officer, expected_version=1
        )
    )
    assert error.messages[0].startswith("This placement was changed at ")
    assert "its licence was renewed to" in error.messages[0]


def test_without_its_history_the_refusal_says_how_the_placement_is_now(officer):
    placement = placement_in(Status.ACTIVE)
    Placement.objects.filter(pk=placement.pk).update(notes="Changed")
    placement.history.all().delete()  # as erasure leaves it
    error = stale(
        lambda: services.licence_renew(
            placement_id=placement.pk, days=7, reason="A week", by=officer, expected_version=1
        )
    )
    assert (
        f"it is now marked “Active” and its licence ends on {long_date(placement.ends_on)}"
        in error.messages[0]
    )


# Every other step of a placement ---------------------------------------------------------------

ARRIVED_ON = TODAY - timedelta(days=10)
LEFT_ON = TODAY - timedelta(days=1)


def _renew(p, by, basis):
    return services.licence_renew(placement_id=p.pk, days=7, reason="A week", by=by, expected_version=basis)


def _end(p, by, basis):
    return services.placement_end(
        placement_id=p.pk,
        departed_on=LEFT_ON,
        reason="planned_move_on",
        destination="social_rent",
        by=by,
        expected_version=basis,
    )


def _arrive(p, by, basis):
    return services.placement_arrive(placement_id=p.pk, arrived_on=ARRIVED_ON, by=by, expected_version=basis)


def _cancel(p, by, basis):
    return services.placement_cancel(placement_id=p.pk, reason="Recalled", by=by, expected_version=basis)


def _confirm(p, by, basis):
    return services.placement_confirm(placement_id=p.pk, by=by, expected_version=basis)


def _not_arrived(p, by, basis):
    return services.placement_not_arrived(placement_id=p.pk, by=by, expected_version=basis)


STEPS = {"confirm": _confirm, "arrive": _arrive, "not arrived": _not_arrived, "cancel": _cancel}
STEPS |= {"renew": _renew, "end": _end}


@pytest.mark.parametrize(
    ("status", "meanwhile", "mine", "what"),
    [
        (Status.PROVISIONAL, "confirm", "confirm", "the booking was confirmed"),
        (Status.PROVISIONAL, "renew", "cancel", "its licence was renewed to"),
        (Status.CONFIRMED, "cancel", "arrive", "the booking was cancelled"),
        (Status.CONFIRMED, "arrive", "not arrived", f"their arrival on {long_date(ARRIVED_ON)} was recorded"),
        (Status.CONFIRMED, "not arrived", "renew", "it was recorded that they did not arrive"),
        (Status.ACTIVE, "renew", "end", "its licence was renewed to"),
        (Status.ACTIVE, "end", "renew", f"the placement was ended: they left on {long_date(LEFT_ON)}"),
    ],
)
def test_each_step_on_a_page_opened_before_another_change_is_refused_naming_it(
    officer, colleague, status, meanwhile, mine, what
):
    placement = placement_in(status)
    with as_user(colleague):
        STEPS[meanwhile](placement, colleague, 1)
    changed = snapshot(placement)
    with as_user(officer):
        error = stale(lambda: STEPS[mine](placement, officer, 1))
    assert error.messages[0].startswith(
        "This placement was changed by Morwenna Staleworth at 10am since you opened this page: "
    )
    assert what in error.messages[0]
    assert snapshot(placement) == changed


@pytest.mark.parametrize(
    ("status", "step"),
    [
        (Status.PROVISIONAL, "confirm"),
        (Status.CONFIRMED, "arrive"),
        (Status.CONFIRMED, "not arrived"),
        (Status.CONFIRMED, "cancel"),
        (Status.ACTIVE, "end"),
    ],
)
def test_each_step_sent_twice_is_already_done(officer, status, step):
    placement = placement_in(status)
    with as_user(officer):
        STEPS[step](placement, officer, 1)
        done = snapshot(placement)
        error = stale(lambda: STEPS[step](placement, officer, 1))
    assert error.already_done and error.messages[0].startswith("This was already done at 10am")
    assert snapshot(placement) == done


def test_no_basis_checks_nothing_for_callers_that_have_none(officer):
    """The API's clients and the jobs send no basis (the API's is its If-Match, checked there)."""
    placement = placement_in(Status.PROVISIONAL)
    Placement.objects.filter(pk=placement.pk).update(notes="Changed")
    services.placement_confirm(placement_id=placement.pk, by=officer)
    assert Placement.objects.get(pk=placement.pk).status == Status.CONFIRMED


# Support plans, void periods and booking -------------------------------------------------------


def test_a_support_plan_made_on_a_page_shown_before_another_plan_is_refused(officer, colleague):
    placement = placement_in(Status.ACTIVE)
    probation = AgencyFactory(name="Probation Service", kind="probation")
    drugs = AgencyFactory(name="Drug and Alcohol Service", kind="drug_alcohol")
    with as_user(colleague):
        services.support_plan_set(
            placement_id=placement.pk, tier="t2", agencies={probation.pk: 7}, by=colleague, expected_version=0
        )
    error = stale(
        lambda: services.support_plan_set(
            placement_id=placement.pk, tier="t1", agencies={drugs.pk: 14}, by=officer, expected_version=0
        )
    )
    assert error.messages == [
        "This support plan was changed by Morwenna Staleworth at 10am since you opened this page: it is "
        "now T2: 5 hours a week, with visits by Probation Service. Check it and try again."
    ]
    plan = SupportPlan.objects.get(placement=placement)
    assert plan.tier == "t2"
    assert list(plan.support_agencies.values_list("agency_id", flat=True)) == [probation.pk]


def test_the_same_support_plan_sent_twice_is_already_done(officer):
    placement = placement_in(Status.ACTIVE)
    probation = AgencyFactory(kind="probation")
    plan = {"placement_id": placement.pk, "tier": "t2", "agencies": {probation.pk: 7}, "notes": "Weekly"}
    with as_user(officer):
        services.support_plan_set(**plan, by=officer, expected_version=0)
        error = stale(lambda: services.support_plan_set(**plan, by=officer, expected_version=0))
    assert error.already_done
    assert SupportPlan.objects.get(placement=placement).version == 1


def test_a_support_plan_change_on_the_current_version_is_saved(officer):
    placement = placement_in(Status.ACTIVE)
    probation = AgencyFactory(kind="probation")
    with as_user(officer):
        services.support_plan_set(
            placement_id=placement.pk, tier="t2", agencies={probation.pk: 7}, by=officer, expected_version=0
        )
        services.support_plan_set(
            placement_id=placement.pk, tier="t3", agencies={probation.pk: 7}, by=officer, expected_version=1
        )
    assert SupportPlan.objects.get(placement=placement).tier == "t3"


def test_ending_a_void_on_a_page_shown_before_it_was_ended_is_refused(officer, colleague):
    void = VoidPeriodFactory(starts_on=TODAY - timedelta(days=5), ends_on=None)
    with as_user(colleague):
        services.void_end(
            void_id=void.pk, ends_on=TODAY + timedelta(days=2), by=colleague, expected_version=1
        )
    error = stale(lambda: services.void_end(void_id=void.pk, ends_on=TODAY, by=officer, expected_version=1))
    assert error.messages == [
        "This void period was changed by Morwenna Staleworth at 10am since you opened this page: the "
        f"bedspace is back in use from {long_date(TODAY + timedelta(days=2))}. Check it and try again."
    ]
    assert VoidPeriod.objects.get(pk=void.pk).ends_on == TODAY + timedelta(days=2)


def test_ending_a_void_twice_with_the_same_date_is_already_done(officer):
    void = VoidPeriodFactory(starts_on=TODAY - timedelta(days=5), ends_on=None)
    with as_user(officer):
        services.void_end(void_id=void.pk, ends_on=TODAY, by=officer, expected_version=1)
        assert stale(
            lambda: services.void_end(void_id=void.pk, ends_on=TODAY, by=officer, expected_version=1)
        ).already_done


def _accepted():
    return ReferralFactory(status=Referral.Status.ACCEPTED, decided_at=timezone.now())


def test_booking_on_a_page_shown_before_someone_else_booked_the_referral_is_refused(officer, colleague):
    referral, first, second = _accepted(), BedspaceFactory(), BedspaceFactory()
    with as_user(colleague):
        services.place_offender(
            referral_id=referral.pk, bedspace_id=first.pk, starts_on=TODAY, by=colleague, expected_version=1
        )
    error = stale(
        lambda: services.place_offender(
            referral_id=referral.pk, bedspace_id=second.pk, starts_on=TODAY, by=officer, expected_version=1
        )
    )
    assert error.messages == [
        "This referral was changed by Morwenna Staleworth at 10am since you opened this page: its "
        "placement changed: Placed. Check it and try again."
    ]
    assert list(referral.placements.values_list("bedspace_id", flat=True)) == [first.pk]


def test_the_same_booking_sent_twice_is_already_done(officer):
    referral, bedspace = _accepted(), BedspaceFactory()
    with as_user(officer):
        services.place_offender(
            referral_id=referral.pk, bedspace_id=bedspace.pk, starts_on=TODAY, by=officer, expected_version=1
        )
        error = stale(
            lambda: services.place_offender(
                referral_id=referral.pk,
                bedspace_id=bedspace.pk,
                starts_on=TODAY,
                by=officer,
                expected_version=1,
            )
        )
    assert error.already_done
    assert referral.placements.count() == 1


# The pages -------------------------------------------------------------------------------------


def banners(response) -> list[str]:
    """The texts of the page's notification banners (the messages after a change)."""
    pattern = r'class="govuk-notification-banner__heading">(.*?)</p>'
    return [html.unescape(text) for text in re.findall(pattern, response.content.decode(), re.S)]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _renew_url(placement) -> str:
    return reverse("placements:placement-renew", args=[placement.public_id])


RENEWAL = {"days": "14", "reason": "Awaiting an offer of social housing"}


def test_each_placement_form_carries_the_version_it_was_shown_from(officer):
    placement = placement_in(Status.CONFIRMED)
    Placement.objects.filter(pk=placement.pk).update(notes="Version 2")
    client = _client(officer)
    for name in ("confirm", "arrive", "not-arrived", "cancel", "renew"):
        page = client.get(reverse(f"placements:placement-{name}", args=[placement.public_id]))
        assert form_basis(page) == "2", name
    page = client.get(reverse("placements:support-plan", args=[placement.public_id]))
    assert form_basis(page) == "0"  # no plan yet


def test_a_form_sent_without_its_basis_is_refused_at_the_top_and_changes_nothing(officer):
    placement = placement_in(Status.ACTIVE)
    response = _client(officer).post(_renew_url(placement), RENEWAL)
    content = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in content and "This page is out of date" in content
    assert placement.licence_terms.count() == 1


def test_a_stale_renewal_page_shows_the_change_and_the_placement_as_it_is_now(officer, colleague):
    placement = placement_in(Status.ACTIVE)
    mine, theirs = _client(officer), _client(colleague)
    page = mine.get(_renew_url(placement))
    assert post_as_shown(theirs, _renew_url(placement), RENEWAL).status_code == 302

    response = mine.post(_renew_url(placement), {**RENEWAL, "basis": form_basis(page)})

    content = response.content.decode()
    new_end = long_date(TODAY + timedelta(days=18 + 14))
    assert response.status_code == 200
    assert "There is a problem" in content
    assert (
        "This placement was changed by Morwenna Staleworth at 10am since you opened this page: its licence "
        f"was renewed to {new_end}. Check it and try again."
    ) in content
    assert f'<dd class="govuk-summary-list__value">{new_end}</dd>' in content  # the licence end now
    assert "Awaiting an offer of social housing" in content  # the answers are kept
    assert placement.licence_terms.count() == 2
    # Having checked, sending the page again is a decision on what it now shows.
    again = mine.post(_renew_url(placement), {**RENEWAL, "basis": form_basis(response)})
    assert again.status_code == 302
    assert placement.licence_terms.count() == 3


def test_a_double_click_on_renew_renews_once_and_says_it_was_already_done(officer):
    placement = placement_in(Status.ACTIVE)
    client = _client(officer)
    basis = form_basis(client.get(_renew_url(placement)))
    first = client.post(_renew_url(placement), {**RENEWAL, "basis": basis})
    second = client.post(_renew_url(placement), {**RENEWAL, "basis": basis}, follow=True)
    assert first.status_code == 302
    assert second.redirect_chain == [(placement.get_absolute_url(), 302)]
    # The first answer's message was not read (a double click shows the second's page).
    assert banners(second)[0] == "Licence renewed"
    assert banners(second)[1].startswith("This was already done at 10am (the form was sent twice)")
    assert placement.licence_terms.count() == 2


def test_a_double_click_on_book_this_bedspace_books_once(officer):
    referral, bedspace = _accepted(), BedspaceFactory()
    client = _client(officer)
    page = client.get(
        reverse("placements:find-bedspace", args=[referral.public_id]),
        {"starts_on_0": TODAY.day, "starts_on_1": TODAY.month, "starts_on_2": TODAY.year, "days": "28"},
    )
    booking = {
        "bedspace": bedspace.pk,
        "starts_on": TODAY.isoformat(),
        "days": "28",
        "basis": form_basis(page),
    }
    url = reverse("placements:place", args=[referral.public_id])
    assert client.post(url, booking).status_code == 302
    second = client.post(url, booking, follow=True)
    placement = referral.placements.get()
    assert second.redirect_chain[-1] == (placement.get_absolute_url(), 302)
    assert banners(second)[-1].startswith("This was already done at 10am")


def test_a_stale_void_end_page_shows_the_change(officer, colleague):
    void = VoidPeriodFactory(starts_on=TODAY - timedelta(days=5), ends_on=None)
    url = reverse("placements:void-end", args=[void.pk])
    mine = _client(officer)
    page = mine.get(url)
    back = {"ends_on_0": TODAY.day, "ends_on_1": TODAY.month, "ends_on_2": TODAY.year}
    assert post_as_shown(_client(colleague), url, back).status_code == 302
    response = mine.post(url, {**back, "basis": form_basis(page)})
    assert "since you opened this page: the bedspace is back in use from" in response.content.decode()


# Two real concurrent requests --------------------------------------------------------------------


def _renewing_at_once(officers) -> tuple[Placement, list, list]:
    placement = placement_in(Status.ACTIVE)
    clients = [_client(user) for user in officers]
    bases = [form_basis(client.get(_renew_url(placement))) for client in clients]
    responses = at_the_same_moment(
        *(
            lambda client=client, basis=basis: client.post(_renew_url(placement), {**RENEWAL, "basis": basis})
            for client, basis in zip(clients, bases, strict=True)
        )
    )
    return placement, clients, responses


@pytest.mark.django_db(transaction=True)
def test_two_officers_renewing_one_licence_at_once_add_one_term_and_the_other_is_told_why(
    time_machine, officer, colleague
):
    time_machine.move_to(NOW, tick=True)  # sessions and locks need a clock that moves
    officers = [officer, colleague]
    placement, _clients, responses = _renewing_at_once(officers)
    assert sorted(response.status_code for response in responses) == [200, 302], responses
    assert placement.licence_terms.count() == 2
    winner = officers[[response.status_code for response in responses].index(302)]
    refused = next(response for response in responses if response.status_code == 200).content.decode()
    assert "There is a problem" in refused
    assert (
        f"This placement was changed by {winner.get_full_name()} at 10am since you opened this page: its "
        "licence was renewed to"
    ) in refused


@pytest.mark.django_db(transaction=True)
def test_one_officer_sending_a_renewal_twice_at_once_renews_once_and_is_told_it_was_done(
    time_machine, officer
):
    time_machine.move_to(NOW, tick=True)
    placement, clients, responses = _renewing_at_once([officer, officer])
    assert [response.status_code for response in responses] == [302, 302]
    assert placement.licence_terms.count() == 2
    first, second = sorted(banners(client.get(placement.get_absolute_url())) for client in clients)
    assert first == ["Licence renewed"]
    assert len(second) == 1 and second[0].startswith("This was already done at")
