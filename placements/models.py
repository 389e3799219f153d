"""Properties, bedspaces and void periods; placements on licence terms; support plans.

Date ranges are half-open, [start, end): a placement ending on a day and the next starting that
day do not overlap, and a licence term's end is the day the next term starts.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from iom_housing.dates import day, day_short
from iom_housing.db import ERASED, DateRange, Erasure, IdRange, PublicId, TimeStamped, Versioned

LICENCE_TERM_MAX_DAYS = 28


# A GSS code of a local authority that runs housing services: an English unitary authority (E06),
# district (E07), metropolitan district (E08) or London borough (E09), a Welsh principal area
# (W06), a Scottish council area (S12) or a Northern Irish district (N09).
GSS_CODE_PATTERN = r"^(E0[6-9]|W06|S12|N09)[0-9]{6}$"

# A UK postcode (outward code, a space, inward code), as Royal Mail writes them.
_POSTCODE = re.compile(
    r"^(GIR0AA|[A-PR-UWYZ]([0-9][0-9A-HJKPSTUW]?|[A-HK-Y][0-9][0-9ABEHMNPRV-Y]?)[0-9][ABD-HJLNP-UW-Z]{2})$"
)


def normalised_postcode(value: str) -> str:
    """ "sy23 1ab" → "SY23 1AB": upper case, one space before the inward code (its last three)."""
    compact = "".join(value.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def validate_uk_postcode(value: str) -> None:
    if not _POSTCODE.match("".join(value.split()).upper()):
        raise ValidationError(
            _("Enter a real UK postcode, like SY23 1AB"), code="invalid_postcode", params={"value": value}
        )


class LocalAuthority(models.Model):
    """A local authority area, by its official GSS code: the areas properties are in, reports
    are split by and homelessness applications are made to. Chosen from this list, never typed,
    so that one area is never counted as two."""

    code = models.CharField(
        _("GSS code"),
        max_length=9,
        primary_key=True,
        validators=[
            RegexValidator(
                GSS_CODE_PATTERN,
                message=_(
                    "Enter the area's 9-character GSS code: E06, E07, E08, E09, W06, S12 or N09 "
                    "and 6 digits, like W06000008"
                ),
                code="invalid_gss_code",
            )
        ],
        help_text=_("The official code from the ONS, for example W06000008 for Ceredigion."),
        error_messages={"unique": _("An area with this GSS code is already on the list")},
    )
    name = models.CharField(
        _("name in English"),
        max_length=100,
        unique=True,
        error_messages={"unique": _("An area with this name is already on the list")},
    )
    name_cy = models.CharField(_("name in Welsh"), max_length=100, blank=True)
    in_use = models.BooleanField(
        _("in use"), default=True, help_text=_("Offered when a property or an application names its area.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("local authority area")
        verbose_name_plural = _("local authority areas")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=GSS_CODE_PATTERN),
                name="localauthority_code_is_gss",
                violation_error_message=_("Enter the area's GSS code, like W06000008"),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the page's language: the Welsh name on a Welsh page, where there is one."""
        if self.name_cy and (get_language() or "").startswith("cy"):
            return self.name_cy
        return self.name


class Property(TimeStamped):
    """A self-contained unit of emergency accommodation."""

    class Restriction(models.TextChoices):
        NONE = "none", _("None")
        WOMEN_ONLY = "women_only", _("Women only")
        MEN_ONLY = "men_only", _("Men only")

    name = models.CharField(
        _("name"),
        max_length=120,
        unique=True,
        error_messages={"unique": _("There is already a property with this name")},
    )
    address_line_1 = models.CharField(_("address line 1"), max_length=200)
    address_line_2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    town = models.CharField(_("town or city"), max_length=100)
    postcode = models.CharField(_("postcode"), max_length=10, validators=[validate_uk_postcode])
    local_authority = models.ForeignKey(
        LocalAuthority,
        on_delete=models.PROTECT,
        related_name="properties",
        verbose_name=_("area (local authority)"),
    )
    provider = models.CharField(_("provider or landlord"), max_length=200)
    weekly_cost = models.DecimalField(
        _("weekly cost (£)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(0, message=_("The weekly cost cannot be less than £0"))],
    )
    restriction = models.CharField(
        _("restriction"), max_length=12, choices=Restriction.choices, default=Restriction.NONE
    )
    accessible = models.BooleanField(_("accessible (step-free)"), default=False)
    # Characteristics the sharing rule (placements.sharing) weighs against a person's risks.
    unsuitable_for_sexual_risk = models.BooleanField(
        _("not suitable for a person with a sexual risk"), default=False, db_default=False
    )
    unsuitable_for_arson = models.BooleanField(
        _("not suitable for a person with an arson history"), default=False, db_default=False
    )
    near_school = models.BooleanField(
        _("near a school"),
        default=False,
        db_default=False,
        help_text=_("Not for a person with a sexual risk to children."),
    )
    turnaround_days = models.PositiveSmallIntegerField(
        _("turnaround (working days)"),
        default=2,
        help_text=_("Working days between a departure and the next arrival."),
        validators=[MaxValueValidator(20, message=_("The turnaround must be 20 working days or fewer"))],
    )
    notes = models.TextField(_("notes"), blank=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("property")
        verbose_name_plural = _("properties")
        constraints = [
            models.CheckConstraint(
                condition=Q(weekly_cost__gte=0),
                name="property_weekly_cost_not_negative",
                violation_error_message=_("The weekly cost cannot be less than £0"),
            ),
            models.CheckConstraint(
                condition=Q(turnaround_days__lte=20),
                name="property_turnaround_at_most_20",
                violation_error_message=_("The turnaround must be 20 working days or fewer"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("placements:property-detail", args=[self.pk])

    def clean(self) -> None:
        # The admin's form and the scheme manager's both store the postcode as Royal Mail writes it.
        self.postcode = normalised_postcode(self.postcode)


class Bedspace(TimeStamped):
    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="bedspaces")
    label = models.CharField(_("label"), max_length=60, help_text=_("For example: Flat 1."))
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["property__name", "label"]
        verbose_name = _("bedspace")
        constraints = [
            models.UniqueConstraint(
                fields=["property", "label"],
                name="bedspace_label_unique_per_property",
                violation_error_message=_(
                    "This property already has a bedspace with this label. Give each bedspace its own label."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.property.name}, {self.label}"


class PropertyExclusion(TimeStamped):
    """A property unsuitable for a named person (near a victim or associates, for example)."""

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="exclusions")
    offender = models.ForeignKey(
        "referrals.Offender", on_delete=models.CASCADE, related_name="property_exclusions"
    )
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    ERASURE = Erasure(person="offender_id", fields={"reason": ERASED})

    class Meta:
        verbose_name = _("property exclusion")
        constraints = [
            models.UniqueConstraint(
                fields=["property", "offender"],
                name="exclusion_unique_per_person",
                violation_error_message=_("This person is already recorded as unsuitable for this property."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offender} excluded from {self.property}"


class VoidPeriod(Versioned, TimeStamped):
    """A bedspace out of use from `starts_on` until the day before `ends_on` (open-ended if unset)."""

    class Reason(models.TextChoices):
        REPAIRS = "repairs", _("Repairs")
        DAMAGE = "damage", _("Damage")
        DEEP_CLEAN = "deep_clean", _("Deep clean")
        SAFETY = "safety", _("Safety or security")
        OTHER = "other", _("Other")

    bedspace = models.ForeignKey(Bedspace, on_delete=models.PROTECT, related_name="void_periods")
    starts_on = models.DateField(_("first day out of use"))
    ends_on = models.DateField(_("back in use on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("void period")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=F("starts_on")),
                name="void_dates_in_order",
                violation_error_message=_(
                    "A void period must end after the day it starts (or have no end date yet)."
                ),
            ),
            ExclusionConstraint(
                name="void_no_overlap_on_bedspace",
                violation_error_message=_(
                    "This bedspace already has a void period over some of these dates. Change or end that one instead."
                ),
                expressions=[
                    (IdRange("bedspace_id"), RangeOperators.EQUAL),
                    (DateRange("starts_on", "ends_on"), RangeOperators.OVERLAPS),
                ],
            ),
        ]

    def __str__(self) -> str:
        return f"Void on {self.bedspace} from {day_short(self.starts_on)}"


class SharingChange(models.TextChoices):
    """What a sharing override allowed (`SharingOverride.Change`); defined here so its constraint
    can name it."""

    BOOKING = "booking", _("Booking")
    RENEWAL = "renewal", _("Renewal")
    TRANSFER = "transfer", _("Move to another bedspace")


class SharingOverride(models.Model):
    """An IOM officer's decision to book (or renew, or move) a stay although the sharing rule
    (placements.sharing) found conflicts: the conflicts as the officer was shown them, and why.
    Made in the same transaction as the change it allowed."""

    Change = SharingChange

    placement = models.ForeignKey("Placement", on_delete=models.CASCADE, related_name="sharing_overrides")
    change = models.CharField(_("for"), max_length=8, choices=SharingChange.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    conflicts = models.JSONField(_("conflicts"), help_text=_("Each conflict as it was shown."))
    reason = models.TextField(_("reason for the override"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided"), auto_now_add=True)

    # Which change was overridden stays; what was said about the people sharing goes.
    ERASURE = Erasure(
        person="placement__offender_id",
        fields={"reason": ERASED, "conflicts": lambda override: [ERASED for _c in override.conflicts]},
    )

    class Meta:
        ordering = ["decided_at", "pk"]
        verbose_name = _("sharing override")
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason__regex=r"^\s*$"),
                name="sharingoverride_has_reason",
                violation_error_message=_("Say why it is safe to go ahead despite the conflicts."),
            ),
            models.CheckConstraint(
                condition=~Q(conflicts=[]),
                name="sharingoverride_names_conflicts",
                violation_error_message=_("An override names the conflicts it allows."),
            ),
            models.CheckConstraint(
                condition=Q(change__in=list(SharingChange)),
                name="sharingoverride_change_valid",
                violation_error_message=_("Choose a booking, a renewal or a move."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")),
                name="sharingoverride_dates_in_order",
                violation_error_message=_("The override's last day must be after its first."),
            ),
        ]

    def __str__(self) -> str:
        return f"Sharing override for {self.placement} on {day_short(self.decided_at)}"


class DepartureReason(models.TextChoices):
    PLANNED_MOVE_ON = "planned_move_on", _("Planned move-on")
    LICENCE_ENDED = "licence_ended", _("Licence to occupy ended")
    EVICTION = "eviction", _("Evicted for breach of licence")
    ABANDONED = "abandoned", _("Abandoned the property")
    RECALLED = "recalled", _("Recalled to custody")
    ARRESTED = "arrested", _("Arrested and remanded")
    # Not a leaving: the person moved to another bedspace of the scheme the same day
    # (`services.placement_transfer`); reports count the stay on, not a move-on.
    TRANSFERRED = "transferred", _("Moved to another bedspace")


# What an officer chooses from when ending a placement: a transfer is made by moving the person.
LEAVING_REASONS = [(value, label) for value, label in DepartureReason.choices if value != "transferred"]


class Destination(models.TextChoices):
    SOCIAL_RENT = "social_rent", _("Settled: social rent")
    PRIVATE_RENT = "private_rent", _("Settled: private rent")
    SUPPORTED_LONG_TERM = "supported_long_term", _("Settled: long-term supported housing")
    FAMILY = "family", _("Settled: living with family")
    TEMPORARY = "temporary", _("Temporary accommodation")
    NO_FIXED_ABODE = "no_fixed_abode", _("No fixed abode or rough sleeping")
    CUSTODY = "custody", _("Custody")
    HOSPITAL = "hospital", _("Hospital or treatment")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


DESTINATION_DETAILS_MAX = 200

_TENANCIES = (Destination.SOCIAL_RENT, Destination.PRIVATE_RENT, Destination.SUPPORTED_LONG_TERM)
_NOT_CUSTODY = tuple(d for d in Destination if d != Destination.CUSTODY)

# Reasons for leaving and destinations that contradict each other, with why; an ending (or its
# correction) that pairs them is refused (`ending_contradiction`), so the move-on figures the
# evaluation reports never rest on an impossible pair.
CONTRADICTORY_ENDINGS: tuple[tuple[DepartureReason, tuple[Destination, ...], Any], ...] = (
    (
        DepartureReason.RECALLED,
        _NOT_CUSTODY,
        _("someone recalled to custody moved on to custody"),
    ),
    (
        DepartureReason.ARRESTED,
        _NOT_CUSTODY,
        _("someone arrested and remanded moved on to custody"),
    ),
    (
        DepartureReason.EVICTION,
        _TENANCIES,
        _("an eviction does not move someone into a new tenancy"),
    ),
    (
        DepartureReason.PLANNED_MOVE_ON,
        (Destination.CUSTODY, Destination.NO_FIXED_ABODE, Destination.UNKNOWN),
        _(
            "a planned move-on is to a known home, hospital or treatment, not to custody, the street "
            "or somewhere unknown"
        ),
    ),
)


def ending_contradiction(reason: str, destination: str) -> str | None:
    """Why a reason for leaving and a destination cannot go together, or None when they can."""
    for pair_reason, destinations, why in CONTRADICTORY_ENDINGS:
        if reason == pair_reason and destination in destinations:
            return str(
                _("“%(reason)s” cannot go with “%(destination)s”: %(why)s.")
                % {
                    "reason": DepartureReason(reason).label,
                    "destination": Destination(destination).label,
                    "why": why,
                }
            )
    return None


class DestinationGroup(models.TextChoices):
    """Where people went, grouped as the homelessness statistics group accommodation outcomes
    (England's H-CLIC, Wales's homelessness returns), so move-on compares across schemes:
    settled (a home expected to last), temporary, an institution, homeless, and other or not known."""

    SETTLED = "settled", _("Settled or permanent")
    TEMPORARY = "temporary", _("Temporary")
    INSTITUTIONAL = "institutional", _("Institutional (custody, hospital, treatment)")
    HOMELESS = "homeless", _("Homeless (no fixed abode, rough sleeping)")
    UNKNOWN = "unknown", _("Other or not known")


DESTINATION_GROUPS: dict[str, DestinationGroup] = {
    Destination.SOCIAL_RENT: DestinationGroup.SETTLED,
    Destination.PRIVATE_RENT: DestinationGroup.SETTLED,
    Destination.SUPPORTED_LONG_TERM: DestinationGroup.SETTLED,
    Destination.FAMILY: DestinationGroup.SETTLED,
    Destination.TEMPORARY: DestinationGroup.TEMPORARY,
    Destination.CUSTODY: DestinationGroup.INSTITUTIONAL,
    Destination.HOSPITAL: DestinationGroup.INSTITUTIONAL,
    Destination.NO_FIXED_ABODE: DestinationGroup.HOMELESS,
    Destination.OTHER: DestinationGroup.UNKNOWN,
    Destination.UNKNOWN: DestinationGroup.UNKNOWN,
}


class PlacementStatus(models.TextChoices):
    """A placement's status (`Placement.Status`); defined here so its constraints can name it."""

    PROVISIONAL = "provisional", _("Provisional")
    CONFIRMED = "confirmed", _("Confirmed")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")
    NOT_ARRIVED = "not_arrived", _("Did not arrive")


# Cancelled and not-arrived bookings hold no bedspace; every other status does, past or present.
RELEASED_PLACEMENT_STATUSES = (PlacementStatus.CANCELLED, PlacementStatus.NOT_ARRIVED)


class Placement(PublicId, Versioned, TimeStamped):
    """One person in one bedspace, on consecutive licence terms of at most 28 days each.

    `ends_on` is the end of the last licence term (or the departure date once ended);
    `free_from` adds the property's turnaround, and is when the bedspace can take the next arrival.
    """

    Status = PlacementStatus

    RELEASED_STATUSES = RELEASED_PLACEMENT_STATUSES
    BOOKED_STATUSES = (Status.PROVISIONAL, Status.CONFIRMED)

    offender = models.ForeignKey("referrals.Offender", on_delete=models.PROTECT, related_name="placements")
    bedspace = models.ForeignKey(Bedspace, on_delete=models.PROTECT, related_name="placements")
    # A referral may be booked again after a cancelled booking, so this is not one-to-one; a
    # constraint allows one placement per referral that still holds a bedspace.
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, null=True, blank=True, related_name="placements"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PROVISIONAL)
    starts_on = models.DateField(_("arrival date"))
    ends_on = models.DateField(_("licence ends"))
    free_from = models.DateField(_("bedspace free from"))
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    arrived_on = models.DateField(_("arrived"), null=True, blank=True)
    departed_on = models.DateField(_("departed"), null=True, blank=True)
    departure_reason = models.CharField(
        _("reason for leaving"), max_length=20, choices=DepartureReason.choices, blank=True
    )
    destination = models.CharField(
        _("move-on destination"), max_length=20, choices=Destination.choices, blank=True
    )
    # Where "Other" is: required with it, and only with it (placement_other_destination_details).
    destination_details = models.CharField(
        _("where they moved on to"), max_length=DESTINATION_DETAILS_MAX, blank=True, default="", db_default=""
    )
    cancellation_reason = models.TextField(_("reason for cancelling"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    ERASURE = Erasure(
        person="offender_id", fields={"notes": "", "cancellation_reason": "", "destination_details": ""}
    )

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("placement")
        indexes = [
            models.Index(fields=["status", "ends_on"], name="placement_status_ends_idx"),
            models.Index(fields=["offender", "starts_on"], name="placement_offender_idx"),
            # Who is in each bedspace now: the few active stays among years of ended ones.
            models.Index(
                fields=["bedspace", "starts_on"],
                condition=Q(status=PlacementStatus.ACTIVE),
                name="placement_active_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=list(PlacementStatus)),
                name="placement_status_valid",
                violation_error_message=_("Choose a status from the list."),
            ),
            # A transfer ends one placement of the referral and starts the next, so the one that
            # was moved from is not counted.
            models.UniqueConstraint(
                fields=["referral"],
                condition=~Q(status__in=list(RELEASED_PLACEMENT_STATUSES))
                & ~Q(departure_reason=DepartureReason.TRANSFERRED),
                name="placement_one_live_per_referral",
                violation_error_message=_(
                    "This referral already has a placement. Cancel or end that one before booking another."
                ),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")),
                name="placement_dates_in_order",
                violation_error_message=_("A placement must end after the day it starts."),
            ),
            models.CheckConstraint(
                condition=Q(free_from__gte=F("ends_on")),
                name="placement_free_after_end",
                violation_error_message=_("The bedspace cannot be free again before the placement ends."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[PlacementStatus.ACTIVE, PlacementStatus.ENDED])
                | Q(arrived_on__isnull=False),
                name="placement_arrived_has_date",
                violation_error_message=_("An active or ended placement needs the date the person arrived."),
            ),
            # A move to another bedspace has no move-on destination; every other ending has one.
            models.CheckConstraint(
                condition=~Q(status=PlacementStatus.ENDED)
                | (
                    Q(departed_on__isnull=False)
                    & ~Q(departure_reason="")
                    & (~Q(destination="") | Q(departure_reason=DepartureReason.TRANSFERRED))
                ),
                name="placement_ended_has_departure",
                violation_error_message=_(
                    "An ended placement needs the departure date, the reason and where the person moved on to."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(departure_reason=DepartureReason.TRANSFERRED) | Q(destination=""),
                name="placement_transfer_has_no_destination",
                violation_error_message=_(
                    "A move to another bedspace has no move-on destination: leave it empty."
                ),
            ),
            models.CheckConstraint(
                condition=Q(departed_on__isnull=True)
                | (Q(arrived_on__isnull=False) & Q(departed_on__gt=F("arrived_on"))),
                name="placement_departed_after_arrival",
                violation_error_message=_("The departure must be after the arrival."),
            ),
            models.CheckConstraint(
                condition=Q(arrived_on__isnull=True)
                | (Q(arrived_on__gte=F("starts_on")) & Q(arrived_on__lt=F("ends_on"))),
                name="placement_arrived_within_booking",
                violation_error_message=_("The arrival must be within the booking's dates."),
            ),
            # Once ended, the stay the overlap rules protect is exactly the stay that happened.
            models.CheckConstraint(
                condition=~Q(status=PlacementStatus.ENDED) | Q(ends_on=F("departed_on")),
                name="placement_ended_on_departure",
                violation_error_message=_("An ended placement ends on the day the person departed."),
            ),
            models.CheckConstraint(
                condition=~Q(status=PlacementStatus.CANCELLED) | ~Q(cancellation_reason=""),
                name="placement_cancelled_has_reason",
                violation_error_message=_("A cancelled placement needs the reason it was cancelled."),
            ),
            # "Other" says where; no other destination carries details.
            models.CheckConstraint(
                condition=(Q(destination=Destination.OTHER) & ~Q(destination_details=""))
                | (~Q(destination=Destination.OTHER) & Q(destination_details="")),
                name="placement_other_destination_details",
                violation_error_message=_(
                    "Say where the person moved to when the destination is “Other” (and only then)."
                ),
            ),
            ExclusionConstraint(
                name="placement_no_overlap_on_bedspace",
                violation_error_message=_(
                    "This bedspace is already booked over some of these dates (turnaround days included)."
                ),
                expressions=[
                    (IdRange("bedspace_id"), RangeOperators.EQUAL),
                    (DateRange("starts_on", "free_from"), RangeOperators.OVERLAPS),
                ],
                condition=~Q(status__in=list(RELEASED_PLACEMENT_STATUSES)),
            ),
            ExclusionConstraint(
                name="placement_no_overlap_per_offender",
                violation_error_message=_("This person already has a placement over some of these dates."),
                expressions=[
                    (IdRange("offender_id"), RangeOperators.EQUAL),
                    (DateRange("starts_on", "ends_on"), RangeOperators.OVERLAPS),
                ],
                condition=~Q(status__in=list(RELEASED_PLACEMENT_STATUSES)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offender} at {self.bedspace} from {day_short(self.starts_on)}"

    def get_absolute_url(self) -> str:
        return reverse("placements:placement-detail", args=[self.public_id])

    @property
    def is_released(self) -> bool:
        return self.status in self.RELEASED_STATUSES

    def is_overrun(self, today: date) -> bool:
        """Still in the bedspace after the last licence term ended, with no renewal."""
        return self.status == self.Status.ACTIVE and today > self.ends_on


class EndingCorrection(models.Model):
    """A change to a recorded ending (its departure date, reason, destination), kept with the
    values before and after: endings feed the evaluation, so a correction never overwrites
    silently; each names who changed what, when and why (as visit corrections do)."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="ending_corrections")
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(_("corrected"), auto_now_add=True)
    reason = models.TextField(_("reason for the correction"))
    changes = models.JSONField(
        _("changes"), default=dict, help_text=_("Each changed field: [value before, value after].")
    )

    # Which fields were corrected stays; their values go.
    ERASURE = Erasure(
        person="placement__offender_id",
        fields={
            "reason": ERASED,
            "changes": lambda correction: {name: [ERASED, ERASED] for name in correction.changes},
        },
    )

    class Meta:
        ordering = ["corrected_at", "pk"]
        verbose_name = _("ending correction")
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="endingcorrection_has_reason",
                violation_error_message=_("Enter the reason for the correction."),
            ),
            models.CheckConstraint(
                condition=~Q(changes={}),
                name="endingcorrection_changes_something",
                violation_error_message=_("A correction must change at least one of the ending's answers."),
            ),
        ]

    def __str__(self) -> str:
        return f"Correction of the ending of {self.placement} on {day_short(self.corrected_at)}"

    def change_rows(self) -> list[tuple[str, str, str]]:
        """Each corrected answer as (its label, before, after), in words."""

        def written(name: str, value: Any) -> str:
            if value in (None, "") or value == ERASED:
                return value or ""
            if name == "departed_on":
                return day(date.fromisoformat(value))
            if name == "departure_reason":
                return str(DepartureReason(value).label)
            if name == "destination":
                return str(Destination(value).label)
            return str(value)

        return [
            (
                str(Placement._meta.get_field(name).verbose_name).capitalize(),
                written(name, before),
                written(name, after),
            )
            for name, (before, after) in self.changes.items()
        ]


class TransferReason(models.TextChoices):
    """Why a person is moved (`Transfer.Reason`); defined here so its constraint can name it."""

    REPAIR = "repair", _("Repairs to the bedspace")
    INCIDENT = "incident", _("An incident at the property")
    RISK = "risk", _("Risk to or from others")
    OTHER = "other", _("Another reason")


class Transfer(TimeStamped):
    """A person moved from one bedspace to another on one day: `from_placement` ended that day
    (reason "transferred") and `to_placement` started and was arrived at that day."""

    Reason = TransferReason

    from_placement = models.OneToOneField(Placement, on_delete=models.PROTECT, related_name="transfer_out")
    to_placement = models.OneToOneField(Placement, on_delete=models.PROTECT, related_name="transfer_in")
    moved_on = models.DateField(_("moved on"))
    reason = models.CharField(_("reason for the move"), max_length=12, choices=Reason.choices)
    details = models.TextField(_("details"), max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    ERASURE = Erasure(person="from_placement__offender_id", fields={"details": ""})

    class Meta:
        verbose_name = _("move to another bedspace")
        verbose_name_plural = _("moves to another bedspace")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_placement=F("to_placement")),
                name="transfer_between_two_placements",
                violation_error_message=_(
                    "A move goes from one placement to another: choose two different placements."
                ),
            ),
            models.CheckConstraint(
                condition=Q(reason__in=list(TransferReason)),
                name="transfer_reason_valid",
                violation_error_message=_("Choose a reason for the move from the list."),
            ),
        ]

    def __str__(self) -> str:
        return f"Moved on {day_short(self.moved_on)}"


class LicenceTerm(models.Model):
    """A licence to occupy, [starts_on, ends_on): 1 to 28 days; the next term starts on `ends_on`."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="licence_terms")
    number = models.PositiveSmallIntegerField(_("term"))
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    reason = models.TextField(_("reason for renewal"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    ERASURE = Erasure(person="placement__offender_id", fields={"reason": ""})

    class Meta:
        ordering = ["placement", "number"]
        verbose_name = _("licence term")
        indexes = [models.Index(fields=["ends_on"], name="licenceterm_ends_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "number"],
                name="licenceterm_number_unique",
                violation_error_message=_("This placement already has a licence term with this number."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="licenceterm_number_from_1",
                violation_error_message=_("Licence terms are numbered from 1."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on"))
                & Q(ends_on__lte=F("starts_on") + timedelta(days=LICENCE_TERM_MAX_DAYS)),
                name="licenceterm_1_to_28_days",
                violation_error_message=_("A licence term lasts from 1 to 28 days."),
            ),
            ExclusionConstraint(
                name="licenceterm_no_overlap",
                violation_error_message=_(
                    "This placement already has a licence term over some of these dates."
                ),
                expressions=[
                    (IdRange("placement_id"), RangeOperators.EQUAL),
                    (DateRange("starts_on", "ends_on"), RangeOperators.OVERLAPS),
                ],
            ),
        ]

    def __str__(self) -> str:
        return f"Term {self.number}: {day_short(self.starts_on)} to {day_short(self.ends_on)}"

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days

    @property
    def last_night(self) -> date:
        """The last night of the term: the day before it ends (the next term's first)."""
        return self.ends_on - timedelta(days=1)


class SupportTier(models.TextChoices):
    T1 = "t1", _("T1: 2.5 hours a week")
    T2 = "t2", _("T2: 5 hours a week")
    T3 = "t3", _("T3: 10 hours a week")


TIER_WEEKLY_HOURS = {
    SupportTier.T1: Decimal("2.5"),
    SupportTier.T2: Decimal("5"),
    SupportTier.T3: Decimal("10"),
}


class SupportPlan(Versioned, TimeStamped):
    """Which agencies support a placement, how often they visit, and the hours of support a week."""

    placement = models.OneToOneField(Placement, on_delete=models.CASCADE, related_name="support_plan")
    tier = models.CharField(
        _("support tier"), max_length=2, choices=SupportTier.choices, default=SupportTier.T1
    )
    agencies = models.ManyToManyField(
        "agencies.Agency", through="SupportAgency", related_name="support_plans"
    )
    notes = models.TextField(_("notes"), blank=True)

    ERASURE = Erasure(person="placement__offender_id", fields={"notes": ""})

    class Meta:
        verbose_name = _("support plan")

    def __str__(self) -> str:
        return f"Support plan for {self.placement}"

    @property
    def weekly_hours(self) -> Decimal:
        return TIER_WEEKLY_HOURS[SupportTier(self.tier)]


class SupportAgency(TimeStamped):
    """An agency on a support plan. Removing one sets `ended_on`, so it keeps sight of its past work."""

    support_plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="support_agencies")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="support_agencies")
    visit_every_days = models.PositiveSmallIntegerField(_("visit every (days)"), default=7)
    ended_on = models.DateField(_("stopped supporting on"), null=True, blank=True)

    class Meta:
        verbose_name = _("supporting agency")
        verbose_name_plural = _("supporting agencies")
        constraints = [
            models.UniqueConstraint(
                fields=["support_plan", "agency"],
                name="supportagency_unique_per_plan",
                violation_error_message=_("This agency is already on the support plan."),
            ),
            models.CheckConstraint(
                condition=Q(visit_every_days__gte=1) & Q(visit_every_days__lte=28),
                name="supportagency_frequency_1_to_28",
                violation_error_message=_("Visits must be planned every 1 to 28 days."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} on {self.support_plan}"


# The licence to occupy: its wording, each term's agreement, a person's own conditions, warnings
# under it and an ending for a breach. ------------------------------------------------------------

WARNING_TEXT_MAX = 1000
CONDITION_TEXT_MAX = 300
NOTICE_DAYS_MAX = 28


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class LicenceWording(models.Model):
    """One version of the licence agreement's wording, which a scheme manager maintains (one scheme
    per installation). A version is never changed (a trigger refuses it): an edit is a new version,
    so an agreement always reads as it did when it was issued."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    conditions = models.TextField(
        _("standard conditions"), help_text=_("One condition a line, in the order they are numbered.")
    )
    house_rules = models.TextField(_("house rules"), blank=True, help_text=_("One rule a line."))
    breach = models.TextField(_("what happens on a breach"))
    contacts = models.TextField(_("who to contact"))
    weekly_charge = models.DecimalField(
        _("weekly charge (£)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    charge_text = models.TextField(_("about the charge"), blank=True)
    notice_days = models.PositiveSmallIntegerField(
        _("notice period (days)"),
        default=7,
        help_text=_("Days from a notice to leave for a breach to the day the licence ends."),
    )
    # The same wording in Welsh, for the bilingual agreement Welsh schemes give residents
    # (SCHEME_RESIDENT_DOCUMENTS): written by the scheme manager, as a legal text is not machine-
    # made. A part left blank is printed in English in the Welsh half.
    title_cy = models.CharField(_("title in Welsh"), max_length=200, blank=True)
    conditions_cy = models.TextField(_("standard conditions in Welsh"), blank=True)
    house_rules_cy = models.TextField(_("house rules in Welsh"), blank=True)
    breach_cy = models.TextField(_("what happens on a breach, in Welsh"), blank=True)
    contacts_cy = models.TextField(_("who to contact, in Welsh"), blank=True)
    charge_text_cy = models.TextField(_("about the charge, in Welsh"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = _("licence agreement wording")
        constraints = [
            models.CheckConstraint(
                condition=Q(version__gte=1),
                name="licencewording_version_from_1",
                violation_error_message=_("Versions of the licence wording are numbered from 1."),
            ),
            models.CheckConstraint(
                condition=~Q(title="") & ~Q(conditions="") & ~Q(breach="") & ~Q(contacts=""),
                name="licencewording_has_text",
                violation_error_message=_(
                    "The licence wording needs a title, its conditions, what happens on a breach and its contacts."
                ),
            ),
            models.CheckConstraint(
                condition=Q(weekly_charge__isnull=True) | Q(weekly_charge__gte=0),
                name="licencewording_charge_not_negative",
                violation_error_message=_("The weekly charge must be £0 or more."),
            ),
            models.CheckConstraint(
                condition=Q(notice_days__gte=1) & Q(notice_days__lte=NOTICE_DAYS_MAX),
                name="licencewording_notice_1_to_28",
                violation_error_message=_("The notice period must be from 1 to 28 days."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    @property
    def condition_list(self) -> list[str]:
        return _lines(self.conditions)

    @property
    def house_rule_list(self) -> list[str]:
        return _lines(self.house_rules)

    def in_language(self, language: str) -> "WordingText":
        """The wording's texts in `language` ("cy" or English), each Welsh part blank falling back
        to the English one."""
        welsh = language.startswith("cy")

        def text(name: str) -> str:
            return (welsh and getattr(self, f"{name}_cy")) or getattr(self, name)

        return WordingText(
            version=self.version,
            title=text("title"),
            condition_list=_lines(text("conditions")),
            house_rule_list=_lines(text("house_rules")),
            breach=text("breach"),
            contacts=text("contacts"),
            weekly_charge=self.weekly_charge,
            charge_text=text("charge_text"),
            notice_days=self.notice_days,
        )


@dataclass(frozen=True)
class WordingText:
    """What an agreement prints of its wording, in one language."""

    version: int
    title: str
    condition_list: list[str]
    house_rule_list: list[str]
    breach: str
    contacts: str
    weekly_charge: Decimal | None
    charge_text: str
    notice_days: int


class AgreementStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    SIGNED = "signed", _("Signed")
    REFUSED = "refused", _("Refused")


class LicenceAgreement(models.Model):
    """The agreement for one licence term, in the wording in force when the term was granted."""

    Status = AgreementStatus

    term = models.OneToOneField(LicenceTerm, on_delete=models.CASCADE, related_name="agreement")
    wording = models.ForeignKey(LicenceWording, on_delete=models.PROTECT, related_name="agreements")
    status = models.CharField(
        _("status"), max_length=8, choices=AgreementStatus.choices, default=AgreementStatus.ISSUED
    )
    issued_at = models.DateTimeField(_("issued"))
    issued_on = models.DateField(_("issued on"))
    responded_on = models.DateField(_("signed or refused on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("licence agreement")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=list(AgreementStatus)),
                name="licenceagreement_status_valid",
                violation_error_message=_("Choose a status from the list."),
            ),
            models.CheckConstraint(
                condition=(Q(status=AgreementStatus.ISSUED) & Q(responded_on__isnull=True))
                | (~Q(status=AgreementStatus.ISSUED) & Q(responded_on__isnull=False)),
                name="licenceagreement_response_has_date",
                violation_error_message=_(
                    "A signed or refused agreement needs the date of the answer; an issued one has none yet."
                ),
            ),
            models.CheckConstraint(
                condition=Q(responded_on__isnull=True) | Q(responded_on__gte=F("issued_on")),
                name="licenceagreement_response_after_issue",
                violation_error_message=_("The agreement cannot be answered before it was issued."),
            ),
        ]

    def __str__(self) -> str:
        return f"Agreement for {self.term}"


class PersonCondition(models.Model):
    """A condition of the licence for this person alone (no visitors after 22:00, an exclusion
    zone), printed after the standard ones. Removing one keeps it, with when and by whom."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="conditions")
    text = models.CharField(_("condition"), max_length=CONDITION_TEXT_MAX)
    added_at = models.DateTimeField(_("added"), default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    ERASURE = Erasure(person="placement__offender_id", fields={"text": ERASED})

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name = _("person's licence condition")
        constraints = [
            models.CheckConstraint(
                condition=~Q(text=""),
                name="personcondition_has_text",
                violation_error_message=_("Enter the condition."),
            ),
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True) | Q(removed_at__gte=F("added_at")),
                name="personcondition_removed_after_added",
                violation_error_message=_("A condition cannot be removed before it was added."),
            ),
        ]

    def __str__(self) -> str:
        return self.text


class WarningLevel(models.TextChoices):
    VERBAL = "verbal", _("Verbal warning")
    WRITTEN = "written", _("Written warning")
    FINAL = "final", _("Final warning")


class LicenceWarning(TimeStamped):
    """A warning under the licence to occupy (not the probation licence's: those are offender
    events). `condition` is the condition breached as it was worded when the warning was given."""

    Level = WarningLevel

    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="licence_warnings")
    level = models.CharField(_("level"), max_length=8, choices=WarningLevel.choices)
    condition = models.CharField(_("condition breached"), max_length=CONDITION_TEXT_MAX)
    person_condition = models.ForeignKey(
        PersonCondition, on_delete=models.PROTECT, null=True, blank=True, related_name="warnings"
    )
    what_happened = models.TextField(_("what happened"))
    issued_on = models.DateField(_("date"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    ERASURE = Erasure(person="placement__offender_id", fields={"what_happened": ERASED, "condition": ERASED})

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("licence warning")
        indexes = [models.Index(fields=["issued_on"], name="licencewarning_issued_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=list(WarningLevel)),
                name="licencewarning_level_valid",
                violation_error_message=_("Choose a level of warning from the list."),
            ),
            models.CheckConstraint(
                condition=~Q(condition="") & ~Q(what_happened=""),
                name="licencewarning_has_text",
                violation_error_message=_("A warning needs the condition broken and what happened."),
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("what_happened"), WARNING_TEXT_MAX),
                name="licencewarning_text_length",
                violation_error_message=_("Describe what happened in 1,000 characters or fewer."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} on {day_short(self.issued_on)}"


class BreachEndingKind(models.TextChoices):
    NOTICE = "notice", _("Notice given")
    IMMEDIATE = "immediate", _("Immediate (serious breach)")


class LicenceBreachEnding(TimeStamped):
    """The licence ended early for a breach: with notice (the person stays until `leave_by`, the
    notice date plus the notice period) or at once for a serious breach (`leave_by` is the notice
    date, the day they left). The departure itself is the placement's ordinary ending."""

    Kind = BreachEndingKind

    placement = models.OneToOneField(Placement, on_delete=models.PROTECT, related_name="breach_ending")
    kind = models.CharField(_("how"), max_length=10, choices=BreachEndingKind.choices)
    reason = models.TextField(_("reason"))
    notice_on = models.DateField(_("notice date"))
    leave_by = models.DateField(_("licence ends"))
    warnings = models.ManyToManyField(
        LicenceWarning, blank=True, related_name="+", verbose_name=_("warnings")
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    ERASURE = Erasure(person="placement__offender_id", fields={"reason": ERASED})

    class Meta:
        verbose_name = _("ending for a breach")
        indexes = [models.Index(fields=["notice_on"], name="breachending_notice_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=list(BreachEndingKind)),
                name="breachending_kind_valid",
                violation_error_message=_("Choose how the licence ends from the list."),
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="breachending_has_reason",
                violation_error_message=_("Enter the reason the licence is ended."),
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("reason"), WARNING_TEXT_MAX),
                name="breachending_reason_length",
                violation_error_message=_("Give the reason in 1,000 characters or fewer."),
            ),
            models.CheckConstraint(
                condition=(Q(kind=BreachEndingKind.IMMEDIATE) & Q(leave_by=F("notice_on")))
                | (Q(kind=BreachEndingKind.NOTICE) & Q(leave_by__gt=F("notice_on"))),
                name="breachending_leave_by_follows_kind",
                violation_error_message=_(
                    "With notice, the leaving date is after the day notice is given; ended at once, it is that day."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {day_short(self.notice_on)}"
