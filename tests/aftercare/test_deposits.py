"""The rent deposit fund: paying deposits and bonds, what comes back, and the fund's position
(balance, committed, recycled), worked by hand."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from aftercare.models import Deposit
from aftercare.selectors import fund_position
from aftercare.services import deposit_pay, deposit_return, fund_top_up
from iom_housing.access import Role
from placements.models import Placement
from tests.aftercare.helpers import ADDRESS, ended_placement, fund, landlord
from tests.helpers import user_with_role

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to("2026-06-15 12:00+01:00")


@pytest.fixture
def officer():
    return user_with_role(Role.IOM_OFFICER)


def pay(the_fund, placement, by, amount, kind="cash", paid_on=date(2026, 3, 1), lord=None):
    return deposit_pay(
        fund_id=the_fund.pk,
        placement_id=placement.pk,
        landlord_id=(lord or landlord(f"Landlord {amount}{kind}{paid_on}")).pk,
        kind=kind,
        amount=amount,
        paid_on=paid_on,
        by=by,
        **ADDRESS,
    )


def test_the_position_worked_by_hand(officer):
    # Start £1,000, top-up £200 = £1,200 capital.
    # Cash A £500 (capital left 700), cash B £400 (capital left 300), bond C £300 (committed).
    # A returned in full (+500), B part-claimed with £150 back (+150), C claimed £120 (−120).
    # Cash D £600: capital left = 1,200 − 900 − 120 = 180, so £420 of it is recycled money.
    # Balance = 1,200 − (500 + 400 + 600) − 120 + (500 + 150) = 230. Committed 0. Available 230.
    the_fund = fund("1000.00")
    fund_top_up(fund_id=the_fund.pk, amount="200", received_on=date(2026, 1, 10), by=officer)
    placement = ended_placement(date(2026, 2, 1))
    a = pay(the_fund, placement, officer, "500")
    b = pay(the_fund, placement, officer, "400")
    c = pay(the_fund, placement, officer, "300", kind="bond")
    assert fund_position(the_fund.pk).available == Decimal("0.00")  # 1,200 − 900 − 300 held
    deposit_return(deposit_id=a.pk, outcome="returned", tenancy_ended_on=date(2026, 5, 1), by=officer)
    deposit_return(
        deposit_id=b.pk,
        outcome="part_claimed",
        returned_amount="150",
        claim_reason="damage",
        tenancy_ended_on=date(2026, 5, 2),
        by=officer,
    )
    deposit_return(
        deposit_id=c.pk,
        outcome="bond_claimed",
        claimed_amount="120",
        claim_reason="arrears",
        tenancy_ended_on=date(2026, 5, 3),
        by=officer,
    )
    d = pay(the_fund, placement, officer, "600", paid_on=date(2026, 6, 1))
    assert d.recycled_amount == Decimal("420.00")
    position = fund_position(the_fund.pk)
    assert position.balance == Decimal("230.00")
    assert position.committed == Decimal("0.00")
    assert position.available == Decimal("230.00")
    assert position.recycled == Decimal("420.00")


def test_a_payment_larger_than_available_is_refused_by_the_amount_field(officer):
    the_fund = fund("500.00")
    placement = ended_placement(date(2026, 2, 1))
    pay(the_fund, placement, officer, "300", kind="bond")
    with pytest.raises(ValidationError) as refused:
        pay(the_fund, placement, officer, "200.01")
    assert "amount" in refused.value.error_dict
    assert "£200.00 available" in refused.value.error_dict["amount"][0].messages[0]
    assert Deposit.objects.count() == 1
    pay(the_fund, placement, officer, "200")  # exactly what is left


def test_a_return_is_recorded_once(officer):
    the_fund = fund()
    deposit = pay(the_fund, ended_placement(date(2026, 2, 1)), officer, "100")
    deposit_return(
        deposit_id=deposit.pk, outcome="written_off", tenancy_ended_on=date(2026, 4, 1), by=officer
    )
    with pytest.raises(ValidationError) as refused:
        deposit_return(
            deposit_id=deposit.pk, outcome="returned", tenancy_ended_on=date(2026, 4, 1), by=officer
        )
    assert refused.value.code == "already_recorded"


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"outcome": "bond_released"}, "outcome"),  # a bond's outcome for a cash deposit
        ({"outcome": "part_claimed", "returned_amount": "100", "claim_reason": "damage"}, "returned_amount"),
        ({"outcome": "part_claimed", "returned_amount": "40"}, "claim_reason"),
        ({"outcome": "returned", "tenancy_ended_on": date(2026, 2, 28)}, "tenancy_ended_on"),
        ({"outcome": "returned", "tenancy_ended_on": TODAY + timedelta(days=1)}, "tenancy_ended_on"),
    ],
)
def test_a_wrong_return_is_refused_by_its_field(officer, kwargs, field):
    deposit = pay(fund(), ended_placement(date(2026, 2, 1)), officer, "100")
    kwargs = {"tenancy_ended_on": date(2026, 4, 1), **kwargs}
    with pytest.raises(ValidationError) as refused:
        deposit_return(deposit_id=deposit.pk, by=officer, **kwargs)
    assert field in refused.value.error_dict


def test_a_bond_claim_cannot_exceed_the_bond(officer):
    bond = pay(fund(), ended_placement(date(2026, 2, 1)), officer, "300", kind="bond")
    with pytest.raises(ValidationError) as refused:
        deposit_return(
            deposit_id=bond.pk,
            outcome="bond_claimed",
            claimed_amount="300.01",
            claim_reason="damage",
            tenancy_ended_on=date(2026, 4, 1),
            by=officer,
        )
    assert "claimed_amount" in refused.value.error_dict


def test_a_deposit_needs_someone_who_arrived(officer):
    from tests.factories import PlacementFactory

    booked = PlacementFactory(status=Placement.Status.CONFIRMED)
    with pytest.raises(ValidationError) as refused:
        pay(fund(), booked, officer, "100")
    assert "placement" in refused.value.error_dict


@pytest.mark.parametrize(
    "change, constraint",
    [
        (
            {"returned_amount": Decimal("101"), "outcome": "part_claimed", "claim_reason": "damage"},
            "deposit_returned_within_paid|deposit_part_claimed",
        ),
        ({"amount": Decimal("-1")}, "deposit_amount_positive"),
        ({"tenancy_ended_on": date(2026, 2, 1)}, "deposit_dates_in_order"),
        ({"outcome": ""}, "deposit_one_complete_outcome"),
        ({"outcome": "bond_claimed"}, "deposit_bond_claimed"),
    ],
)
def test_the_database_holds_the_money_rules(officer, change, constraint):
    deposit = pay(fund(), ended_placement(date(2026, 2, 1)), officer, "100")
    deposit_return(deposit_id=deposit.pk, outcome="returned", tenancy_ended_on=date(2026, 4, 1), by=officer)
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Deposit.objects.filter(pk=deposit.pk).update(**change)


@settings(max_examples=12, deadline=None)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["cash", "bond"]), st.integers(1, 400), st.sampled_from(["back", "keep", "none"])
        ),
        min_size=1,
        max_size=8,
    )
)
def test_the_fund_never_pays_more_than_it_has(steps):
    """Whatever is paid and comes back: the balance is never below what bonds hold, and the
    recycled money is never more than what came back."""
    with transaction.atomic():
        sid = transaction.savepoint()
        officer = user_with_role(Role.IOM_OFFICER)
        the_fund = fund("600.00", name="Hypothesis fund")
        placement = ended_placement(date(2026, 2, 1))
        lord = landlord("Hypothesis Lettings")
        for kind, amount, then in steps:
            try:
                deposit = pay(the_fund, placement, officer, str(amount), kind=kind, lord=lord)
            except ValidationError:
                continue
            if then == "back":
                outcome = "returned" if kind == "cash" else "bond_released"
                deposit_return(
                    deposit_id=deposit.pk, outcome=outcome, tenancy_ended_on=date(2026, 4, 1), by=officer
                )
            elif then == "keep":
                extra = {"claimed_amount": str(amount)} if kind == "bond" else {"returned_amount": "0"}
                deposit_return(
                    deposit_id=deposit.pk,
                    outcome="bond_claimed" if kind == "bond" else "part_claimed",
                    claim_reason="damage",
                    tenancy_ended_on=date(2026, 4, 1),
                    by=officer,
                    **extra,
                )
            position = fund_position(the_fund.pk)
            assert position.available >= 0
            assert position.recycled <= position.returned
        transaction.savepoint_rollback(sid)
