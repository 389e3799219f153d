"""The penetration test's hole: knowing only a person's name and date of birth (or a PNC ID), an
agency referred them, confirmed the match and so opened their whole record. A referral now opens
nothing until an IOM officer accepts it; the referring agency sees its own referral and the person
only as it sent them, and no answer differs by what the record holds. For the browser and the
API, as the referring agency, another agency and an officer."""

import re
from datetime import date

import pytest
from django.urls import reverse

from audit.models import AccessLogEntry
from iom_housing.access import Role
from referrals.models import Offender, Referral
from referrals.services import referral_accept
from tests.factories import AgencyFactory, OffenderEventFactory, OffenderFactory
from tests.helpers import user_with_role

pytestmark = pytest.mark.django_db

# Values on the existing record that the referrer never sends: unique, so never on a page by chance.
PNC, CRN, PRISON = "2004/8642097K", "W864209", "K8642NQ"
WARNING = "Marker-7f3a safety warning"
EVENT_NOTE = "Marker-91bc arrest note"

NEW = reverse("referrals:referral-new")
LIST = "/api/v1/referrals/"
JSON = "application/json"


@pytest.fixture
def recorded(db):
    """A person the IOM team recorded, with identifiers, a safety warning and a timeline."""
    person = OffenderFactory(
        first_name="Gethin",
        last_name="Vaughan-Pryce",
        date_of_birth=date(1987, 11, 23),
        pnc_id=PNC,
        crn=CRN,
        prison_number=PRISON,
        safety_warnings=WARNING,
    )
    OffenderEventFactory(offender=person, notes=EVENT_NOTE)
    return person


def _form(**overrides) -> dict:
    data = {
        "first_name": "Gethin",
        "last_name": "Vaughan-Pryce",
        "date_of_birth_0": "23",
        "date_of_birth_1": "11",
        "date_of_birth_2": "1987",
        "gender": "male",
        "ethnicity": "white_british",
        "pnc_id": "",
        "crn": "",
        "prison_number": "",
        "iom_category": "fixed",
        "risk_of_serious_harm": "medium",
        "licence_ends_on_0": "",
        "licence_ends_on_1": "",
        "licence_ends_on_2": "",
        "safety_warnings": "",
        "urgency": "urgent",
        "wanted_from_0": "",
        "wanted_from_1": "",
        "wanted_from_2": "",
        "needs": ["accommodation"],
        "reason": "Released on licence with no fixed abode.",
        "risk_summary": "Low risk to staff.",
        "external_ref": "",
    }
    return data | overrides


def _refer_by_name_and_birth(client) -> Referral:
    """What the tester did: submit the name and date of birth, and say yes to the match."""
    question = client.post(NEW, _form())
    assert "Is this the same person?" in question.content.decode()
    [(token, _yes), _no] = question.context["form"].fields["same_person"].choices
    carried = {}
    for name, value in question.context["carried"]:
        carried.setdefault(name, []).append(value)
    response = client.post(NEW, {**carried, "duplicate_step": "1", "same_person": token})
    assert response.status_code == 302
    return Referral.objects.get()


def _record_urls(person) -> list[str]:
    return [reverse("referrals:offender-detail", args=[person.public_id])]


def _secrets_in(content: str) -> list[str]:
    return [secret for secret in (PNC, CRN, PRISON, WARNING, EVENT_NOTE) if secret in content]


# The browser -----------------------------------------------------------------------------------


def test_confirming_a_name_match_does_not_open_the_record_to_the_referring_agency(
    agency_worker_client, recorded
):
    referral = _refer_by_name_and_birth(agency_worker_client)
    assert referral.offender == recorded
    # Before the fix the record opened here (200, with the PNC ID, CRN and timeline).
    for url in _record_urls(recorded):
        assert agency_worker_client.get(url).status_code == 404, url
    page = agency_worker_client.get(referral.get_absolute_url())
    content = page.content.decode()
    assert page.status_code == 200
    assert "Gethin Vaughan-Pryce" in content and "Submitted" in content
    assert "Person, as you referred them" in content
    assert recorded.get_absolute_url() not in content
    assert _secrets_in(content) == []
    mine = agency_worker_client.get(reverse("referrals:my-referrals")).content.decode()
    assert referral.get_absolute_url() in mine and _secrets_in(mine) == []


def test_a_pnc_id_alone_does_not_open_the_record_nor_tell_whose_it_is(agency_worker_client, recorded):
    """The tester's second route: a known PNC ID with any name."""
    response = agency_worker_client.post(NEW, _form(first_name="Anyone", last_name="Atall", pnc_id=PNC))
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == referral.get_absolute_url()
    assert referral.offender == recorded
    content = agency_worker_client.get(referral.get_absolute_url()).content.decode()
    assert "Anyone Atall" in content and PNC in content  # what it sent
    assert "Gethin" not in content and _secrets_in(content.replace(PNC, "")) == []
    assert agency_worker_client.get(recorded.get_absolute_url()).status_code == 404


def test_a_pnc_id_on_file_and_one_that_is_not_are_answered_alike(agency_worker_client, recorded):
    known = agency_worker_client.post(NEW, _form(first_name="Anyone", last_name="Atall", pnc_id=PNC))
    unknown = agency_worker_client.post(
        NEW, _form(first_name="Someone", last_name="Else", pnc_id="2099/0000001A")
    )
    assert (known.status_code, unknown.status_code) == (302, 302)
    pages = [agency_worker_client.get(r["Location"]).content.decode() for r in (known, unknown)]
    # The same page but for the name and PNC ID sent: the same rows, and no link to a record.
    assert _row_keys(pages[0]) == _row_keys(pages[1])
    for page, referral in zip(pages, Referral.objects.order_by("pk"), strict=True):
        assert referral.offender.get_absolute_url() not in page
        assert agency_worker_client.get(referral.offender.get_absolute_url()).status_code == 404


def _row_keys(page: str) -> list[str]:
    return re.findall(r'govuk-summary-list__key">([^<]*)<', page)


def test_once_an_officer_accepts_the_record_opens_to_the_referring_agency(
    agency_worker_client, recorded, iom_officer
):
    referral = _refer_by_name_and_birth(agency_worker_client)
    referral_accept(referral_id=referral.pk, by=iom_officer)
    record = agency_worker_client.get(recorded.get_absolute_url())
    assert record.status_code == 200 and PNC in record.content.decode()
    content = agency_worker_client.get(referral.get_absolute_url()).content.decode()
    assert recorded.get_absolute_url() in content


def test_a_colleague_in_the_same_agency_sees_the_referral_but_not_the_record(
    client, agency_worker_client, agency, recorded
):
    referral = _refer_by_name_and_birth(agency_worker_client)
    client.force_login(user_with_role(Role.AGENCY_WORKER, agency))
    page = client.get(referral.get_absolute_url())
    assert page.status_code == 200 and _secrets_in(page.content.decode()) == []
    assert client.get(recorded.get_absolute_url()).status_code == 404


def test_another_agency_sees_neither_the_referral_nor_the_record(client, agency_worker_client, recorded):
    referral = _refer_by_name_and_birth(agency_worker_client)
    client.force_login(user_with_role(Role.AGENCY_WORKER, AgencyFactory()))
    assert client.get(referral.get_absolute_url()).status_code == 404
    assert client.get(recorded.get_absolute_url()).status_code == 404


def test_the_officer_sees_the_record_how_it_was_found_and_what_differs(
    agency_worker_client, iom_officer, recorded
):
    agency_worker_client.post(NEW, _form(first_name="Anyone", last_name="Atall", pnc_id=PNC))
    referral = Referral.objects.get()
    agency_worker_client.force_login(iom_officer)
    content = agency_worker_client.get(referral.get_absolute_url()).content.decode()
    assert recorded.get_absolute_url() in content and "Gethin Vaughan-Pryce" in content
    assert "Found by the PNC ID or CRN given" in content
    assert "Differences from the record" in content and "Anyone Atall" in content
    assert "see the person's record." in content


# The API ---------------------------------------------------------------------------------------


def _body(**person) -> dict:
    return {
        "person": {
            "first_name": "Gethin",
            "last_name": "Vaughan-Pryce",
            "date_of_birth": "1987-11-23",
            "gender": "male",
            "ethnicity": "white_british",
            "iom_category": "fixed",
            "risk_of_serious_harm": "medium",
        }
        | person,
        "urgency": "routine",
        "needs": [],
        "risk_summary": "None known.",
        "reason": "Released without an address.",
    }


def _post(api, data, key):
    return api.post(LIST, data, content_type=JSON, HTTP_IDEMPOTENCY_KEY=key)


def test_the_409_returns_only_what_was_sent_and_a_token(api_client_for, probation, recorded):
    api = api_client_for(probation)
    response = _post(api, _body(), "a")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    # Before the fix: `matches` with the record's id (and, per the tester, its PNC ID and CRN).
    assert set(problem) == {"type", "title", "status", "detail", "instance", "code", "person", "match_token"}
    assert problem["code"] == "possible_same_person"
    assert problem["person"] == {
        "first_name": "Gethin",
        "last_name": "Vaughan-Pryce",
        "date_of_birth": "1987-11-23",
    }
    body = response.content.decode()
    assert _secrets_in(body) == [] and str(recorded.public_id) not in body
    assert not Referral.objects.exists()


@pytest.mark.parametrize("record_holds", [{"pnc_id": "", "crn": ""}, {"pnc_id": "2010/0000001A"}])
def test_the_409_is_the_same_whether_or_not_the_record_holds_the_pnc_id_sent(
    api_client_for, probation, recorded, record_holds
):
    """Before, a PNC ID sent with a name on file answered 201 (someone else) or 409 by whether the
    record held a PNC ID: an oracle. Now the question is asked whatever the record holds."""
    api = api_client_for(probation)
    with_pnc = _post(api, _body(pnc_id=PNC), "a").json()
    Offender.objects.filter(pk=recorded.pk).update(**record_holds)
    without = _post(api, _body(pnc_id=PNC), "b").json()
    for problem in (with_pnc, without):
        problem.pop("match_token")
    assert with_pnc == without


def test_confirming_over_the_api_shows_the_person_only_as_sent_until_accepted(
    api_client_for, probation, recorded, iom_officer
):
    api = api_client_for(probation)
    token = _post(api, _body(), "a").json()["match_token"]
    created = _post(api, _body() | {"confirm_same_person": True, "match_token": token}, "a")
    assert created.status_code == 201, created.content
    person = created.json()["person"]
    assert person == {
        "id": None,
        "first_name": "Gethin",
        "last_name": "Vaughan-Pryce",
        "date_of_birth": "1987-11-23",
        "pnc_id": "",
        "crn": "",
    }
    referral = Referral.objects.get()
    assert referral.offender == recorded
    for response in (api.get(f"{LIST}{referral.public_id}/"), api.get(LIST)):
        assert response.status_code == 200 and _secrets_in(response.content.decode()) == []
    referral_accept(referral_id=referral.pk, by=iom_officer)
    person = api.get(f"{LIST}{referral.public_id}/").json()["person"]
    assert (person["id"], person["pnc_id"], person["crn"]) == (str(recorded.public_id), PNC, CRN)


def test_a_pnc_id_over_the_api_is_answered_alike_on_file_or_not(api_client_for, probation, recorded):
    api = api_client_for(probation)
    known = _post(api, _body(first_name="Anyone", last_name="Atall", pnc_id=PNC), "a")
    unknown = _post(api, _body(first_name="Someone", last_name="Else", pnc_id="2099/0000001A"), "b")
    assert (known.status_code, unknown.status_code) == (201, 201)
    shapes = []
    for response in (known, unknown):
        data = response.json()
        assert data["person"]["id"] is None and _secrets_in(response.content.decode().replace(PNC, "")) == []
        shapes.append(sorted(data["person"]) + sorted(data) + [data["status"]])
    assert shapes[0] == shapes[1]


def test_the_409_writes_an_access_log_row_naming_the_match(api_client_for, probation, recorded):
    """Before the fix a 409 that showed people logged nothing."""
    api = api_client_for(probation)
    assert _post(api, _body(), "a").status_code == 409
    entry = AccessLogEntry.objects.get()
    assert entry.offender_ids == [recorded.pk] and entry.api_client == api.api_client
    assert (entry.action, entry.method, entry.url) == ("disclose", "POST", LIST)


def test_the_same_person_question_in_the_browser_is_logged(agency_worker_client, agency_worker, recorded):
    response = agency_worker_client.post(NEW, _form())
    assert "Is this the same person?" in response.content.decode()
    entry = AccessLogEntry.objects.get()
    assert entry.offender_ids == [recorded.pk] and entry.user == agency_worker


def test_another_agencys_client_cannot_read_the_referral(api_client_for, probation, recorded):
    api = api_client_for(probation)
    token = _post(api, _body(), "a").json()["match_token"]
    # Another agency cannot use the token either: it is asked again.
    other = api_client_for(AgencyFactory(name="Elsewhere"))
    assert _post(other, _body() | {"confirm_same_person": True, "match_token": token}, "z").status_code == 409
    _post(api, _body() | {"confirm_same_person": True, "match_token": token}, "a")
    referral = Referral.objects.get()
    assert other.get(f"{LIST}{referral.public_id}/").status_code == 404


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"confirm_same_person": True}, "match_token"),
        ({"match_token": "abc"}, "confirm_same_person"),
        ({"confirm_same_person": True, "match_token": "abc", "different_person": True}, "different_person"),
    ],
)
def test_a_half_answer_is_400_naming_the_field(api_client_for, probation, extra, field):
    response = _post(api_client_for(probation), _body() | extra, "a")
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == [field]
