"""Change history: database triggers record every change of a core record, bulk updates too,
with the request that made it; scheme managers see it on the record's page."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from agencies.models import StaffMembership
from audit.history import record_history
from audit.models import PlacementHistory, ReferralHistory, StaffMembershipHistory, UserHistory
from iom_housing.access import Role
from placements.models import Placement
from referrals.models import Referral
from tests.factories import PlacementFactory, ReferralFactory
from tests.helpers import post_as_shown, user_with_role

pytestmark = pytest.mark.django_db


def test_a_bulk_update_is_recorded_row_by_row_with_before_and_after():
    placements = PlacementFactory.create_batch(3, notes="")
    Placement.objects.filter(pk__in=[p.pk for p in placements]).update(notes="Moved to flat 2")
    updates = PlacementHistory.objects.filter(pgh_label="update", pgh_obj__in=placements)
    assert updates.count() == 3
    [change] = [c for c in record_history(placements[0]) if c.label == "update"]
    assert ("notes", "", "Moved to flat 2") in change.fields


def test_a_change_through_a_page_records_who_which_request_and_method(iom_officer_client, iom_officer):
    referral = ReferralFactory()
    url = reverse("referrals:referral-start-review", args=[referral.public_id])
    assert post_as_shown(iom_officer_client, url).status_code == 302
    event = (
        ReferralHistory.objects.filter(pgh_obj=referral, pgh_label="update")
        .select_related("pgh_context")
        .get()
    )
    assert event.status == Referral.Status.IN_REVIEW
    assert event.pgh_context.metadata == {"user": iom_officer.pk, "url": url, "method": "POST"}
    [change, _created] = record_history(referral)
    assert change.who == (iom_officer.get_full_name() or iom_officer.username)
    assert (change.method, change.url) == ("POST", url)


def test_a_change_by_an_api_client_records_the_client(api_client_for):
    referral = ReferralFactory()
    http = api_client_for(referral.referring_agency)
    response = http.post(
        reverse("api:referral-withdraw", args=[referral.public_id]), {}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    event = (
        ReferralHistory.objects.filter(pgh_obj=referral, pgh_label="update")
        .select_related("pgh_context")
        .get()
    )
    assert event.pgh_context.metadata["api_client"] == http.api_client.pk
    assert record_history(referral)[0].who == str(http.api_client)


def test_users_and_their_roles_are_tracked_without_the_password():
    user = user_with_role(Role.AGENCY_WORKER)
    StaffMembership.objects.filter(user=user).update(role=Role.IOM_OFFICER)
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    assert StaffMembershipHistory.objects.filter(pgh_obj=user.membership, pgh_label="update").get().role == (
        Role.IOM_OFFICER
    )
    assert UserHistory.objects.filter(pgh_obj=user, pgh_label="update").get().is_active is False
    assert not hasattr(UserHistory, "password")


@pytest.mark.parametrize(
    "url_name", ["referrals:offender-detail", "placements:placement-detail", "referrals:referral-detail"]
)
def test_only_scheme_managers_see_the_change_history_on_a_record(client, url_name):
    referral = ReferralFactory()
    placement = PlacementFactory(offender=referral.offender, referral=referral)
    arg = {
        "referrals:offender-detail": referral.offender.public_id,
        "placements:placement-detail": placement.public_id,
        "referrals:referral-detail": referral.public_id,
    }[url_name]
    url = reverse(url_name, args=[arg])
    client.force_login(user_with_role(Role.SCHEME_MANAGER))
    page = client.get(url).content.decode()
    assert "Change history" in page and "Created" in page
    client.force_login(user_with_role(Role.IOM_OFFICER))
    assert "Change history" not in client.get(url).content.decode()


def test_the_history_table_takes_a_fixed_number_of_queries(django_assert_num_queries):
    placement = PlacementFactory(notes="")
    for n in range(5):
        Placement.objects.filter(pk=placement.pk).update(notes=f"note {n}")
    with django_assert_num_queries(1):  # no user or client named: the events alone
        assert len(record_history(placement)) == 6


def test_the_page_shows_choices_by_their_labels_and_lists_joined(scheme_manager_client):
    referral = ReferralFactory(offender__needs=["accommodation", "drugs"])
    Referral.objects.filter(pk=referral.pk).update(status=Referral.Status.IN_REVIEW)
    html = scheme_manager_client.get(
        reverse("referrals:offender-detail", args=[referral.offender.public_id])
    ).content.decode()
    assert "Accommodation, Drugs" in html and "[&#x27;accommodation" not in html
    [change, _created] = record_history(referral, readable=True)
    assert ("status", "Submitted", "In review") in change.fields
