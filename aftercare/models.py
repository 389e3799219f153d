"""After a stay: the rent deposit (bond) scheme that secures move-on tenancies, and the follow-up
checks 3, 6 and 12 months after a person left (FOLLOW_UP_MONTHS).

Money rules the database can hold are check constraints on the deposit row itself (its return is
columns of the same row, so "one outcome per deposit" and "returned ≤ paid" are single-row
checks). That a follow-up check belongs to an ended placement and falls due the right number of
months after the departure is a trigger (migration 0002), since it reads the placement.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from iom_housing.dates import day_short
from iom_housing.db import ERASED, Erasure, PublicId, TimeStamped, Versioned
from placements.models import Destination

NOTES_MAX = 500


class DepositFund(TimeStamped):
    """A scheme's rent deposit fund: its starting amount, topped up by dated lines (`FundTopUp`)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    starting_amount = models.DecimalField(_("starting amount (£)"), max_digits=10, decimal_places=2)
    starts_on = models.DateField(_("start date"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("rent deposit fund")
        constraints = [
            models.CheckConstraint(
                condition=Q(starting_amount__gte=0),
                name="fund_starting_not_negative",
                violation_error_message=_("The starting amount must be £0 or more."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("aftercare:deposits")


class FundTopUp(TimeStamped):
    """Money added to a fund on a day (a grant, a donation)."""

    fund = models.ForeignKey(DepositFund, on_delete=models.PROTECT, related_name="top_ups")
    amount = models.DecimalField(_("amount (£)"), max_digits=10, decimal_places=2)
    received_on = models.DateField(_("received on"))
    source = models.CharField(_("from"), max_length=200, blank=True)

    class Meta:
        ordering = ["received_on", "pk"]
        verbose_name = _("fund top-up")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="topup_amount_positive",
                violation_error_message=_("A top-up must be more than £0."),
            )
        ]

    def __str__(self) -> str:
        return f"£{self.amount} on {day_short(self.received_on)}"


class Landlord(TimeStamped):
    """A landlord (or letting agent) who lets to people moving on from the scheme."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    contact_name = models.CharField(_("contact name"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.TextField(_("correspondence address"), blank=True)
    active = models.BooleanField(_("letting to the scheme"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("landlord")

    def __str__(self) -> str:
        return self.name


class LandlordProperty(TimeStamped):
    """A property a landlord lets to the scheme's people."""

    landlord = models.ForeignKey(Landlord, on_delete=models.CASCADE, related_name="properties")
    address_line_1 = models.CharField(_("address line 1"), max_length=200)
    address_line_2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    town = models.CharField(_("town or city"), max_length=100)
    postcode = models.CharField(_("postcode"), max_length=10)

    class Meta:
        ordering = ["landlord__name", "address_line_1"]
        verbose_name = _("landlord's property")
        verbose_name_plural = _("landlords' properties")

    def __str__(self) -> str:
        return ", ".join(
            part for part in (self.address_line_1, self.address_line_2, self.town, self.postcode) if part
        )


class DepositKind(models.TextChoices):
    CASH = "cash", _("Cash deposit")
    BOND = "bond", _("Written bond guarantee")


class DepositOutcome(models.TextChoices):
    """What came back when the tenancy ended. Cash: returned in full, part-claimed, written off.
    A bond: released (nothing paid) or claimed (the fund pays the landlord's claim)."""

    RETURNED = "returned", _("Returned in full")
    PART_CLAIMED = "part_claimed", _("Part-claimed by the landlord")
    WRITTEN_OFF = "written_off", _("Written off")
    BOND_RELEASED = "bond_released", _("Bond released (nothing claimed)")
    BOND_CLAIMED = "bond_claimed", _("Bond claimed")


class ClaimReason(models.TextChoices):
    DAMAGE = "damage", _("Damage")
    ARREARS = "arrears", _("Rent arrears")
    BOTH = "both", _("Damage and rent arrears")


CASH_OUTCOMES = (DepositOutcome.RETURNED, DepositOutcome.PART_CLAIMED, DepositOutcome.WRITTEN_OFF)
BOND_OUTCOMES = (DepositOutcome.BOND_RELEASED, DepositOutcome.BOND_CLAIMED)


class Deposit(PublicId, Versioned, TimeStamped):
    """A deposit or bond the fund gave a landlord to secure a move-on tenancy for a placed person,
    and (once the tenancy ends) its outcome.

    Money in and out of the fund: a cash deposit pays `amount` on `paid_on`; a bond pays nothing
    but commits `amount` until it is released or claimed, when the fund pays `claimed_amount`.
    At the end a cash deposit brings back `returned_amount`. `recycled_amount` is the part of a
    cash payment that the fund's own capital (start plus top-ups) did not cover when it was
    paid: money that earlier deposits had returned, paid out again.
    """

    Kind = DepositKind
    Outcome = DepositOutcome

    fund = models.ForeignKey(DepositFund, on_delete=models.PROTECT, related_name="deposits")
    placement = models.ForeignKey("placements.Placement", on_delete=models.PROTECT, related_name="deposits")
    landlord = models.ForeignKey(Landlord, on_delete=models.PROTECT, related_name="deposits")
    address_line_1 = models.CharField(_("tenancy address line 1"), max_length=200)
    address_line_2 = models.CharField(_("tenancy address line 2"), max_length=200, blank=True)
    town = models.CharField(_("town or city"), max_length=100)
    postcode = models.CharField(_("postcode"), max_length=10)
    kind = models.CharField(_("kind"), max_length=4, choices=DepositKind.choices)
    amount = models.DecimalField(_("amount (£)"), max_digits=8, decimal_places=2)
    paid_on = models.DateField(_("date paid or given"))
    recycled_amount = models.DecimalField(
        _("paid from returned money (£)"), max_digits=8, decimal_places=2, default=0
    )
    notes = models.CharField(_("notes"), max_length=NOTES_MAX, blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The outcome, once the tenancy has ended.
    outcome = models.CharField(_("outcome"), max_length=14, choices=DepositOutcome.choices, blank=True)
    tenancy_ended_on = models.DateField(_("tenancy ended on"), null=True, blank=True)
    returned_amount = models.DecimalField(
        _("returned to the fund (£)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    claimed_amount = models.DecimalField(
        _("bond claim paid (£)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    claim_reason = models.CharField(_("claimed for"), max_length=8, choices=ClaimReason.choices, blank=True)
    outcome_notes = models.CharField(_("notes on the outcome"), max_length=NOTES_MAX, blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome_recorded_at = models.DateTimeField(_("outcome recorded"), null=True, blank=True)

    # Where they live is theirs: the tenancy's address goes with the notes; the money stays.
    ERASURE = Erasure(
        person="placement__offender_id",
        fields={
            "notes": "",
            "outcome_notes": "",
            "address_line_1": ERASED,
            "address_line_2": "",
            "town": "",
            "postcode": "",
        },
    )

    class Meta:
        ordering = ["-paid_on", "-pk"]
        verbose_name = _("rent deposit")
        indexes = [
            models.Index(fields=["fund", "paid_on"], name="deposit_fund_paid_idx"),
            # The deposits page lists them newest first: its first page is the first rows of this.
            models.Index(fields=["-paid_on", "-id"], name="deposit_newest_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="deposit_amount_positive",
                violation_error_message=_("A deposit must be more than £0."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=list(DepositKind)),
                name="deposit_kind_valid",
                violation_error_message=_("Choose cash or bond."),
            ),
            models.CheckConstraint(
                condition=Q(recycled_amount__gte=0) & Q(recycled_amount__lte=F("amount")),
                name="deposit_recycled_within_amount",
                violation_error_message=_("The amount recycled must be from £0 to the deposit's amount."),
            ),
            models.CheckConstraint(
                condition=Q(kind=DepositKind.CASH) | Q(recycled_amount=0),
                name="deposit_bond_pays_nothing",
                violation_error_message=_("A bond pays out no money, so nothing can be recycled into it."),
            ),
            # One outcome per deposit: none yet (every outcome column empty), or one, complete.
            models.CheckConstraint(
                condition=(
                    Q(outcome="")
                    & Q(tenancy_ended_on__isnull=True)
                    & Q(returned_amount__isnull=True)
                    & Q(claimed_amount__isnull=True)
                    & Q(outcome_recorded_at__isnull=True)
                )
                | (
                    Q(outcome__in=list(DepositOutcome))
                    & Q(tenancy_ended_on__isnull=False)
                    & Q(returned_amount__isnull=False)
                    & Q(claimed_amount__isnull=False)
                    & Q(outcome_recorded_at__isnull=False)
                ),
                name="deposit_one_complete_outcome",
                violation_error_message=_(
                    "Record the deposit's outcome in full (the tenancy's end, the amounts and who recorded it), or none of it."
                ),
            ),
            models.CheckConstraint(
                condition=Q(tenancy_ended_on__isnull=True) | Q(tenancy_ended_on__gte=F("paid_on")),
                name="deposit_dates_in_order",
                violation_error_message=_("The tenancy cannot end before the deposit was paid."),
            ),
            models.CheckConstraint(
                condition=Q(returned_amount__isnull=True)
                | (Q(returned_amount__gte=0) & Q(returned_amount__lte=F("amount"))),
                name="deposit_returned_within_paid",
                violation_error_message=_("The amount returned must be from £0 to the amount paid."),
            ),
            models.CheckConstraint(
                condition=Q(claimed_amount__isnull=True)
                | (Q(claimed_amount__gte=0) & Q(claimed_amount__lte=F("amount"))),
                name="deposit_claim_within_bond",
                violation_error_message=_("The amount claimed must be from £0 to the bond's amount."),
            ),
            # Each outcome's amounts: a cash deposit brings money back and is never claimed as a
            # bond; a bond brings nothing back and is claimed only when its outcome says so.
            models.CheckConstraint(
                condition=~Q(outcome=DepositOutcome.RETURNED)
                | (Q(kind=DepositKind.CASH) & Q(returned_amount=F("amount")) & Q(claimed_amount=0)),
                name="deposit_returned_in_full",
                violation_error_message=_(
                    "“Returned in full” is for a cash deposit returned whole, with nothing claimed."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(outcome=DepositOutcome.PART_CLAIMED)
                | (
                    Q(kind=DepositKind.CASH)
                    & Q(returned_amount__lt=F("amount"))
                    & Q(claimed_amount=0)
                    & ~Q(claim_reason="")
                ),
                name="deposit_part_claimed",
                violation_error_message=_("“Part claimed” is for a cash deposit returned in part."),
            ),
            models.CheckConstraint(
                condition=~Q(outcome=DepositOutcome.WRITTEN_OFF)
                | (Q(kind=DepositKind.CASH) & Q(returned_amount=0) & Q(claimed_amount=0)),
                name="deposit_written_off",
                violation_error_message=_("“Written off” is for a cash deposit of which nothing came back."),
            ),
            models.CheckConstraint(
                condition=~Q(outcome=DepositOutcome.BOND_RELEASED)
                | (Q(kind=DepositKind.BOND) & Q(returned_amount=0) & Q(claimed_amount=0)),
                name="deposit_bond_released",
                violation_error_message=_("“Released” is for a bond on which nothing was claimed."),
            ),
            models.CheckConstraint(
                condition=~Q(outcome=DepositOutcome.BOND_CLAIMED)
                | (
                    Q(kind=DepositKind.BOND)
                    & Q(returned_amount=0)
                    & Q(claimed_amount__gt=0)
                    & ~Q(claim_reason="")
                ),
                name="deposit_bond_claimed",
                violation_error_message=_("“Claimed” is for a bond on which the landlord claimed an amount."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of £{self.amount} to {self.landlord} on {day_short(self.paid_on)}"

    @property
    def tenancy_address(self) -> str:
        return ", ".join(p for p in (self.address_line_1, self.address_line_2, self.town, self.postcode) if p)

    @property
    def is_open(self) -> bool:
        return not self.outcome


class Accommodation(models.TextChoices):
    SAME = "same", _("Still in the same settled accommodation")
    MOVED = "moved", _("Moved")
    CUSTODY = "custody", _("In custody")
    NOT_KNOWN = "not_known", _("Not known")


class Engaging(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Not known")


class FollowUpCheck(PublicId, TimeStamped):
    """A check on how someone is doing `months` after they left (due on their departure day plus
    that many calendar months, a month end clamped: 31 August + 6 months is 28 or 29 February).
    Scheduled when the placement ends; recorded once by an officer or a supporting agency."""

    Accommodation = Accommodation
    Engaging = Engaging

    placement = models.ForeignKey(
        "placements.Placement", on_delete=models.CASCADE, related_name="follow_up_checks"
    )
    months = models.PositiveSmallIntegerField(_("months after leaving"))
    due_on = models.DateField(_("due"))
    accommodation = models.CharField(
        _("where they are living"), max_length=10, choices=Accommodation.choices, blank=True
    )
    moved_to = models.CharField(_("moved to"), max_length=20, choices=Destination.choices, blank=True)
    engaging = models.CharField(
        _("still engaging with services"), max_length=8, choices=Engaging.choices, blank=True
    )
    notes = models.CharField(_("notes"), max_length=NOTES_MAX, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by_api_client = models.ForeignKey(
        "agencies.ApiClient", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    ERASURE = Erasure(person="placement__offender_id", fields={"notes": ""})

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("follow-up check")
        indexes = [
            # The sweep and the lists read the few unrecorded checks among the many recorded.
            models.Index(
                fields=["due_on"], condition=Q(recorded_at__isnull=True), name="followup_unrecorded_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "months"],
                name="followup_once_per_placement_months",
                violation_error_message=_(
                    "This placement already has a follow-up check at this many months."
                ),
            ),
            models.CheckConstraint(
                condition=Q(months__gte=1) & Q(months__lte=60),
                name="followup_months_1_to_60",
                violation_error_message=_("A follow-up check is from 1 to 60 months after the stay."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(recorded_at__isnull=True) & Q(accommodation="") & Q(engaging="") & Q(moved_to="")
                )
                | (Q(recorded_at__isnull=False) & ~Q(accommodation="") & ~Q(engaging="")),
                name="followup_recorded_complete",
                violation_error_message=_(
                    "Record the follow-up check in full (accommodation and engagement), or none of it."
                ),
            ),
            models.CheckConstraint(
                condition=Q(accommodation=Accommodation.MOVED, moved_to__in=list(Destination))
                | (~Q(accommodation=Accommodation.MOVED) & Q(moved_to="")),
                name="followup_moved_has_destination",
                violation_error_message=_(
                    "Say where the person moved to when they have moved (and only then)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(recorded_at__isnull=True)
                | Q(recorded_by__isnull=False)
                | Q(recorded_by_api_client__isnull=False),
                name="followup_recorded_by_someone",
                violation_error_message=_("A recorded follow-up check needs who recorded it."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.months}-month follow-up due {day_short(self.due_on)}"

    def get_absolute_url(self) -> str:
        return reverse("aftercare:follow-up-record", args=[self.public_id])

    @property
    def is_recorded(self) -> bool:
        return self.recorded_at is not None
