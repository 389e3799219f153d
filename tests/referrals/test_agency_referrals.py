"""Referrals from partner agencies: the service (each person recorded once: the same PNC ID or CRN
is the same person, the same name and date of birth is asked about), and the pages to submit a
referral and follow its outcome, for each role."""

import threading
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from iom_housing.access import Role
from placements.models import Placement
from referrals.models import Offender, PersonMatch, Referral
from referrals.selectors import offender_list, person_details_differences, referral_list
from referrals.services import PossibleDuplicate, referral_accept, referral_submit
from tests.clock import london
from tests.factories import AgencyFactory, OffenderFactory, PlacementFactory, ReferralFactory
from tests.helpers import date_fields, page_queries, user_with_role

pytestmark = pytest.mark.django_db

BORN = date(1990, 5, 3)

PERSON = {
    "first_name": "Rhys",
    "last_name": "Pritchard",
    "date_of_birth": BORN,
    "gender": "male",
    "ethnicity": "white_british",
    "pnc_id": "",
    "crn": "",
    "prison_number": "",
    "iom_category": "fixed",
    "risk_of_serious_harm": "medium",
    "licence_ends_on": None,
    "safety_warnings": "",
}


def submit(agency, by, person=None, **overrides) -> Referral:
    kwargs = {
        "urgency": "urgent",
        "needs": ["accommodation", "drugs"],
        "risk_summary": "Low risk to staff.",
        "reason": "Released on licence with no fixed abode.",
        **overrides,
    }
    return referral_submit(agency=agency, by=by, person={**PERSON, **(person or {})}, **kwargs)


def _snapshot():
    return (
        list(Offender.objects.order_by("pk").values()),
        list(Referral.objects.order_by("pk").values_list("pk", "offender_id", "external_ref")),
    )


def _refused(call) -> ValidationError:
    """The call is refused with a ValidationError and nothing is written."""
    before = _snapshot()
    with pytest.raises(ValidationError) as error:
        call()
    assert _snapshot() == before
    return error.value


@pytest.fixture
def worker(agency_worker):
    return agency_worker


# The service: a new person ------------------------------------------------------------------------


def test_a_referral_of_someone_new_records_them_and_the_referral(agency, worker):
    referral = submit(
        agency,
        worker,
        person={
            "first_name": "  Rhys ",
            "pnc_id": " 2004/0123456x ",
            "crn": "x123456",
            "prison_number": "a1234bc",
            "safety_warnings": "Do not visit alone",
            "licence_ends_on": date.today() + timedelta(days=200),
        },
        wanted_from=timezone.localdate(),
        external_ref=" PROB-1 ",
    )
    offender = referral.offender
    assert (offender.first_name, offender.last_name, offender.date_of_birth) == ("Rhys", "Pritchard", BORN)
    assert (offender.pnc_id, offender.crn, offender.prison_number) == ("2004/0123456X", "X123456", "A1234BC")
    assert offender.needs == ["accommodation", "drugs"] and offender.safety_warnings == "Do not visit alone"
    assert referral.status == Referral.Status.SUBMITTED and referral.referring_agency == agency
    assert referral.submitted_by == worker and referral.external_ref == "PROB-1"
    assert referral.urgency == "urgent" and referral.needs == ["accommodation", "drugs"]


def test_the_referring_agency_sees_its_referral_and_the_person_once_accepted(agency, worker, iom_officer):
    referral = submit(agency, worker)
    assert list(referral_list(user=worker, status="all")) == [referral]
    # Even a person it recorded itself: the answer must not differ by whether they were on file.
    assert not offender_list(user=worker).exists()
    referral_accept(referral_id=referral.pk, by=iom_officer)
    assert list(offender_list(user=worker)) == [referral.offender]
    outsider = user_with_role(Role.AGENCY_WORKER, AgencyFactory())
    assert not offender_list(user=outsider).exists()
    assert not referral_list(user=outsider, status="all").exists()


# The service: the same person ---------------------------------------------------------------------


def _asked(agency, by, person=None, **overrides) -> PossibleDuplicate:
    """The submission is answered with the question "is this the same person?", writing nothing."""
    error = _refused(lambda: submit(agency, by, person=person, **overrides))
    assert isinstance(error, PossibleDuplicate), error
    return error


def confirm(agency, by, person=None, **overrides) -> Referral:
    """Submit, be asked whether it is the person already recorded, and say yes."""
    question = _asked(agency, by, person=person, **overrides)
    return submit(agency, by, person=person, match_token=question.token, **overrides)


def test_the_same_pnc_id_in_any_case_is_the_same_person_once_confirmed(agency, worker):
    existing = OffenderFactory(**{**PERSON, "pnc_id": "2004/0123456X", "crn": ""})
    referral = confirm(agency, worker, person={"pnc_id": "2004/0123456x", "risk_of_serious_harm": "high"})
    assert referral.offender == existing and referral.person_match == PersonMatch.CONFIRMED
    existing.refresh_from_db()
    # Nothing on their record is changed by a referral; what was sent is kept on the referral.
    assert existing.risk_of_serious_harm == "medium" and Offender.objects.count() == 1
    assert referral.person_details["risk_of_serious_harm"] == "high"
    assert referral.person_details["pnc_id"] == "2004/0123456X"
    assert referral.person_details["date_of_birth"] == BORN.isoformat()


def test_the_same_crn_is_the_same_person_once_confirmed(agency, worker):
    existing = OffenderFactory(**{**PERSON, "pnc_id": "", "crn": "X123456"})
    referral = confirm(
        agency, worker, person={"crn": "x123456", "first_name": "RHYS", "last_name": "pritchard"}
    )
    assert referral.offender == existing


@pytest.mark.parametrize(
    "recorded",
    [
        {"pnc_id": "2004/0123456X", "crn": "X123456"},  # the identifiers sent
        {"pnc_id": "2010/0000001A", "crn": "Z999999"},  # others
        {"pnc_id": "", "crn": ""},  # none
    ],
    ids=["same identifiers", "other identifiers", "no identifiers"],
)
def test_a_name_and_date_of_birth_on_file_is_asked_about_whatever_identifiers_it_holds(
    agency, worker, recorded
):
    """The question (the same for each) is the only thing a referrer learns: not whether the
    record holds a PNC ID or CRN, nor which."""
    OffenderFactory(**{**PERSON, **recorded})
    question = _asked(agency, worker, person={"pnc_id": "2004/0123456X", "crn": "X123456"})
    assert question.messages == [
        "A person with this name and date of birth is already recorded. Say whether this is them."
    ]


def test_a_known_pnc_id_with_another_name_goes_to_that_record_without_telling_the_referrer(agency, worker):
    """Before, this was refused "a person with a different name is recorded with this PNC ID": an
    oracle for whether a PNC ID exists. Now the answer is the same as for a PNC ID on no record
    (a referral made, the person as sent), and the IOM team sees the differences."""
    other = OffenderFactory(**{**PERSON, "first_name": "Dafydd", "pnc_id": "2004/0123456X", "crn": ""})
    known = submit(agency, worker, person={"pnc_id": "2004/0123456X"})
    unknown = submit(AgencyFactory(), worker, person={"first_name": "Iolo", "pnc_id": "2099/0000009Z"})
    assert known.offender == other and known.person_match == PersonMatch.IDENTIFIER
    assert unknown.person_match == PersonMatch.NEW
    assert known.referred_person.full_name == "Rhys Pritchard"
    assert unknown.referred_person.full_name == "Iolo Pritchard"
    assert person_details_differences(known) == [("Name", "Rhys Pritchard", "Dafydd Pritchard")]
    # Neither agency sees either record until an officer accepts.
    assert not offender_list(user=worker).exists()


def test_a_known_crn_with_another_date_of_birth_goes_to_that_record(agency, worker):
    other = OffenderFactory(**{**PERSON, "date_of_birth": date(1991, 5, 3), "pnc_id": "", "crn": "X123456"})
    referral = submit(agency, worker, person={"crn": "X123456"})
    assert referral.offender == other
    assert person_details_differences(referral) == [("Date of birth", "3 May 1990", "3 May 1991")]


def test_a_pnc_id_and_crn_of_two_different_people_pick_the_record_the_name_agrees_with(agency, worker):
    by_pnc = OffenderFactory(**{**PERSON, "pnc_id": "2004/0123456X", "crn": ""})
    OffenderFactory(**{**PERSON, "first_name": "Dafydd", "pnc_id": "", "crn": "X123456"})
    referral = confirm(agency, worker, person={"pnc_id": "2004/0123456X", "crn": "X123456"})
    assert referral.offender == by_pnc
    assert person_details_differences(referral) == [("probation CRN", "X123456", "")]


def test_confirming_among_several_records_picks_the_one_whose_identifiers_agree(agency, worker):
    OffenderFactory(**{**PERSON, "pnc_id": "", "crn": ""})
    wanted = OffenderFactory(**{**PERSON, "pnc_id": "", "crn": "X123456"})
    OffenderFactory(**{**PERSON, "pnc_id": "", "crn": "Z999999"})
    assert confirm(agency, worker, person={"crn": "X123456"}).offender == wanted


def test_the_same_name_and_date_of_birth_asks_whether_it_is_the_same_person(agency, worker):
    existing = OffenderFactory(**{**PERSON, "first_name": "RHYS", "pnc_id": "", "crn": ""})
    question = _asked(agency, worker, person={"last_name": "PRITCHARD"})
    assert question.code == "possible_duplicate"
    # Only a token to send back: the record's id goes only to the access log.
    assert question.offender_ids == [existing.pk] and str(existing.public_id) not in question.token


def test_a_name_match_with_identifiers_on_one_side_only_still_asks(agency, worker):
    OffenderFactory(**{**PERSON, "pnc_id": "2004/0123456X", "crn": ""})
    _asked(agency, worker, person={"crn": "X123456"})


def test_confirming_the_match_adds_the_referral_to_their_record(agency, worker):
    existing = OffenderFactory(**{**PERSON, "pnc_id": "", "crn": ""})
    referral = confirm(agency, worker)
    assert referral.offender == existing and Offender.objects.count() == 1


def test_saying_it_is_a_different_person_records_someone_new(agency, worker):
    existing = OffenderFactory(**{**PERSON, "pnc_id": "", "crn": ""})
    referral = submit(agency, worker, different_person=True)
    assert referral.offender != existing and Offender.objects.count() == 2
    assert referral.person_match == PersonMatch.NEW


def test_a_name_match_with_a_different_pnc_id_is_asked_and_may_be_someone_else(agency, worker):
    existing = OffenderFactory(**{**PERSON, "pnc_id": "2004/0123456X", "crn": ""})
    _asked(agency, worker, person={"pnc_id": "2010/0000001A"})
    referral = submit(agency, worker, person={"pnc_id": "2010/0000001A"}, different_person=True)
    assert referral.offender != existing and referral.offender.pnc_id == "2010/0000001A"


def test_a_token_made_for_another_agency_or_other_records_asks_again(agency, worker):
    OffenderFactory(**{**PERSON, "pnc_id": "", "crn": ""})
    others = _asked(AgencyFactory(), worker)
    _asked(agency, worker, match_token=others.token)
    mine = _asked(agency, worker)
    OffenderFactory(**{**PERSON, "pnc_id": "", "crn": ""})  # someone else with the name since
    again = _asked(agency, worker, match_token=mine.token)
    assert again.token != mine.token
    _asked(agency, worker, match_token="forged")


def test_confirming_a_match_when_there_is_none_is_refused(agency, worker):
    OffenderFactory()
    error = _refused(lambda: submit(agency, worker, match_token="a" * 64))
    assert error.code == "no_match"


def test_confirming_and_saying_someone_else_at_once_is_refused(agency, worker):
    error = _refused(lambda: submit(agency, worker, match_token="a" * 64, different_person=True))
    assert error.code == "contradiction"


def test_a_second_open_referral_of_one_person_by_one_agency_is_refused(agency, worker):
    first = submit(agency, worker, person={"pnc_id": "2004/0123456X"})
    question = _asked(agency, worker, person={"pnc_id": "2004/0123456X"})
    error = _refused(
        lambda: submit(agency, worker, person={"pnc_id": "2004/0123456X"}, match_token=question.token)
    )
    assert error.code == "already_referred"
    # Once decided, the agency may refer them again; another agency may refer them meanwhile.
    assert confirm(AgencyFactory(), worker, person={"pnc_id": "2004/0123456X"}).offender == first.offender
    Referral.objects.filter(pk=first.pk).update(
        status="declined", decline_reason="other", decided_at=timezone.now()
    )
    assert confirm(agency, worker, person={"pnc_id": "2004/0123456X"}).offender == first.offender


# The service: bad input ---------------------------------------------------------------------------


def test_the_agencys_reference_cannot_be_used_twice_by_it(agency, worker):
    submit(agency, worker, external_ref="PROB-1")
    error = _refused(lambda: submit(agency, worker, person={"first_name": "Dafydd"}, external_ref="PROB-1"))
    assert "already used this reference" in " ".join(error.message_dict["external_ref"])
    assert submit(AgencyFactory(), worker, person={"first_name": "Dafydd"}, external_ref="PROB-1")


@pytest.mark.parametrize(
    ("person", "field", "message"),
    [
        ({"first_name": "  "}, "first_name", "Enter the person's first name."),
        ({"last_name": ""}, "last_name", "Enter the person's last name."),
        ({"date_of_birth": None}, "date_of_birth", "Enter the person's date of birth."),
        ({"date_of_birth": date.today() + timedelta(days=1)}, "date_of_birth", "must be in the past"),
        ({"date_of_birth": date.today() - timedelta(days=17 * 365)}, "date_of_birth", "18 or over"),
        ({"date_of_birth": date(1900, 1, 1)}, "date_of_birth", "over 110"),
        ({"gender": "robot"}, "gender", "Select the person's gender."),
        ({"ethnicity": ""}, "ethnicity", "ethnic group"),
        ({"iom_category": "x"}, "iom_category", "IOM cohort category"),
        ({"risk_of_serious_harm": ""}, "risk_of_serious_harm", "risk of serious harm"),
        ({"pnc_id": "123"}, "pnc_id", "PNC ID like"),
        ({"crn": "12345"}, "crn", "CRN like"),
        ({"prison_number": "1234"}, "prison_number", "prison number like"),
        ({"licence_ends_on": BORN}, "licence_ends_on", "after the date of birth"),
        ({"licence_ends_on": date(2019, 6, 30)}, "licence_ends_on", "today or in the future"),
        (
            {"safety_warnings": "x" * 2001},
            "safety_warnings",
            "2,000 characters or fewer: this is 1 character too long",
        ),
        ({"first_name": "x" * 101}, "first_name", "at most 100 characters"),
    ],
)
def test_bad_person_details_are_refused_naming_the_field(agency, worker, person, field, message):
    error = _refused(lambda: submit(agency, worker, person=person))
    assert message in " ".join(error.message_dict[field])


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"urgency": "whenever"}, "urgency"),
        ({"needs": ["housing-ish"]}, "needs"),
        ({"reason": " "}, "reason"),
        ({"risk_summary": ""}, "risk_summary"),
        ({"wanted_from": date.today() - timedelta(days=8)}, "wanted_from"),
        ({"wanted_from": date.today() + timedelta(days=400)}, "wanted_from"),
        ({"external_ref": "x" * 101}, "external_ref"),
        ({"reason": "x" * 11_000}, "reason"),
        ({"risk_summary": "x" * 2001}, "risk_summary"),
    ],
)
def test_bad_referral_details_are_refused_naming_the_field(agency, worker, overrides, field):
    error = _refused(lambda: submit(agency, worker, **overrides))
    assert field in error.message_dict


def test_a_place_wanted_from_a_few_days_ago_is_allowed(agency, worker):
    wanted = timezone.localdate() - timedelta(days=7)
    assert submit(agency, worker, wanted_from=wanted).wanted_from == wanted


# Today pinned: on some days (29 February 2028) nobody turns 18. Someone born on 29 February is 18
# on 1 March in a year without one (Family Law Reform Act 1969, s.9), and 17 the day before.
@pytest.mark.parametrize(
    ("born", "adult"),
    [
        pytest.param(
            date(2008, 12, 3),
            True,
            marks=pytest.mark.time_machine(london(2026, 12, 3), tick=False),
            id="today",
        ),
        pytest.param(
            date(2008, 2, 29),
            True,
            marks=pytest.mark.time_machine(london(2026, 3, 1), tick=False),
            id="leap-1-march",
        ),
        pytest.param(
            date(2008, 2, 29),
            False,
            marks=pytest.mark.time_machine(london(2026, 2, 28), tick=False),
            id="leap-28-february",
        ),
    ],
)
def test_a_person_may_be_referred_from_their_18th_birthday(agency, worker, born, adult):
    if adult:
        assert submit(agency, worker, person={"date_of_birth": born}).offender.date_of_birth == born
    else:
        error = _refused(lambda: submit(agency, worker, person={"date_of_birth": born}))
        assert "18 or over" in " ".join(error.message_dict["date_of_birth"])


def test_an_inactive_agency_cannot_refer(worker):
    closed = AgencyFactory(active=False)
    error = _refused(lambda: submit(closed, worker))
    assert error.code == "agency"


@pytest.mark.django_db(transaction=True)
def test_two_agencies_referring_someone_new_at_once_record_them_once():
    """The second waits for the first, then finds the person it recorded and asks about them."""
    first, second = AgencyFactory(), AgencyFactory()
    barrier = threading.Barrier(2)
    outcomes: list = [None, None]

    def run(index, agency):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = submit(agency, None)
        except BaseException as error:  # noqa: BLE001 - the test inspects whatever happened
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert sorted(type(o).__name__ for o in outcomes) == ["PossibleDuplicate", "Referral"], outcomes
    assert Offender.objects.count() == 1


# The pages ------------------------------------------------------------------------------------------


def _form(**overrides) -> dict:
    data = {
        "first_name": "Rhys",
        "last_name": "Pritchard",
        **date_fields("date_of_birth", BORN),
        "gender": "male",
        "ethnicity": "white_british",
        "pnc_id": "",
        "crn": "",
        "prison_number": "",
        "iom_category": "fixed",
        "risk_of_serious_harm": "medium",
        **date_fields("licence_ends_on", None),
        "safety_warnings": "",
        "urgency": "urgent",
        **date_fields("wanted_from", None),
        "needs": ["accommodation", "drugs"],
        "reason": "Released on licence with no fixed abode.",
        "risk_summary": "Low risk to staff.",
        "external_ref": "",
    }
    data.update(overrides)
    return data


NEW = reverse("referrals:referral-new")
MINE = reverse("referrals:my-referrals")


def test_agency_workers_and_officers_may_refer_and_follow_their_referrals(client, agency_worker, iom_officer):
    for user in (agency_worker, iom_officer):
        client.force_login(user)
        assert client.get(NEW).status_code == 200
        assert client.get(MINE).status_code == 200


def test_managers_and_analysts_are_refused_and_anonymous_users_sent_to_sign_in(
    client, scheme_manager, opcc_analyst
):
    for user in (scheme_manager, opcc_analyst):
        client.force_login(user)
        assert client.get(NEW).status_code == 403
        assert client.post(NEW, _form()).status_code == 403
        assert client.get(MINE).status_code == 403
    client.logout()
    for url in (NEW, MINE):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not Referral.objects.exists()


def test_submitting_a_referral_shows_it_with_its_status(agency_worker_client, agency):
    response = agency_worker_client.post(NEW, _form(pnc_id="2004/0123456x"))
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == referral.get_absolute_url()
    assert referral.referring_agency == agency and referral.offender.pnc_id == "2004/0123456X"
    assert referral.needs == ["accommodation", "drugs"]
    page = agency_worker_client.get(referral.get_absolute_url()).content.decode()
    assert "Referral submitted" in page and "Submitted" in page


def test_an_officer_refers_for_the_police_iom_team(iom_officer_client, iom_officer):
    assert iom_officer_client.post(NEW, _form()).status_code == 302
    assert Referral.objects.get().referring_agency == iom_officer.membership.agency


def test_a_missing_answer_and_a_bad_date_are_shown_beside_the_fields_and_write_nothing(agency_worker_client):
    response = agency_worker_client.post(
        NEW,
        _form(first_name="", **{"date_of_birth_0": "31", "date_of_birth_1": "2", "date_of_birth_2": "1990"}),
    )
    content = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in content
    assert (
        "Enter the person&#x27;s first name" in content
        and "Their date of birth must be a real date" in content
    )
    assert 'href="#id_first_name"' in content
    assert not Referral.objects.exists() and not Offender.objects.exists()


def test_a_service_refusal_is_shown_beside_its_field(agency_worker_client):
    young = timezone.localdate() - timedelta(days=16 * 365)
    response = agency_worker_client.post(NEW, _form(**date_fields("date_of_birth", young)))
    assert "18 or over" in " ".join(response.context["form"].errors["date_of_birth"])
    assert "There is a problem" in response.content.decode()
    assert not Offender.objects.exists()


def test_reusing_the_agencys_reference_is_refused_on_the_form(agency_worker_client, agency):
    ReferralFactory(referring_agency=agency, external_ref="PROB-1")
    response = agency_worker_client.post(NEW, _form(external_ref="PROB-1"))
    assert "already used this reference" in " ".join(response.context["form"].errors["external_ref"])
    assert Referral.objects.count() == 1


def _same_person_step(client, **form):
    response = client.post(NEW, _form(**form))
    assert response.status_code == 200
    assert "Is this the same person?" in response.content.decode()
    carried: dict[str, list[str]] = {}
    for name, value in response.context["carried"]:
        carried.setdefault(name, []).append(value)
    return response, carried


def _yes(response) -> str:
    """The value of the "Yes, this is the same person" answer (the service's match token)."""
    [(token, _label), _no] = response.context["form"].fields["same_person"].choices
    return token


def test_a_possible_duplicate_shows_back_only_what_was_entered(agency_worker_client):
    existing = OffenderFactory(
        **{
            **PERSON,
            "first_name": "RHYS",  # as recorded: not shown back, since it was typed otherwise
            "pnc_id": "2004/7777777Q",
            "crn": "Z987654",
            "prison_number": "B7777ZZ",
            "safety_warnings": "Large dog at the address",
            "risk_of_serious_harm": "very_high",
        },
    )
    response, carried = _same_person_step(agency_worker_client)
    content = response.content.decode()
    assert "We already have a record of someone named Rhys Pritchard, born 3 May 1990" in content
    for secret in (
        "RHYS",
        "2004/7777777Q",
        "Z987654",
        "B7777ZZ",
        "Very high",
        "Large dog",
        str(existing.public_id),
    ):
        assert secret not in content
    # Everything entered is carried to the next step.
    assert carried["needs"] == ["accommodation", "drugs"] and carried["first_name"] == ["Rhys"]
    assert not Referral.objects.exists() and Offender.objects.count() == 1


def test_saying_yes_adds_the_referral_to_their_record(agency_worker_client):
    existing = OffenderFactory(**{**PERSON, "pnc_id": "", "crn": ""})
    question, carried = _same_person_step(agency_worker_client)
    response = agency_worker_client.post(
        NEW, {**carried, "duplicate_step": "1", "same_person": _yes(question)}
    )
    assert response.status_code == 302
    assert Referral.objects.get().offender == existing and Offender.objects.count() == 1


def test_saying_no_records_a_new_person(agency_worker_client):
    existing = OffenderFactory(**{**PERSON, "pnc_id": "", "crn": ""})
    _, carried = _same_person_step(agency_worker_client)
    response = agency_worker_client.post(NEW, {**carried, "duplicate_step": "1", "same_person": "different"})
    assert response.status_code == 302
    assert Referral.objects.get().offender != existing and Offender.objects.count() == 2


def test_not_answering_the_question_is_shown_as_an_error(agency_worker_client):
    OffenderFactory(**{**PERSON, "pnc_id": "", "crn": ""})
    _, carried = _same_person_step(agency_worker_client)
    response = agency_worker_client.post(NEW, {**carried, "duplicate_step": "1"})
    content = response.content.decode()
    assert "There is a problem" in content and "Select whether this is the same person" in content
    assert not Referral.objects.exists()


def test_changing_the_details_goes_back_to_the_filled_in_form(agency_worker_client):
    OffenderFactory(**{**PERSON, "pnc_id": "", "crn": ""})
    _, carried = _same_person_step(agency_worker_client)
    response = agency_worker_client.post(NEW, {**carried, "duplicate_step": "1", "change": "1"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form["first_name"].value() == "Rhys" and not form.errors
    assert not Referral.objects.exists()


# Following a referral ---------------------------------------------------------------------------------


def test_my_referrals_lists_only_my_agencys_referrals_newest_first(agency_worker_client, agency):
    now = timezone.now()
    older = ReferralFactory(referring_agency=agency, submitted_at=now - timedelta(days=3))
    newer = ReferralFactory(referring_agency=agency, submitted_at=now - timedelta(days=1))
    ReferralFactory(referring_agency=AgencyFactory())
    response = agency_worker_client.get(MINE)
    assert list(response.context["page"].object_list) == [newer, older]


def test_my_referrals_shows_each_outcome(agency_worker_client, agency):
    today = timezone.localdate()
    declined = ReferralFactory(
        referring_agency=agency,
        status="declined",
        decline_reason="no_suitable_property",
        offender=OffenderFactory(first_name="Declan"),
    )
    placed = ReferralFactory(
        referring_agency=agency, status="accepted", offender=OffenderFactory(first_name="Ellis")
    )
    PlacementFactory(
        referral=placed,
        offender=placed.offender,
        status=Placement.Status.ENDED,
        starts_on=today - timedelta(days=40),
        arrived_on=today - timedelta(days=40),
        departed_on=today - timedelta(days=5),
        ends_on=today - timedelta(days=5),
        free_from=today - timedelta(days=3),
        departure_reason="planned_move_on",
        destination="social_rent",
    )
    ReferralFactory(
        referring_agency=agency, status="accepted", offender=OffenderFactory(first_name="Awaiting")
    )
    content = agency_worker_client.get(MINE).content.decode()
    assert "No suitable property available" in content
    assert "Moved on to: Settled: social rent" in content
    assert "No bedspace booked yet" in content
    assert declined.get_absolute_url() in content


def test_the_referring_agency_sees_the_outcome_but_no_officer_actions(client, agency):
    today = timezone.localdate()
    referral = ReferralFactory(
        referring_agency=agency, status="accepted", decision_notes="Suitable for Bridge St"
    )
    PlacementFactory(
        referral=referral,
        offender=referral.offender,
        status=Placement.Status.ACTIVE,
        starts_on=today - timedelta(days=3),
        arrived_on=today - timedelta(days=3),
    )
    declined = ReferralFactory(
        referring_agency=agency,
        status="declined",
        decline_reason="risk_too_high",
        decision_notes="Arson risk",
    )
    colleague = user_with_role(Role.AGENCY_WORKER, agency)
    client.force_login(colleague)
    content = client.get(referral.get_absolute_url()).content.decode()
    assert (
        "Suitable for Bridge St" in content and "Licence to occupy ends" in content and "Arrived" in content
    )
    assert "Find a bedspace" not in content and reverse("referrals:referral-list") not in content
    content = client.get(declined.get_absolute_url()).content.decode()
    assert "Risk cannot be managed in the scheme" in content and "Arson risk" in content
    for action in ("referral-accept", "referral-decline", "referral-withdraw"):
        assert reverse(f"referrals:{action}", args=[declined.public_id]) not in content
    assert reverse("referrals:my-referrals") in content


def test_another_agencys_referral_is_404_for_an_agency_worker(agency_worker_client):
    referral = ReferralFactory(referring_agency=AgencyFactory())
    assert agency_worker_client.get(referral.get_absolute_url()).status_code == 404


def test_analysts_are_refused_a_referral_and_anonymous_users_sent_to_sign_in(client, opcc_analyst, agency):
    referral = ReferralFactory(referring_agency=agency)
    client.force_login(opcc_analyst)
    assert client.get(referral.get_absolute_url()).status_code == 403
    client.logout()
    assert client.get(referral.get_absolute_url())["Location"].startswith(reverse("login"))


def test_officers_still_see_their_actions_on_a_referral(iom_officer_client, agency):
    referral = ReferralFactory(referring_agency=agency)
    content = iom_officer_client.get(referral.get_absolute_url()).content.decode()
    assert reverse("referrals:referral-accept", args=[referral.public_id]) in content


def _make_referrals(agency, count: int) -> None:
    today = timezone.localdate()
    for n in range(count):
        status = ("submitted", "declined", "accepted", "withdrawn")[n % 4]
        referral = ReferralFactory(
            referring_agency=agency,
            status=status,
            decline_reason="other" if status == "declined" else "",
        )
        if status == "accepted":
            PlacementFactory(
                referral=referral,
                offender=referral.offender,
                status=Placement.Status.ACTIVE,
                starts_on=today,
                arrived_on=today,
            )


def test_my_referrals_makes_the_same_number_of_queries_for_2_or_20_rows(agency_worker_client, agency):
    _make_referrals(agency, 2)
    with_two = page_queries(agency_worker_client, MINE)
    _make_referrals(agency, 18)
    assert page_queries(agency_worker_client, MINE) == with_two
    assert len(agency_worker_client.get(MINE).context["page"].object_list) == 20
