"""Decisions on a referral are made on what the page showed: each decision form carries the
referral's version, and a decision whose basis has moved (another officer decided, the referrer
changed what it asks for) is refused naming who changed what; the same decision sent twice is
"already done" (docs/adr/006-stale-form-basis.md)."""

import html
import re

import pghistory
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from referrals.models import Referral
from referrals.services import (
    referral_accept,
    referral_decline,
    referral_start_review,
    referral_update,
    referral_withdraw,
)
from tests.clock import london
from tests.factories import ReferralFactory
from tests.helpers import (
    api_client_with_scopes,
    as_user,
    at_the_same_moment,
    form_basis,
    post_as_shown,
    stale,
)

pytestmark = pytest.mark.django_db

Status = Referral.Status
NOW = london(2026, 12, 3, 14, 2)


@pytest.fixture(autouse=True)
def _pinned(time_machine):
    time_machine.move_to(NOW, tick=False)


def state(referral) -> tuple:
    return tuple(
        Referral.objects.filter(pk=referral.pk).values_list(
            "version", "status", "decline_reason", "decided_by", "decision_notes", "urgency"
        )[0]
    )


def _review(r, by, basis, **_):
    return referral_start_review(referral_id=r.pk, by=by, expected_version=basis)


def _accept(r, by, basis, **_):
    return referral_accept(referral_id=r.pk, by=by, notes="Suitable", expected_version=basis)


def _decline(r, by, basis, reason="risk_too_high"):
    return referral_decline(referral_id=r.pk, reason=reason, by=by, expected_version=basis)


def _withdraw(r, by, basis, **_):
    return referral_withdraw(referral_id=r.pk, by=by, expected_version=basis)


DECISIONS = {"review": _review, "accept": _accept, "decline": _decline, "withdraw": _withdraw}


@pytest.mark.parametrize(
    ("meanwhile", "mine", "what"),
    [
        ("review", "review", "it was marked as in review"),
        ("accept", "decline", "it was accepted"),
        ("decline", "accept", "it was declined"),
        ("withdraw", "accept", "it was withdrawn"),
        ("review", "accept", "it was marked as in review"),
    ],
)
def test_a_decision_on_a_page_opened_before_another_change_is_refused_naming_it(
    officer, colleague, meanwhile, mine, what
):
    referral = ReferralFactory()
    with as_user(colleague):
        DECISIONS[meanwhile](referral, colleague, 1)
    decided = state(referral)
    with as_user(officer):
        error = stale(lambda: DECISIONS[mine](referral, officer, 1))
    assert error.messages == [
        f"This referral was changed by Morwenna Staleworth at 2:02pm since you opened this page: {what}. "
        "Check it and try again."
    ]
    assert state(referral) == decided


@pytest.mark.parametrize("decision", ["review", "accept", "decline", "withdraw"])
def test_the_same_decision_sent_twice_is_already_done(officer, decision):
    referral = ReferralFactory()
    with as_user(officer):
        DECISIONS[decision](referral, officer, 1)
        decided = state(referral)
        error = stale(lambda: DECISIONS[decision](referral, officer, 1))
    assert error.already_done
    assert error.messages[0].startswith("This was already done at 2:02pm (the form was sent twice): ")
    assert state(referral) == decided


def test_declining_again_for_another_reason_on_your_old_page_is_refused(officer):
    referral = ReferralFactory()
    with as_user(officer):
        _decline(referral, officer, 1, reason="risk_too_high")
        error = stale(lambda: _decline(referral, officer, 1, reason="no_suitable_property"))
    assert not error.already_done
    assert error.messages[0].startswith("This referral was changed by you at 2:02pm")


def test_accepting_after_the_referrer_changed_what_it_asks_for_is_refused_naming_the_change(officer):
    referral = ReferralFactory(urgency=Referral.Urgency.ROUTINE)
    case_system = api_client_with_scopes(referral.referring_agency, name="Probation case system")
    with pghistory.context(api_client=case_system.pk):
        referral_update(referral_id=referral.pk, by=None, changes={"urgency": Referral.Urgency.EMERGENCY})
    error = stale(lambda: _accept(referral, officer, 1))
    assert error.messages == [
        f"This referral was changed by {case_system} at 2:02pm since you opened this page: the referrer "
        "changed its urgency. Check it and try again."
    ]
    assert Referral.objects.get(pk=referral.pk).status == Status.SUBMITTED


def test_a_decision_on_the_current_version_is_made(officer):
    referral = ReferralFactory()
    with as_user(officer):
        _review(referral, officer, 1)
        _accept(referral, officer, Referral.objects.get(pk=referral.pk).version)
    assert Referral.objects.get(pk=referral.pk).status == Status.ACCEPTED


# The pages -------------------------------------------------------------------------------------


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(referral, action: str) -> str:
    return reverse(f"referrals:referral-{action}", args=[referral.public_id])


def banners(response) -> list[str]:
    pattern = r'class="govuk-notification-banner__heading">(.*?)</p>'
    return [html.unescape(text) for text in re.findall(pattern, response.content.decode(), re.S)]


@pytest.mark.parametrize("action", ["start-review", "accept", "decline", "withdraw"])
def test_each_decision_form_carries_the_referrals_version(officer, action):
    referral = ReferralFactory()
    Referral.objects.filter(pk=referral.pk).update(reason="Changed: version 2")
    assert form_basis(_client(officer).get(_url(referral, action))) == "2"


def test_a_stale_accept_page_shows_who_declined_it_and_the_referral_as_it_is_now(officer, colleague):
    referral = ReferralFactory()
    mine = _client(officer)
    page = mine.get(_url(referral, "accept"))
    declined = post_as_shown(_client(colleague), _url(referral, "decline"), {"reason": "risk_too_high"})
    assert declined.status_code == 302

    response = mine.post(_url(referral, "accept"), {"notes": "Suitable", "basis": form_basis(page)})

    content = html.unescape(response.content.decode())
    assert response.status_code == 200 and "There is a problem" in content
    assert (
        "This referral was changed by Morwenna Staleworth at 2:02pm since you opened this page: it was "
        "declined. Check it and try again."
    ) in content
    assert "Declined" in content  # its status as it is now
    assert Referral.objects.get(pk=referral.pk).status == Status.DECLINED


def test_a_double_click_on_accept_accepts_once_and_says_it_was_already_done(officer):
    referral = ReferralFactory()
    client = _client(officer)
    basis = form_basis(client.get(_url(referral, "accept")))
    assert client.post(_url(referral, "accept"), {"notes": "", "basis": basis}).status_code == 302
    second = client.post(_url(referral, "accept"), {"notes": "", "basis": basis}, follow=True)
    assert second.redirect_chain == [(referral.get_absolute_url(), 302)]
    assert banners(second)[-1].startswith("This was already done at 2:02pm (the form was sent twice)")
    assert Referral.objects.get(pk=referral.pk).events.filter(kind="accepted").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_officers_deciding_one_referral_at_once_one_decision_is_made_and_the_other_told_why(
    time_machine, officer, colleague
):
    time_machine.move_to(NOW, tick=True)
    referral = ReferralFactory()
    accepting, declining = _client(officer), _client(colleague)
    accept_basis = form_basis(accepting.get(_url(referral, "accept")))
    decline_basis = form_basis(declining.get(_url(referral, "decline")))
    responses = at_the_same_moment(
        lambda: accepting.post(_url(referral, "accept"), {"notes": "", "basis": accept_basis}),
        lambda: declining.post(
            _url(referral, "decline"), {"reason": "risk_too_high", "basis": decline_basis}
        ),
    )
    assert sorted(response.status_code for response in responses) == [200, 302], responses
    refused = next(response for response in responses if response.status_code == 200)
    assert "since you opened this page: it was" in html.unescape(refused.content.decode())
    referral = Referral.objects.get(pk=referral.pk)
    assert referral.status in (Status.ACCEPTED, Status.DECLINED)
    assert referral.events.exclude(kind="submitted").count() == 1
    connection.close()


# The API: If-Match is its basis, refused in the same words ------------------------------------

API = "/api/v1/referrals/"


def test_the_apis_etag_leads_with_the_version_the_sites_forms_carry(api_client_for):
    referral = ReferralFactory()
    Referral.objects.filter(pk=referral.pk).update(reason="Changed: version 2")
    api = api_client_for(referral.referring_agency)
    assert api.get(f"{API}{referral.public_id}/")["ETag"].startswith('"2-')


def test_a_stale_if_match_is_412_naming_who_changed_what_since_it_was_read(api_client_for, officer):
    referral = ReferralFactory()
    api = api_client_for(referral.referring_agency)
    etag = api.get(f"{API}{referral.public_id}/")["ETag"]
    with as_user(officer):
        _accept(referral, officer, 1)
    response = api.post(
        f"{API}{referral.public_id}/withdraw/", {}, content_type="application/json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 412
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == (
        "The referral was changed by Ffion Basis-Tester at 2:02pm since you read it (If-Match): it was "
        "accepted. Read it again."
    )
    assert Referral.objects.get(pk=referral.pk).status == Status.ACCEPTED


def test_a_current_if_match_is_taken_with_or_without_its_version(api_client_for):
    referral = ReferralFactory()
    api = api_client_for(referral.referring_agency)
    etag = api.get(f"{API}{referral.public_id}/")["ETag"]
    digest_only = '"' + etag.strip('"').split("-", 1)[1] + '"'  # as the API sent them before
    response = api.patch(
        f"{API}{referral.public_id}/",
        {"urgency": "urgent"},
        content_type="application/json",
        HTTP_IF_MATCH=digest_only,
    )
    assert response.status_code == 200, response.content
    assert response["ETag"].startswith('"2-')
