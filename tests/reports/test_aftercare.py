"""The aftercare figures (reports/metrics/aftercare.py) against a scenario worked by hand, with
the period's edges: a check due on the period's last day, a 29 February departure."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from aftercare.models import Deposit, DepositFund, FollowUpCheck, Landlord
from aftercare.services import follow_ups_schedule
from iom_housing.access import Role
from reports.metrics import REGISTRY, Facts, Scope
from tests.aftercare.helpers import ADDRESS, ended_placement
from tests.helpers import user_with_role

pytestmark = pytest.mark.django_db

# The period is March 2028, [1 March, 1 April); the report is made on 1 July 2028.
START, END, TODAY = date(2028, 3, 1), date(2028, 4, 1), date(2028, 7, 1)


def _compute(key):
    scope = Scope(START, END, None, TODAY)
    with transaction.atomic(), Facts(scope) as facts:
        return REGISTRY[key].compute(scope, facts)


def _values(table):
    return {row.label: row.values for row in table.rows}


def test_tenancies_secured_and_money_worked_by_hand(settings):
    officer = user_with_role(Role.IOM_OFFICER)
    fund = DepositFund.objects.create(name="F", starting_amount=Decimal("1000"), starts_on=date(2027, 1, 1))
    lord = Landlord.objects.create(name="L")
    placement = ended_placement(date(2028, 2, 1))

    def deposit(kind, amount, paid_on, **outcome):
        return Deposit.objects.create(
            fund=fund,
            placement=placement,
            landlord=lord,
            kind=kind,
            amount=Decimal(amount),
            paid_on=paid_on,
            paid_by=officer,
            **ADDRESS,
            **outcome,
        )

    ended = {"outcome_recorded_at": "2028-03-31T12:00Z"}
    # Paid before the period, returned in it on its last day: £300 back, not secured in March.
    deposit(
        "cash",
        "300",
        date(2028, 1, 5),
        outcome="returned",
        tenancy_ended_on=date(2028, 3, 31),
        returned_amount=Decimal("300"),
        claimed_amount=0,
        **ended,
    )
    # Paid on the period's first day, £100 of it recycled.
    deposit("cash", "400", date(2028, 3, 1), recycled_amount=Decimal("100"))
    # A bond given in March and claimed £50 in March (for arrears).
    deposit(
        "bond",
        "250",
        date(2028, 3, 10),
        outcome="bond_claimed",
        tenancy_ended_on=date(2028, 3, 20),
        returned_amount=0,
        claimed_amount=Decimal("50"),
        claim_reason="arrears",
        **ended,
    )
    # Paid on 1 April: after the period.
    deposit("cash", "999", date(2028, 4, 1))
    rows = _values(_compute("deposits"))
    # Secured in March: the £400 deposit and the £250 bond = 2.
    assert rows["Tenancies secured (deposits and bonds)"]["count"] == 2
    assert (rows["Cash deposits paid"]["count"], rows["Cash deposits paid"]["amount"]) == (
        1,
        Decimal("400.00"),
    )
    assert (rows["Bonds given"]["count"], rows["Bonds given"]["amount"]) == (1, Decimal("250.00"))
    assert rows["Returned to the fund"]["amount"] == Decimal("300.00")
    assert rows["Bond claims paid"]["amount"] == Decimal("50.00")
    assert rows["Recycled into new tenancies"]["amount"] == Decimal("100.00")


def test_settled_at_each_follow_up_worked_by_hand():
    # Checks due in March 2028:
    #   left 30 Nov 2027 for private rent: 3 months → 29 Feb 2028 (a leap day): before the period.
    #   left 31 Dec 2027 for private rent: 3 months → 31 Mar 2028, the period's last day: due.
    #       Recorded "same": settled (1 of 1 followed up).
    #   left 29 Feb 2028? its 3-month check is 29 May: not in March.
    #   left 1 Dec 2027 for temporary: 3 months → 1 Mar 2028: due. Recorded "same": not settled
    #       (the same accommodation was temporary).
    #   left 15 Dec 2027 for family: 3 months → 15 Mar: due, not recorded (counts as due only).
    #   left 31 Aug 2027 for social rent: 6 months → 29 Feb 2028: before the period.
    #   left 30 Sep 2027 for temporary: 6 months → 30 Mar 2028: due. Recorded "moved" to family: settled.
    # 3 months: due 3, followed up 2, settled 1, share 1/2. 6 months: due 1, followed 1, settled 1.
    # 12 months: none due (left in March 2027 would be; none did).
    officer = user_with_role(Role.IOM_OFFICER)
    cases = [
        (date(2027, 11, 30), "private_rent", None),
        (date(2027, 12, 31), "private_rent", (3, "same", "")),
        (date(2028, 2, 29), "private_rent", None),
        (date(2027, 12, 1), "temporary", (3, "same", "")),
        (date(2027, 12, 15), "family", None),
        (date(2027, 8, 31), "social_rent", None),
        (date(2027, 9, 30), "temporary", (6, "moved", "family")),
    ]
    for departed, destination, recorded in cases:
        placement = ended_placement(departed, destination=destination)
        follow_ups_schedule(placement_ids=[placement.pk])
        if recorded:
            months, accommodation, moved_to = recorded
            FollowUpCheck.objects.filter(placement=placement, months=months).update(
                accommodation=accommodation,
                moved_to=moved_to,
                engaging="yes",
                recorded_at="2028-04-02T10:00Z",
                recorded_by=officer,
            )
    assert FollowUpCheck.objects.get(placement__departed_on=date(2027, 12, 31), months=3).due_on == date(
        2028, 3, 31
    )
    rows = _values(_compute("settled_after_leaving"))
    assert rows["3 months after leaving"] == {"due": 3, "followed": 2, "settled": 1, "share": 0.5}
    assert rows["6 months after leaving"] == {"due": 1, "followed": 1, "settled": 1, "share": 1.0}
    assert rows["12 months after leaving"] == {"due": 0, "followed": 0, "settled": 0, "share": None}
