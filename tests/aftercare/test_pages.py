"""The aftercare pages: the deposits page's queries whatever its length, paying a deposit through
check answers (and refused by the amount field), recording a return and a follow-up; agencies see
their own people only."""

from datetime import date

import pytest
from django.urls import reverse

from aftercare.models import Deposit, FollowUpCheck
from aftercare.services import deposit_pay, follow_ups_schedule
from iom_housing.access import Role
from tests.aftercare.helpers import ADDRESS, ended_placement, fund, landlord
from tests.factories import AgencyFactory
from tests.helpers import date_fields, page_queries, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to("2026-06-15 12:00+01:00")


def _deposits(n, the_fund, lord, officer, agency=None):
    for _ in range(n):
        placement = ended_placement(date(2026, 2, 1), agency=agency)
        deposit_pay(
            fund_id=the_fund.pk,
            placement_id=placement.pk,
            landlord_id=lord.pk,
            kind="cash",
            amount="10",
            paid_on=date(2026, 3, 1),
            by=officer,
            **ADDRESS,
        )


def test_the_deposits_page_takes_the_same_queries_for_two_rows_and_twenty(client):
    officer = user_with_role(Role.IOM_OFFICER)
    client.force_login(officer)
    the_fund, lord = fund(), landlord()
    url = reverse("aftercare:deposits")
    _deposits(2, the_fund, lord, officer)
    two = page_queries(client, url)
    _deposits(18, the_fund, lord, officer)
    assert page_queries(client, url) == two
    page = client.get(url).content.decode()
    assert "£800.00" in page  # 1,000 − 20 × 10 available


def test_an_agency_sees_deposits_for_its_own_people_only(client):
    officer = user_with_role(Role.IOM_OFFICER)
    worker = user_with_role(Role.AGENCY_WORKER)
    the_fund, lord = fund(), landlord()
    _deposits(1, the_fund, lord, officer, agency=worker.membership.agency)
    _deposits(1, the_fund, lord, officer, agency=AgencyFactory())
    client.force_login(worker)
    page = client.get(reverse("aftercare:deposits"))
    assert len(page.context["page"].object_list) == 1


def test_paying_a_deposit_shows_the_answers_before_money_moves(client):
    officer = user_with_role(Role.IOM_OFFICER)
    client.force_login(officer)
    the_fund, lord = fund("500.00"), landlord()
    placement = ended_placement(date(2026, 2, 1))
    url = reverse("aftercare:deposit-pay", args=[placement.public_id])
    assert client.get(url).status_code == 200
    data = {
        "fund": the_fund.pk,
        "landlord": lord.pk,
        "kind": "cash",
        "amount": "450",
        **ADDRESS,
        **date_fields("paid_on", date(2026, 6, 1)),
    }
    check = client.post(url, data)
    assert check.status_code == 200 and "Check your answers" in check.content.decode()
    assert not Deposit.objects.exists()
    done = client.post(url, {**data, "confirmed": "on"})
    assert done.status_code == 302
    assert Deposit.objects.get().amount == 450

    too_much = client.post(url, {**data, "amount": "50.01", "confirmed": "on"})
    assert too_much.status_code == 200
    assert "amount" in too_much.context["form"].errors
    assert Deposit.objects.count() == 1


def test_recording_a_return_through_check_answers(client):
    officer = user_with_role(Role.IOM_OFFICER)
    client.force_login(officer)
    the_fund, lord = fund(), landlord()
    _deposits(1, the_fund, lord, officer)
    deposit = Deposit.objects.get()
    url = reverse("aftercare:deposit-return", args=[deposit.public_id])
    data = {
        "outcome": "part_claimed",
        "returned_amount": "4",
        "claim_reason": "damage",
        **date_fields("tenancy_ended_on", date(2026, 6, 1)),
    }
    assert "Check your answers" in client.post(url, data).content.decode()
    assert client.post(url, {**data, "confirmed": "on"}).status_code == 302
    deposit.refresh_from_db()
    assert (deposit.outcome, deposit.returned_amount) == ("part_claimed", 4)


def test_a_supporting_agency_records_a_follow_up_on_its_phone_and_another_agency_cannot(client):
    worker = user_with_role(Role.AGENCY_WORKER)
    placement = ended_placement(date(2026, 3, 1), agency=worker.membership.agency)
    follow_ups_schedule(placement_ids=[placement.pk])
    check = FollowUpCheck.objects.get(placement=placement, months=3)
    client.force_login(user_with_role(Role.AGENCY_WORKER))
    url = reverse("aftercare:follow-up-record", args=[check.public_id])
    assert client.get(url).status_code == 404
    client.force_login(worker)
    listed = client.get(reverse("aftercare:follow-ups"))
    assert [c.pk for c in listed.context["page"].object_list] == [check.pk]
    refused = client.post(url, {"accommodation": "moved", "engaging": "yes"})
    assert "moved_to" in refused.context["form"].errors
    assert (
        client.post(url, {"accommodation": "moved", "moved_to": "family", "engaging": "no"}).status_code
        == 302
    )
    check.refresh_from_db()
    assert (check.moved_to, check.engaging, check.recorded_by) == ("family", "no", worker)


def test_the_follow_ups_list_takes_the_same_queries_for_two_rows_and_twenty(client):
    client.force_login(user_with_role(Role.IOM_OFFICER))
    url = reverse("aftercare:follow-ups")
    for _ in range(2):
        follow_ups_schedule(placement_ids=[ended_placement(date(2026, 1, 5)).pk])
    two = page_queries(client, url)
    for _ in range(18):
        follow_ups_schedule(placement_ids=[ended_placement(date(2026, 1, 5)).pk])
    assert page_queries(client, url) == two
