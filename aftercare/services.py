"""Every change to the rent deposit scheme and to follow-up checks: one function each, in one
transaction. Payments lock the fund's row, so two officers paying from it at once see each
other's payment and the second is refused if the money has run out."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftercare.models import (
    BOND_OUTCOMES,
    CASH_OUTCOMES,
    NOTES_MAX,
    Accommodation,
    ClaimReason,
    Deposit,
    DepositFund,
    DepositKind,
    DepositOutcome,
    Engaging,
    FollowUpCheck,
    FundTopUp,
    Landlord,
    LandlordProperty,
)
from aftercare.selectors import fund_position
from iom_housing.access import Staff
from iom_housing.dates import day
from iom_housing.services import integrity_errors_as, locked
from placements.models import DepartureReason, Destination, Placement

if TYPE_CHECKING:
    from agencies.models import ApiClient

PENNY = Decimal("0.01")


def _money(value: Decimal | int | str | None, field: str, *, allow_zero: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(PENNY)
    except ArithmeticError:  # decimal.InvalidOperation
        raise ValidationError({field: _("Enter an amount in pounds, such as 450 or 450.00.")}) from None
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError({field: _("Enter an amount more than £0.")})
    if amount >= Decimal("1000000"):
        raise ValidationError({field: _("Enter an amount less than £1,000,000.")})
    return amount


def _notes(value: str, field: str = "notes") -> str:
    value = (value or "").strip()
    if len(value) > NOTES_MAX:
        raise ValidationError({field: _("Notes must be %(n)s characters or fewer.") % {"n": NOTES_MAX}})
    return value


# The fund and its landlords --------------------------------------------------------------------


def fund_create(
    *, name: str, starting_amount: Decimal, starts_on: date, by: Staff, notes: str = ""
) -> DepositFund:
    if not (name or "").strip():
        raise ValidationError({"name": _("Enter the fund's name.")})
    amount = _money(starting_amount, "starting_amount", allow_zero=True)
    with integrity_errors_as({"name": _("A fund with this name already exists.")}), transaction.atomic():
        return DepositFund.objects.create(
            name=name.strip(), starting_amount=amount, starts_on=starts_on, notes=notes.strip()
        )


def fund_top_up(
    *, fund_id: int, amount: Decimal, received_on: date, by: Staff, source: str = ""
) -> FundTopUp:
    """Add money to the fund on a day (not before the fund started, not in the future)."""
    amount = _money(amount, "amount")
    with transaction.atomic():
        fund = locked(DepositFund.objects, fund_id, _("fund"))
        if received_on < fund.starts_on:
            raise ValidationError(
                {"received_on": _("The fund started on %(day)s.") % {"day": day(fund.starts_on)}}
            )
        if received_on > timezone.localdate():
            raise ValidationError({"received_on": _("The date must be today or in the past.")})
        return FundTopUp.objects.create(
            fund=fund, amount=amount, received_on=received_on, source=source.strip()
        )


def landlord_add(
    *,
    name: str,
    by: Staff,
    contact_name: str = "",
    phone: str = "",
    email: str = "",
    address: str = "",
    properties: list[dict[str, str]] | None = None,
) -> Landlord:
    """A landlord on the register, with the properties they let to the scheme (address lines)."""
    if not (name or "").strip():
        raise ValidationError({"name": _("Enter the landlord's name.")})
    with (
        integrity_errors_as({"aftercare_landlord_name_key": _("This landlord is already on the register.")}),
        transaction.atomic(),
    ):
        landlord = Landlord.objects.create(
            name=name.strip(),
            contact_name=contact_name.strip(),
            phone=phone.strip(),
            email=email.strip(),
            address=address.strip(),
        )
        for lines in properties or []:
            landlord_property_add(landlord_id=landlord.pk, by=by, **lines)
    return landlord


def landlord_property_add(
    *, landlord_id: int, address_line_1: str, town: str, postcode: str, by: Staff, address_line_2: str = ""
) -> LandlordProperty:
    errors = {}
    if not address_line_1.strip():
        errors["address_line_1"] = _("Enter the first line of the address.")
    if not town.strip():
        errors["town"] = _("Enter the town or city.")
    if not postcode.strip():
        errors["postcode"] = _("Enter the postcode.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        landlord = locked(Landlord.objects, landlord_id, _("landlord"))
        return LandlordProperty.objects.create(
            landlord=landlord,
            address_line_1=address_line_1.strip(),
            address_line_2=address_line_2.strip(),
            town=town.strip(),
            postcode=postcode.strip().upper(),
        )


# Deposits --------------------------------------------------------------------------------------

_DEPOSIT_CONSTRAINTS = {
    "deposit_returned_within_paid": ValidationError(
        {"returned_amount": gettext_lazy("The amount returned cannot be more than was paid.")}
    ),
    "deposit_claim_within_bond": ValidationError(
        {"claimed_amount": gettext_lazy("The claim cannot be more than the bond.")}
    ),
    "deposit_dates_in_order": ValidationError(
        {"tenancy_ended_on": gettext_lazy("The tenancy cannot end before the deposit was paid.")}
    ),
}


def deposit_pay(
    *,
    fund_id: int,
    placement_id: int,
    landlord_id: int,
    kind: str,
    amount: Decimal,
    paid_on: date,
    address_line_1: str,
    town: str,
    postcode: str,
    by: Staff,
    address_line_2: str = "",
    notes: str = "",
) -> Deposit:
    """Pay a cash deposit from the fund, or give a written bond guarantee (which pays nothing but
    holds the amount until it is released or claimed), to secure a tenancy for a placed person.

    Refused when the amount is more than the fund has available: its balance less what open
    bonds hold."""
    errors: dict[str, str] = {}
    if kind not in DepositKind.values:
        errors["kind"] = _("Select a cash deposit or a written bond guarantee.")
    if paid_on > timezone.localdate():
        errors["paid_on"] = _("The date must be today or in the past.")
    for field, value, message in (
        ("address_line_1", address_line_1, _("Enter the first line of the tenancy's address.")),
        ("town", town, _("Enter the town or city.")),
        ("postcode", postcode, _("Enter the postcode.")),
    ):
        if not (value or "").strip():
            errors[field] = message
    if errors:
        raise ValidationError(errors)
    amount = _money(amount, "amount")
    notes = _notes(notes)
    with transaction.atomic():
        fund = locked(DepositFund.objects, fund_id, _("fund"))
        placement = locked(Placement.objects, placement_id, _("placement"))
        landlord = Landlord.objects.filter(pk=landlord_id, active=True).first()
        if landlord is None:
            raise ValidationError({"landlord": _("Select a landlord on the register.")})
        if placement.status not in (Placement.Status.ACTIVE, Placement.Status.ENDED):
            raise ValidationError(
                {"placement": _("A deposit secures a move-on tenancy for someone who has arrived.")}
            )
        if paid_on < fund.starts_on:
            raise ValidationError(
                {"paid_on": _("The fund started on %(day)s.") % {"day": day(fund.starts_on)}}
            )
        position = fund_position(fund.pk)
        if amount > position.available:
            raise ValidationError(
                {
                    "amount": _(
                        "The fund has £%(available)s available (a balance of £%(balance)s, less "
                        "£%(committed)s held by open bonds): the amount must be no more than that."
                    )
                    % {
                        "available": position.available,
                        "balance": position.balance,
                        "committed": position.committed,
                    }
                }
            )
        recycled = Decimal("0.00")
        if kind == DepositKind.CASH:
            # What is left of the fund's own capital pays first; the rest is returned money.
            recycled = min(amount, max(Decimal("0.00"), amount - position.unspent_capital))
        return Deposit.objects.create(
            fund=fund,
            placement=placement,
            landlord=landlord,
            kind=kind,
            amount=amount,
            paid_on=paid_on,
            recycled_amount=recycled,
            address_line_1=address_line_1.strip(),
            address_line_2=address_line_2.strip(),
            town=town.strip(),
            postcode=postcode.strip().upper(),
            notes=notes,
            paid_by=by,
        )


def deposit_return(
    *,
    deposit_id: int,
    outcome: str,
    tenancy_ended_on: date,
    by: Staff,
    returned_amount: Decimal | None = None,
    claimed_amount: Decimal | None = None,
    claim_reason: str = "",
    notes: str = "",
) -> Deposit:
    """What came back at the tenancy's end: a cash deposit returned in full, part-claimed by the
    landlord (with the amount returned), or written off; a bond released or claimed (with the
    claim the fund pays). Recorded once."""
    notes = _notes(notes, "outcome_notes")
    with integrity_errors_as(_DEPOSIT_CONSTRAINTS), transaction.atomic():
        deposit = locked(Deposit.objects, deposit_id, _("deposit"))
        # The fund's row too: a bond claim is money out, as a payment is.
        locked(DepositFund.objects, deposit.fund_id, _("fund"))
        if deposit.outcome:
            raise ValidationError(
                _("The outcome of this deposit was recorded on %(day)s.")
                % {"day": day(timezone.localdate(deposit.outcome_recorded_at))},
                code="already_recorded",
            )
        allowed = CASH_OUTCOMES if deposit.kind == DepositKind.CASH else BOND_OUTCOMES
        if outcome not in allowed:
            raise ValidationError(
                {
                    "outcome": _("Select what happened to the %(kind)s.")
                    % {"kind": deposit.get_kind_display().lower()}
                }
            )
        if tenancy_ended_on > timezone.localdate():
            raise ValidationError({"tenancy_ended_on": _("The date must be today or in the past.")})
        if tenancy_ended_on < deposit.paid_on:
            raise ValidationError(
                {
                    "tenancy_ended_on": _("The deposit was paid on %(day)s: the tenancy ended after that.")
                    % {"day": day(deposit.paid_on)}
                }
            )
        returned = claimed = Decimal("0.00")
        if outcome == DepositOutcome.RETURNED:
            returned = deposit.amount
        elif outcome == DepositOutcome.PART_CLAIMED:
            if returned_amount in (None, ""):
                raise ValidationError({"returned_amount": _("Enter the amount returned to the fund.")})
            returned = _money(returned_amount, "returned_amount", allow_zero=True)
            if returned >= deposit.amount:
                raise ValidationError(
                    {
                        "returned_amount": _(
                            "A part-claimed deposit returns less than the £%(amount)s paid (all of it is “returned in full”)."
                        )
                        % {"amount": deposit.amount}
                    }
                )
        elif outcome == DepositOutcome.BOND_CLAIMED:
            if claimed_amount in (None, ""):
                raise ValidationError({"claimed_amount": _("Enter the amount of the claim the fund paid.")})
            claimed = _money(claimed_amount, "claimed_amount")
            if claimed > deposit.amount:
                raise ValidationError(
                    {
                        "claimed_amount": _("The claim cannot be more than the bond of £%(amount)s.")
                        % {"amount": deposit.amount}
                    }
                )
        if outcome in (DepositOutcome.PART_CLAIMED, DepositOutcome.BOND_CLAIMED):
            if claim_reason not in ClaimReason.values:
                raise ValidationError({"claim_reason": _("Select what the landlord claimed for.")})
        else:
            claim_reason = ""
        deposit.outcome = outcome
        deposit.tenancy_ended_on = tenancy_ended_on
        deposit.returned_amount = returned
        deposit.claimed_amount = claimed
        deposit.claim_reason = claim_reason
        deposit.outcome_notes = notes
        deposit.outcome_recorded_by = by
        deposit.outcome_recorded_at = timezone.now()
        deposit.save()
    return deposit


# Follow-up checks ------------------------------------------------------------------------------

FOLLOWUP = FollowUpCheck._meta.db_table
PLACEMENT = Placement._meta.db_table

# One statement for any number of placements: PostgreSQL's month arithmetic clamps a month end
# (31 August + interval '6 months' is 28 February, or 29 in a leap year), as the trigger that
# guards `due_on` does (migration 0002), so the two never disagree.
_SCHEDULE_SQL = f"""
INSERT INTO {FOLLOWUP} (public_id, placement_id, months, due_on, accommodation, moved_to, engaging,
                        notes, created_at, updated_at)
SELECT gen_random_uuid(), p.id, m.months, (p.departed_on + make_interval(months => m.months))::date,
       '', '', '', '', now(), now()
FROM {PLACEMENT} p CROSS JOIN unnest(%(months)s::int[]) AS m(months)
WHERE p.status = %(ended)s AND p.departed_on IS NOT NULL
  AND p.departure_reason <> %(transferred)s
  AND (%(ids)s::bigint[] IS NULL OR p.id = ANY(%(ids)s::bigint[]))
  AND (%(since)s::date IS NULL OR p.departed_on >= %(since)s::date)
  -- Those already scheduled are passed over here, by the unique index, rather than by the
  -- conflict: a row that reaches the insert fires the due-date trigger first (the nightly sweep
  -- looks at a year's departures, nearly all scheduled). ON CONFLICT still settles a race.
  AND NOT EXISTS (SELECT 1 FROM {FOLLOWUP} f WHERE f.placement_id = p.id AND f.months = m.months)
ON CONFLICT (placement_id, months) DO NOTHING
"""  # noqa: S608 (the table names are the models' own; every value is a parameter)


def follow_ups_schedule(*, placement_ids: list[int] | None = None, departed_since: date | None = None) -> int:
    """Schedule the follow-up checks (FOLLOW_UP_MONTHS) of ended placements that do not have
    them yet: the placements `placement_ids`, or every one that left on or after
    `departed_since`. Idempotent (ON CONFLICT DO NOTHING): run twice, or by two workers, it
    schedules each check once. Returns how many it scheduled."""
    with connection.cursor() as cursor:
        cursor.execute(
            _SCHEDULE_SQL,
            {
                "months": list(settings.FOLLOW_UP_MONTHS),
                "ended": Placement.Status.ENDED,
                # A move to another bedspace is not a leaving: the follow-ups come after the last.
                "transferred": DepartureReason.TRANSFERRED,
                "ids": placement_ids,
                "since": departed_since,
            },
        )
        return int(cursor.rowcount)


def follow_ups_reschedule(*, placement_id: int) -> int:
    """The departure date of an ended placement was corrected: its checks not yet recorded are
    due again from the new date (those recorded stay as they were). Returns how many it scheduled."""
    FollowUpCheck.objects.filter(placement_id=placement_id, recorded_at__isnull=True).delete()
    return follow_ups_schedule(placement_ids=[placement_id])


def follow_up_record(
    *,
    check_id: int,
    accommodation: str,
    engaging: str,
    by: Staff | None = None,
    api_client: ApiClient | None = None,
    moved_to: str = "",
    notes: str = "",
) -> FollowUpCheck:
    """Record a follow-up check (once), by an officer or agency worker (`by`) or an agency's case
    system (`api_client`); its alert clears in the same transaction. Who may record which check
    is the caller's to ask (`iom_housing.access.follow_up_scope`)."""
    from alerts.services import Change, alerts_recheck

    errors = {}
    if accommodation not in Accommodation.values:
        errors["accommodation"] = _("Select where they are living now.")
    elif accommodation == Accommodation.MOVED and moved_to not in Destination.values:
        errors["moved_to"] = _("Select where they moved to.")
    if engaging not in Engaging.values:
        errors["engaging"] = _("Select whether they are still engaging with services.")
    if errors:
        raise ValidationError(errors)
    notes = _notes(notes)
    with transaction.atomic():
        check = locked(FollowUpCheck.objects, check_id, _("follow-up check"))
        if check.is_recorded:
            raise ValidationError(
                _("This follow-up check was recorded on %(day)s.")
                % {"day": day(timezone.localdate(check.recorded_at))},
                code="already_recorded",
            )
        today = timezone.localdate()
        placement = Placement.objects.only("departed_on").get(pk=check.placement_id)
        if placement.departed_on is not None and today <= placement.departed_on:
            raise ValidationError(_("A follow-up is recorded after the person has left."))
        membership = getattr(by, "membership", None) if by is not None else None
        check.accommodation = accommodation
        check.moved_to = moved_to if accommodation == Accommodation.MOVED else ""
        check.engaging = engaging
        check.notes = notes
        check.recorded_at = timezone.now()
        check.recorded_by = by
        check.recorded_by_api_client = api_client
        check.recorded_by_agency_id = (
            api_client.agency_id if api_client is not None else getattr(membership, "agency_id", None)
        )
        check.save()
        alerts_recheck(change=Change.FOLLOW_UP_RECORDED, placement_id=check.placement_id, today=today)
    return check
