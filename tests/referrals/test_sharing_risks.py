"""A person's sharing risks (sexual risk to adults or children, arson history, violence to other
residents): recorded with a referral (the form and the API), changed by an officer on the
person's page, in the subject access export, and gone with an erasure."""

import pytest
from django.urls import reverse

from audit.selectors import subject_access_items
from audit.services import offender_erase
from referrals.models import Offender, SexualRiskToAdults
from referrals.services import offender_sharing_risks_set
from tests.factories import OffenderFactory
from tests.referrals.test_api_writes import body, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(api_client_for, probation):
    return api_client_for(probation)


def test_a_referral_over_the_api_records_a_new_persons_sharing_risks(api):
    response = post(
        api,
        body(person={"sexual_risk_to_adults": "women", "arson_history": True, "violence_to_residents": True}),
    )

    assert response.status_code == 201, response.content
    person = Offender.objects.get()
    assert (
        person.sexual_risk_to_adults,
        person.sexual_risk_to_children,
        person.arson_history,
        person.violence_to_residents,
    ) == ("women", False, True, True)


def test_sharing_risks_left_out_over_the_api_are_none(api):
    assert post(api, body()).status_code == 201

    assert Offender.objects.get().sharing_risks == []


def test_an_unknown_sexual_risk_over_the_api_is_a_problem_naming_the_field(api):
    response = post(api, body(person={"sexual_risk_to_adults": "children"}))

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["person.sexual_risk_to_adults"]
    assert not Offender.objects.exists()


def test_an_officer_changes_the_sharing_risks_on_the_persons_page(iom_officer_client):
    person = OffenderFactory()
    url = reverse("referrals:offender-sharing-risks", args=[person.public_id])

    assert "Risks when sharing a property" in iom_officer_client.get(url).content.decode()
    response = iom_officer_client.post(url, {"sexual_risk_to_adults": "any", "sexual_risk_to_children": "on"})

    assert response.url == person.get_absolute_url()
    person.refresh_from_db()
    assert person.sharing_risks == ["sexual risk to adults", "sexual risk to children"]
    page = iom_officer_client.get(person.get_absolute_url()).content.decode()
    assert "Sexual risk to children" in page


def test_an_agency_worker_cannot_change_them(agency_worker_client):
    person = OffenderFactory()

    response = agency_worker_client.post(
        reverse("referrals:offender-sharing-risks", args=[person.public_id]), {"arson_history": "on"}
    )

    assert response.status_code == 403
    person.refresh_from_db()
    assert person.arson_history is False


def test_the_subject_access_export_lists_them(iom_officer):
    person = OffenderFactory(arson_history=True, sexual_risk_to_adults=SexualRiskToAdults.MEN)

    data = subject_access_items(person)[0]["data"]

    assert (data["sexual_risk_to_adults"], data["arson_history"], data["violence_to_residents"]) == (
        "men",
        True,
        False,
    )


def test_erasure_removes_them_with_the_name(scheme_manager, iom_officer):
    person = OffenderFactory()
    offender_sharing_risks_set(
        offender_id=person.pk,
        sexual_risk_to_adults="any",
        sexual_risk_to_children=True,
        arson_history=True,
        violence_to_residents=True,
        by=iom_officer,
    )

    offender_erase(offender_id=person.pk, reason="Retention period ended.", by=scheme_manager)

    person.refresh_from_db()
    assert person.sharing_risks == []
    assert person.sexual_risk_to_adults == ""


def test_a_risk_sent_for_someone_already_recorded_is_shown_to_the_officer_not_recorded(api, probation):
    from referrals.models import Referral
    from referrals.selectors import person_details_differences

    person = OffenderFactory(first_name="Sam", last_name="Quayle", pnc_id="2004/0123456X", crn="X123456")
    response = post(api, body(person={"violence_to_residents": True}))
    assert response.status_code == 201, response.content

    person.refresh_from_db()
    assert person.violence_to_residents is False
    referral = Referral.objects.get(referring_agency=probation)
    assert ("Risks when sharing a property", "violence to other residents", "None recorded") in (
        person_details_differences(referral)
    )
