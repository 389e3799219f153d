"""Reads of the rent deposit fund, its deposits and landlords, and follow-up checks. Deposits and
checks name people: they are scoped to the user (`iom_housing.access`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.contrib.postgres.fields import ArrayField
from django.db.models import DecimalField, Func, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from aftercare.models import Deposit, DepositFund, DepositKind, FollowUpCheck, FundTopUp, Landlord
from iom_housing.access import Requester, deposit_scope, follow_up_scope

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=12, decimal_places=2))


@dataclass(frozen=True)
class FundPosition:
    """Where a fund stands. balance = start + top-ups − cash paid − bond claims paid + returned;
    committed = the amounts of bonds not yet released or claimed; available = balance − committed;
    recycled = the returned money paid out again (the deposits' `recycled_amount`)."""

    starting_amount: Decimal
    top_ups: Decimal
    cash_paid: Decimal
    claims_paid: Decimal
    returned: Decimal
    committed: Decimal
    recycled: Decimal

    @property
    def capital(self) -> Decimal:
        return self.starting_amount + self.top_ups

    @property
    def balance(self) -> Decimal:
        return self.capital - self.cash_paid - self.claims_paid + self.returned

    @property
    def available(self) -> Decimal:
        return self.balance - self.committed

    @property
    def unspent_capital(self) -> Decimal:
        """The fund's own money not yet paid out (payments use it up before returned money)."""
        return max(Decimal("0.00"), self.capital - self.cash_paid - self.claims_paid)


class _Array(Func):
    """`ARRAY[a, b, ...]`: several sums carried out of one subquery."""

    template = "ARRAY[%(expressions)s]"


# The parts of a fund's position taken from its deposits, in the order `_Array` carries them.
DEPOSIT_SUMS = {
    "cash_paid": Sum("amount", filter=Q(kind=DepositKind.CASH)),
    "claims_paid": Sum("claimed_amount", filter=Q(kind=DepositKind.BOND)),
    "returned": Sum("returned_amount", filter=Q(kind=DepositKind.CASH)),
    "committed": Sum("amount", filter=Q(kind=DepositKind.BOND, outcome="")),
    "recycled": Sum("recycled_amount"),
}


def funds_with_position() -> QuerySet[DepositFund]:
    """Every fund with its position's parts annotated: one query, whatever the number of deposits.
    The deposits' sums are taken in one pass over each fund's deposits (`deposit_sums`, in the
    order of DEPOSIT_SUMS; NULL for a fund without any) rather than one pass for each sum."""
    sums = (
        Deposit.objects.filter(fund_id=OuterRef("pk"))
        .order_by()
        .values("fund_id")
        .annotate(
            sums=_Array(
                *(Coalesce(total, ZERO) for total in DEPOSIT_SUMS.values()),
                output_field=ArrayField(DecimalField(max_digits=12, decimal_places=2)),
            )
        )
        .values("sums")
    )
    top_ups = FundTopUp.objects.filter(fund_id=OuterRef("pk")).order_by().values("fund_id")
    return DepositFund.objects.annotate(
        top_ups_total=Coalesce(Subquery(top_ups.annotate(total=Sum("amount")).values("total")), ZERO),
        deposit_sums=Subquery(sums),
    )


def position_of(fund: Any) -> FundPosition:
    """The position of a fund read by `funds_with_position`."""
    sums = dict(zip(DEPOSIT_SUMS, fund.deposit_sums or [Decimal("0.00")] * len(DEPOSIT_SUMS), strict=True))
    return FundPosition(starting_amount=fund.starting_amount, top_ups=fund.top_ups_total, **sums)


def fund_position(fund_id: int) -> FundPosition:
    return position_of(funds_with_position().get(pk=fund_id))


def deposit_list(
    *, user: Requester, fund_id: int | None = None, filters: dict[str, Any] | None = None
) -> QuerySet[Deposit]:
    """Deposits the user may see (agency workers: for their own people), newest first."""
    filters = filters or {}
    deposits = Deposit.objects.filter(deposit_scope(user)).select_related(
        "placement__offender", "landlord", "fund"
    )
    if fund_id is not None:
        deposits = deposits.filter(fund_id=fund_id)
    if filters.get("kind"):
        deposits = deposits.filter(kind=filters["kind"])
    state = filters.get("state")
    if state == "open":
        deposits = deposits.filter(outcome="")
    elif state == "ended":
        deposits = deposits.exclude(outcome="")
    if filters.get("landlord"):
        deposits = deposits.filter(landlord_id=filters["landlord"])
    return deposits.order_by("-paid_on", "-pk")


def deposit_get(*, user: Requester, public_id: UUID) -> Deposit:
    return deposit_list(user=user).get(public_id=public_id)


def landlord_list() -> QuerySet[Landlord]:
    return Landlord.objects.prefetch_related("properties").order_by("name")


def follow_up_list(
    *, user: Requester, due_by: date | None = None, recorded: bool | None = None
) -> QuerySet[FollowUpCheck]:
    """The follow-up checks the user may see, with what the list page shows."""
    checks = FollowUpCheck.objects.filter(follow_up_scope(user)).select_related(
        "placement__offender", "placement__bedspace__property"
    )
    if due_by is not None:
        checks = checks.filter(due_on__lte=due_by)
    if recorded is not None:
        checks = checks.filter(recorded_at__isnull=not recorded)
    return checks.order_by("due_on", "pk")


def follow_up_get(*, user: Requester, public_id: UUID) -> FollowUpCheck:
    """One check, with who recorded it (the page of a recorded check shows them)."""
    return (
        follow_up_list(user=user).select_related("recorded_by", "recorded_by_agency").get(public_id=public_id)
    )


def follow_ups_due_count(*, user: Requester, today: date) -> int:
    return (
        FollowUpCheck.objects.filter(follow_up_scope(user))
        .filter(Q(recorded_at__isnull=True), due_on__lte=today)
        .count()
    )
