"""Properties, bedspaces and void periods; placements on licence terms; support plans; alerts.

Date ranges are half-open, [start, end): a placement ending on a day and the next starting that
day do not overlap, and a licence term's end is the day the next term starts.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from iom_housing.dates import day_short
from iom_housing.db import ERASED, DateRange, Erasure, IdRange, PublicId, TimeStamped, Versioned

LICENCE_TERM_MAX_DAYS = 28


class Property(TimeStamped):
    """A self-contained unit of emergency accommodation."""

    class Restriction(models.TextChoices):
        NONE = "none", _("None")
        WOMEN_ONLY = "women_only", _("Women only")
        MEN_ONLY = "men_only", _("Men only")

    name = models.CharField(_("name"), max_length=120, unique=True)
    address_line_1 = models.CharField(_("address line 1"), max_length=200)
    address_line_2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    town = models.CharField(_("town or city"), max_length=100)
    postcode = models.CharField(_("postcode"), max_length=10)
    local_authority = models.CharField(_("local authority area"), max_length=100, db_index=True)
    provider = models.CharField(_("provider or landlord"), max_length=200)
    weekly_cost = models.DecimalField(_("weekly cost (£)"), max_digits=8, decimal_places=2)
    restriction = models.CharField(
        _("restriction"), max_length=12, choices=Restriction.choices, default=Restriction.NONE
    )
    accessible = models.BooleanField(_("accessible (step-free)"), default=False)
    turnaround_days = models.PositiveSmallIntegerField(
        _("turnaround (working days)"),
        default=2,
        help_text=_("Working days between a departure and the next arrival."),
    )
    notes = models.TextField(_("notes"), blank=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("property")
        verbose_name_plural = _("properties")
        constraints = [
            models.CheckConstraint(condition=Q(weekly_cost__gte=0), name="property_weekly_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(turnaround_days__lte=20), name="property_turnaround_at_most_20"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("placements:property-detail", args=[self.pk])


class Bedspace(TimeStamped):
    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="bedspaces")
    label = models.CharField(_("label"), max_length=60, help_text=_("For example: Flat 1."))
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["property__name", "label"]
        verbose_name = _("bedspace")
        constraints = [
            models.UniqueConstraint(fields=["property", "label"], name="bedspace_label_unique_per_property"),
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
            models.UniqueConstraint(fields=["property", "offender"], name="exclusion_unique_per_person"),
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
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=F("starts_on")), name="void_dates_in_order"
            ),
            ExclusionConstraint(
                name="void_no_overlap_on_bedspace",
                expressions=[
                    (IdRange("bedspace_id"), RangeOperators.EQUAL),
                    (DateRange("starts_on", "ends_on"), RangeOperators.OVERLAPS),
                ],
            ),
        ]

    def __str__(self) -> str:
        return f"Void on {self.bedspace} from {day_short(self.starts_on)}"


class DepartureReason(models.TextChoices):
    PLANNED_MOVE_ON = "planned_move_on", _("Planned move-on")
    LICENCE_ENDED = "licence_ended", _("Licence to occupy ended")
    EVICTION = "eviction", _("Evicted for breach of licence")
    ABANDONED = "abandoned", _("Abandoned the property")
    RECALLED = "recalled", _("Recalled to custody")
    ARRESTED = "arrested", _("Arrested and remanded")


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


class DestinationGroup(models.TextChoices):
    SETTLED = "settled", _("Settled")
    TEMPORARY = "temporary", _("Temporary")
    NO_FIXED_ABODE = "no_fixed_abode", _("No fixed abode")
    CUSTODY = "custody", _("Custody")
    OTHER = "other", _("Other or unknown")


DESTINATION_GROUPS: dict[str, DestinationGroup] = {
    Destination.SOCIAL_RENT: DestinationGroup.SETTLED,
    Destination.PRIVATE_RENT: DestinationGroup.SETTLED,
    Destination.SUPPORTED_LONG_TERM: DestinationGroup.SETTLED,
    Destination.FAMILY: DestinationGroup.SETTLED,
    Destination.TEMPORARY: DestinationGroup.TEMPORARY,
    Destination.NO_FIXED_ABODE: DestinationGroup.NO_FIXED_ABODE,
    Destination.CUSTODY: DestinationGroup.CUSTODY,
    Destination.HOSPITAL: DestinationGroup.OTHER,
    Destination.OTHER: DestinationGroup.OTHER,
    Destination.UNKNOWN: DestinationGroup.OTHER,
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
    cancellation_reason = models.TextField(_("reason for cancelling"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    ERASURE = Erasure(person="offender_id", fields={"notes": "", "cancellation_reason": ""})

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
            ),
            models.UniqueConstraint(
                fields=["referral"],
                condition=~Q(status__in=list(RELEASED_PLACEMENT_STATUSES)),
                name="placement_one_live_per_referral",
            ),
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="placement_dates_in_order"),
            models.CheckConstraint(condition=Q(free_from__gte=F("ends_on")), name="placement_free_after_end"),
            models.CheckConstraint(
                condition=~Q(status__in=[PlacementStatus.ACTIVE, PlacementStatus.ENDED])
                | Q(arrived_on__isnull=False),
                name="placement_arrived_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=PlacementStatus.ENDED)
                | (Q(departed_on__isnull=False) & ~Q(departure_reason="") & ~Q(destination="")),
                name="placement_ended_has_departure",
            ),
            models.CheckConstraint(
                condition=Q(departed_on__isnull=True)
                | (Q(arrived_on__isnull=False) & Q(departed_on__gt=F("arrived_on"))),
                name="placement_departed_after_arrival",
            ),
            models.CheckConstraint(
                condition=Q(arrived_on__isnull=True)
                | (Q(arrived_on__gte=F("starts_on")) & Q(arrived_on__lt=F("ends_on"))),
                name="placement_arrived_within_booking",
            ),
            # Once ended, the stay the overlap rules protect is exactly the stay that happened.
            models.CheckConstraint(
                condition=~Q(status=PlacementStatus.ENDED) | Q(ends_on=F("departed_on")),
                name="placement_ended_on_departure",
            ),
            models.CheckConstraint(
                condition=~Q(status=PlacementStatus.CANCELLED) | ~Q(cancellation_reason=""),
                name="placement_cancelled_has_reason",
            ),
            ExclusionConstraint(
                name="placement_no_overlap_on_bedspace",
                expressions=[
                    (IdRange("bedspace_id"), RangeOperators.EQUAL),
                    (DateRange("starts_on", "free_from"), RangeOperators.OVERLAPS),
                ],
                condition=~Q(status__in=list(RELEASED_PLACEMENT_STATUSES)),
            ),
            ExclusionConstraint(
                name="placement_no_overlap_per_offender",
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
            models.UniqueConstraint(fields=["placement", "number"], name="licenceterm_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="licenceterm_number_from_1"),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on"))
                & Q(ends_on__lte=F("starts_on") + timedelta(days=LICENCE_TERM_MAX_DAYS)),
                name="licenceterm_1_to_28_days",
            ),
            ExclusionConstraint(
                name="licenceterm_no_overlap",
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
            models.UniqueConstraint(fields=["support_plan", "agency"], name="supportagency_unique_per_plan"),
            models.CheckConstraint(
                condition=Q(visit_every_days__gte=1) & Q(visit_every_days__lte=28),
                name="supportagency_frequency_1_to_28",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} on {self.support_plan}"


class AlertStatus(models.TextChoices):
    """An alert's status (`Alert.Status`); defined here so its constraints can name it."""

    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


class Alert(models.Model):
    """Something needing action, raised by a sweep or a visit concern; one unresolved alert per key.

    The key names the condition and its subject (and, where the condition is about a date, that
    date): `licence_overrun:placement:42:2026-03-01`. A partial unique index allows one unresolved
    alert per key, so a sweep run twice, or by two workers at once, raises it once; once resolved,
    the same key may be raised again if the condition comes back.
    """

    class Kind(models.TextChoices):
        LICENCE_ENDING = "licence_ending", _("Licence term ending")
        LICENCE_OVERRUN = "licence_overrun", _("Licence term overrun")
        SUPERVISION_ENDING = "supervision_ending", _("Supervision licence ending")
        VISIT_MISSED = "visit_missed", _("No visit in 7 days")
        REFERRAL_UNDECIDED = "referral_undecided", _("Referral waiting for a decision")
        BOOKING_UNCONFIRMED = "booking_unconfirmed", _("Provisional booking not confirmed")
        ARRIVAL_MISSING = "arrival_missing", _("Arrival not recorded")
        VISIT_CONCERN = "visit_concern", _("Concern raised on a visit")

    Status = AlertStatus

    UNRESOLVED_STATUSES = (Status.OPEN, Status.ACKNOWLEDGED)

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=200, help_text=_("The condition and its subject."))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    message = models.CharField(_("message"), max_length=300)
    due_on = models.DateField(_("due"), null=True, blank=True)
    offender = models.ForeignKey(
        "referrals.Offender", on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    visit = models.ForeignKey(
        "agencies.HomeVisit", on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    raised_at = models.DateTimeField(_("raised"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledgement_note = models.TextField(_("note"), blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    # The message names the person: it becomes the kind's label.
    ERASURE = Erasure(
        person="offender_id",
        fields={"message": lambda alert: alert.get_kind_display(), "acknowledgement_note": ""},
    )

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = _("alert")
        indexes = [
            models.Index(fields=["status", "kind"], name="alert_status_kind_idx"),
            # The alerts page's order (`selectors.alert_list`), so a page is read off the index.
            models.Index(fields=["status", "due_on", "-raised_at", "id"], name="alert_status_due_idx"),
            # The header count and the alerts page read the few unresolved alerts among many resolved.
            models.Index(
                fields=["kind", "offender"],
                condition=~Q(status=AlertStatus.RESOLVED),
                name="alert_unresolved_idx",
            ),
        ]
        constraints = [
            # Two sweeps (or two workers) raising the same condition make one alert, not two.
            models.UniqueConstraint(
                fields=["key"], condition=~Q(status=AlertStatus.RESOLVED), name="alert_one_unresolved_per_key"
            ),
            models.CheckConstraint(condition=Q(status__in=list(AlertStatus)), name="alert_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=AlertStatus.RESOLVED) | Q(resolved_at__isnull=False),
                name="alert_resolved_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=AlertStatus.ACKNOWLEDGED) | Q(acknowledged_at__isnull=False),
                name="alert_acknowledged_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.message

    # What to do about each kind of alert, and where to do it (see `action_url`).
    ACTIONS = {
        Kind.LICENCE_ENDING: _("Renew the licence, or plan the move-on"),
        Kind.LICENCE_OVERRUN: _("Renew the licence, or record the departure"),
        Kind.SUPERVISION_ENDING: _("Plan the move-on before statutory support stops"),
        Kind.VISIT_MISSED: _("Record the visit, or arrange one"),
        Kind.REFERRAL_UNDECIDED: _("Accept or decline the referral"),
        Kind.BOOKING_UNCONFIRMED: _("Confirm the booking, or cancel it"),
        Kind.ARRIVAL_MISSING: _("Record the arrival, or that they did not arrive"),
        Kind.VISIT_CONCERN: _("Read the visit and act on the concern"),
    }

    @property
    def action(self) -> str:
        return str(self.ACTIONS[Alert.Kind(self.kind)])

    @property
    def action_url(self) -> str:
        """The page where the action is taken (the subject's page when the alert has no placement)."""
        if self.kind == self.Kind.VISIT_CONCERN and self.visit_id:
            return reverse("agencies:visit-detail", args=[self.visit_id])
        if self.kind == self.Kind.REFERRAL_UNDECIDED and self.referral_id:
            return self.referral.get_absolute_url()
        if self.kind == self.Kind.SUPERVISION_ENDING and self.offender_id:
            return self.offender.get_absolute_url()
        if self.placement_id:
            return self.placement.get_absolute_url()
        if self.offender_id:
            return self.offender.get_absolute_url()
        return reverse("placements:alert-list")


class AlertNotice(models.Model):
    """An email that told someone about an alert: the unique key makes it once per person, alert
    and kind of email, even when a task is retried or run by two workers."""

    class Channel(models.TextChoices):
        DIGEST = "digest", _("Daily digest")
        CONCERN = "concern", _("Concern email")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notices")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("email"), max_length=10, choices=Channel.choices)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("alert email")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "alert", "channel"], name="alertnotice_once_per_recipient"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.recipient} about alert {self.alert_id}"


class JobRun(models.Model):
    """When a scheduled job last ran, so that a scheme manager can see that beat and the workers
    are alive (the canary runs every few minutes) and when each sweep last finished."""

    name = models.CharField(_("job"), max_length=60, unique=True)
    last_run_at = models.DateTimeField(_("last run"))
    summary = models.CharField(_("result"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("scheduled job run")

    def __str__(self) -> str:
        return self.name
