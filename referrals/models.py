"""Offenders (nominals), their offending and compliance events, and referrals for a place."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iom_housing.dates import day_short
from iom_housing.db import Erasure, PublicId, TimeStamped, Versioned


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    NON_BINARY = "non_binary", _("Non-binary")
    OTHER = "other", _("Other")
    NOT_KNOWN = "not_known", _("Not known")


class Ethnicity(models.TextChoices):
    """ONS 2021 census ethnic groups (England and Wales); the prefix before `_` names the broad group."""

    ASIAN_BANGLADESHI = "asian_bangladeshi", _("Asian: Bangladeshi")
    ASIAN_CHINESE = "asian_chinese", _("Asian: Chinese")
    ASIAN_INDIAN = "asian_indian", _("Asian: Indian")
    ASIAN_PAKISTANI = "asian_pakistani", _("Asian: Pakistani")
    ASIAN_OTHER = "asian_other", _("Asian: any other Asian background")
    BLACK_AFRICAN = "black_african", _("Black: African")
    BLACK_CARIBBEAN = "black_caribbean", _("Black: Caribbean")
    BLACK_OTHER = "black_other", _("Black: any other Black, Black British or Caribbean background")
    MIXED_WHITE_ASIAN = "mixed_white_asian", _("Mixed: White and Asian")
    MIXED_WHITE_BLACK_AFRICAN = "mixed_white_black_african", _("Mixed: White and Black African")
    MIXED_WHITE_BLACK_CARIBBEAN = "mixed_white_black_caribbean", _("Mixed: White and Black Caribbean")
    MIXED_OTHER = "mixed_other", _("Mixed: any other Mixed or multiple ethnic background")
    WHITE_BRITISH = "white_british", _("White: English, Welsh, Scottish, Northern Irish or British")
    WHITE_IRISH = "white_irish", _("White: Irish")
    WHITE_GYPSY_TRAVELLER = "white_gypsy_traveller", _("White: Gypsy or Irish Traveller")
    WHITE_ROMA = "white_roma", _("White: Roma")
    WHITE_OTHER = "white_other", _("White: any other White background")
    OTHER_ARAB = "other_arab", _("Other ethnic group: Arab")
    OTHER_ANY = "other_any", _("Other ethnic group: any other ethnic group")
    NOT_STATED = "not_stated", _("Not stated")


class EthnicityGroup(models.TextChoices):
    ASIAN = "asian", _("Asian, Asian British or Asian Welsh")
    BLACK = "black", _("Black, Black British, Black Welsh, Caribbean or African")
    MIXED = "mixed", _("Mixed or multiple ethnic groups")
    WHITE = "white", _("White")
    OTHER = "other", _("Other ethnic group")
    NOT_STATED = "not_stated", _("Not stated")


def ethnicity_group(ethnicity: str) -> EthnicityGroup:
    if ethnicity == Ethnicity.NOT_STATED:
        return EthnicityGroup.NOT_STATED
    return EthnicityGroup(ethnicity.split("_", 1)[0])


class Need(models.TextChoices):
    """The offender needs pathways (OASys)."""

    ACCOMMODATION = "accommodation", _("Accommodation")
    ETE = "ete", _("Education, training and employment")
    FINANCE = "finance", _("Finance, benefits and debt")
    RELATIONSHIPS = "relationships", _("Relationships")
    LIFESTYLE = "lifestyle", _("Lifestyle and associates")
    DRUGS = "drugs", _("Drugs")
    ALCOHOL = "alcohol", _("Alcohol")
    EMOTIONAL_WELLBEING = "emotional_wellbeing", _("Emotional wellbeing")
    THINKING_BEHAVIOUR = "thinking_behaviour", _("Thinking and behaviour")
    ATTITUDES = "attitudes", _("Attitudes to offending")


class SexualRiskToAdults(models.TextChoices):
    """Whom a person is a sexual risk to among adults (`Offender.sexual_risk_to_adults`): what a
    shared property needs to know, no more (placements.sharing)."""

    NONE = "", _("No known risk")
    WOMEN = "women", _("To women")
    MEN = "men", _("To men")
    ANY = "any", _("To any adult")


# The person's fields that say the risks that matter when they share a property.
SHARING_RISK_FIELDS = (
    "sexual_risk_to_adults",
    "sexual_risk_to_children",
    "arson_history",
    "violence_to_residents",
)


class Offender(PublicId, TimeStamped):
    """A person in the IOM cohort (a "nominal")."""

    class IomCategory(models.TextChoices):
        FIXED = "fixed", _("Fixed")
        FLEX = "flex", _("Flex")
        FREE = "free", _("Free")

    class RiskOfSeriousHarm(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        VERY_HIGH = "very_high", _("Very high")

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    aliases = ArrayField(
        models.CharField(max_length=200), blank=True, default=list, verbose_name=_("aliases")
    )
    # NULL only once the record is erased (see audit.services.offender_erase); forms require it.
    date_of_birth = models.DateField(_("date of birth"), null=True)
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=30, choices=Ethnicity.choices)
    pnc_id = models.CharField(
        _("PNC ID"),
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^\d{2,4}/\d{1,7}[A-Z]$", _("Enter a PNC ID like 2004/0123456X."))],
    )
    crn = models.CharField(
        _("probation CRN"),
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]\d{6}$", _("Enter a CRN like X123456."))],
    )
    prison_number = models.CharField(
        _("prison number"),
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]\d{4}[A-Z]{2}$", _("Enter a prison number like A1234BC."))],
    )
    iom_category = models.CharField(_("IOM cohort category"), max_length=10, choices=IomCategory.choices)
    risk_of_serious_harm = models.CharField(
        _("risk of serious harm"), max_length=10, choices=RiskOfSeriousHarm.choices
    )
    licence_starts_on = models.DateField(_("supervision licence start"), null=True, blank=True)
    licence_ends_on = models.DateField(_("supervision licence end"), null=True, blank=True)
    licence_conditions = models.TextField(_("licence conditions"), blank=True)
    needs = ArrayField(
        models.CharField(max_length=30, choices=Need.choices),
        blank=True,
        default=list,
        verbose_name=_("needs"),
    )
    safety_warnings = models.TextField(
        _("safety warnings for visiting staff"), blank=True, help_text=_("For example: do not visit alone.")
    )
    # Risks to the people a person shares a property with, and to the property (placements.sharing).
    sexual_risk_to_adults = models.CharField(
        _("sexual risk to adults"),
        max_length=5,
        choices=SexualRiskToAdults.choices,
        blank=True,
        default="",
        db_default="",
    )
    sexual_risk_to_children = models.BooleanField(
        _("sexual risk to children"), default=False, db_default=False
    )
    arson_history = models.BooleanField(_("arson history"), default=False, db_default=False)
    violence_to_residents = models.BooleanField(
        _("violence to other residents"), default=False, db_default=False
    )
    responsible_officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="offenders", verbose_name=_("responsible officers")
    )
    # Retention. `last_activity_on` is kept by a database trigger (see the migration): the latest
    # referral, placement date or event of the person, whatever code wrote it.
    last_activity_on = models.DateField(_("last activity"), null=True, blank=True, editable=False)
    retain_until = models.DateField(
        _("retain until"), null=True, blank=True, help_text=_("Set by a retention review: review again then.")
    )
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True, editable=False)

    # Kept: gender, ethnicity, needs, risk level, IOM category and licence dates, the anonymous
    # facts the evaluation counts.
    ERASURE = Erasure(
        person="pk",
        fields={
            "first_name": "",
            "last_name": "",
            "aliases": [],
            "date_of_birth": None,
            "pnc_id": "",
            "crn": "",
            "prison_number": "",
            "licence_conditions": "",
            "safety_warnings": "",
            # Risk information about a named person, which the evaluation does not count: it goes
            # with the name (an erased record is never booked again).
            "sexual_risk_to_adults": "",
            "sexual_risk_to_children": False,
            "arson_history": False,
            "violence_to_residents": False,
        },
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("offender")
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="offender_name_idx"),
            models.Index(fields=["date_of_birth"], name="offender_dob_idx"),
            # "Due for review" (audit.selectors.retention_due) reads these, never erased records.
            models.Index(
                fields=["last_activity_on"],
                condition=Q(erased_at__isnull=True, retain_until__isnull=True),
                name="offender_review_activity_idx",
            ),
            models.Index(
                fields=["retain_until"],
                condition=Q(erased_at__isnull=True, retain_until__isnull=False),
                name="offender_review_until_idx",
            ),
        ]
        constraints = [
            # Identifiers are compared without case: 2004/0123456x is 2004/0123456X.
            models.UniqueConstraint(
                Upper("pnc_id"),
                condition=~Q(pnc_id=""),
                name="offender_pnc_id_unique",
                violation_error_message=_(
                    "Another person already has this PNC ID. Search for them instead of recording them twice."
                ),
            ),
            models.UniqueConstraint(
                Upper("crn"),
                condition=~Q(crn=""),
                name="offender_crn_unique",
                violation_error_message=_(
                    "Another person already has this probation CRN. Search for them instead of recording them twice."
                ),
            ),
            models.CheckConstraint(
                condition=Q(ethnicity__in=list(Ethnicity)),
                name="offender_ethnicity_valid",
                violation_error_message=_("Choose an ethnic group from the list (the ONS 2021 groups)."),
            ),
            models.CheckConstraint(
                condition=Q(sexual_risk_to_adults__in=list(SexualRiskToAdults)),
                name="offender_sexual_risk_to_adults_valid",
                violation_error_message=_("Select whom the person is a sexual risk to, from the list."),
            ),
            models.CheckConstraint(
                condition=Q(licence_ends_on__isnull=True)
                | Q(licence_starts_on__isnull=True)
                | Q(licence_ends_on__gte=F("licence_starts_on")),
                name="offender_licence_dates_in_order",
                violation_error_message=_("The supervision licence must end on or after the day it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        if self.erased_at is not None:
            return _("Erased record %(ref)s") % {"ref": str(self.public_id)[:8]}
        return f"{self.first_name} {self.last_name}"

    def get_absolute_url(self) -> str:
        return reverse("referrals:offender-detail", args=[self.public_id])

    @property
    def sharing_risks(self) -> list[str]:
        """The person's risks to others sharing a property, in words ("sexual risk to women")."""
        risks = []
        if self.sexual_risk_to_adults == SexualRiskToAdults.WOMEN:
            risks.append(str(_("sexual risk to women")))
        elif self.sexual_risk_to_adults == SexualRiskToAdults.MEN:
            risks.append(str(_("sexual risk to men")))
        elif self.sexual_risk_to_adults == SexualRiskToAdults.ANY:
            risks.append(str(_("sexual risk to adults")))
        if self.sexual_risk_to_children:
            risks.append(str(_("sexual risk to children")))
        if self.arson_history:
            risks.append(str(_("arson history")))
        if self.violence_to_residents:
            risks.append(str(_("violence to other residents")))
        return risks

    @property
    def need_labels(self) -> list[str]:
        return [Need(need).label for need in self.needs]


class OffenceCategory(models.TextChoices):
    VIOLENCE = "violence", _("Violence against the person")
    SEXUAL = "sexual", _("Sexual offence")
    ROBBERY = "robbery", _("Robbery")
    BURGLARY = "burglary", _("Burglary")
    THEFT = "theft", _("Theft and handling")
    VEHICLE = "vehicle", _("Vehicle offence")
    CRIMINAL_DAMAGE = "criminal_damage", _("Criminal damage and arson")
    DRUGS = "drugs", _("Drug offence")
    WEAPONS = "weapons", _("Possession of weapons")
    PUBLIC_ORDER = "public_order", _("Public order")
    FRAUD = "fraud", _("Fraud")
    OTHER = "other", _("Other offence")


class OffenderEventKind(models.TextChoices):
    """What an event is (`OffenderEvent.Kind`); defined here so its constraints can name it."""

    ARREST = "arrest", _("Arrest")
    CHARGE = "charge", _("Charge")
    CONVICTION = "conviction", _("Conviction")
    CAUTION = "caution", _("Caution")
    LICENCE_WARNING = "licence_warning", _("Licence warning")
    LICENCE_BREACH = "licence_breach", _("Licence breach")
    RECALL = "recall", _("Recall to custody")
    # The end of a spell in custody (a recall, or a stay ended by recall or remand, starts one):
    # the reports count time in custody out of the time at risk of reoffending.
    RELEASE = "release", _("Released from custody")


# Offending, as against licence compliance: an offending event names its offence category.
OFFENDING_EVENT_KINDS = (
    OffenderEventKind.ARREST,
    OffenderEventKind.CHARGE,
    OffenderEventKind.CONVICTION,
    OffenderEventKind.CAUTION,
)


class OffenderEvent(TimeStamped):
    """Offending (arrest, charge, conviction, caution) and licence compliance (warning, breach, recall)."""

    Kind = OffenderEventKind

    OFFENDING_KINDS = OFFENDING_EVENT_KINDS
    COMPLIANCE_KINDS = (Kind.LICENCE_WARNING, Kind.LICENCE_BREACH, Kind.RECALL)
    CUSTODY_KINDS = (Kind.RECALL, Kind.RELEASE)

    offender = models.ForeignKey(Offender, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    occurred_on = models.DateField(_("date"))
    offence_category = models.CharField(
        _("offence category"), max_length=20, choices=OffenceCategory.choices, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    ERASURE = Erasure(person="offender_id", fields={"notes": ""})

    class Meta:
        ordering = ["-occurred_on"]
        verbose_name = _("offending or compliance event")
        indexes = [models.Index(fields=["offender", "occurred_on"], name="event_offender_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=list(OFFENDING_EVENT_KINDS)) | ~Q(offence_category=""),
                name="offenderevent_offence_has_category",
                violation_error_message=_(
                    "An arrest, charge, conviction or caution needs its offence category; warnings, breaches and recalls have none."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {day_short(self.occurred_on)}"


# The referral queue's order: emergencies first, then urgent, then routine (Referral.Urgency).
URGENCY_RANK = Case(
    When(urgency="emergency", then=Value(0)),
    When(urgency="urgent", then=Value(1)),
    default=Value(2),
    output_field=models.IntegerField(),
)


class PersonMatch(models.TextChoices):
    """How a referral found its person (blank for referrals made before this was kept, or not
    through `referral_submit`)."""

    NEW = "new", _("Recorded from this referral")
    CONFIRMED = "confirmed", _("The referrer confirmed the person recorded with this name and date of birth")
    IDENTIFIER = "identifier", _("Found by the PNC ID or CRN given")


@dataclass(frozen=True)
class ReferredPerson:
    """A person as their referrer described them: the name, date of birth and identifiers it sent."""

    full_name: str
    date_of_birth: date | None
    pnc_id: str = ""
    crn: str = ""
    prison_number: str = ""
    first_name: str = ""
    last_name: str = ""


def as_referred(details: dict | None, *, erased: bool) -> ReferredPerson | None:
    """The person as their referrer sent them, from a referral's `person_details`; None when the
    record's own details stand in (none were kept, or the person's data was erased). The rule of
    `Referral.referred_person`, usable on a row of values as well (the API's lists)."""
    if not details or erased:
        return None
    born = details.get("date_of_birth")
    return ReferredPerson(
        full_name=f"{details.get('first_name', '')} {details.get('last_name', '')}".strip(),
        date_of_birth=date.fromisoformat(born) if born else None,
        pnc_id=details.get("pnc_id", ""),
        crn=details.get("crn", ""),
        prison_number=details.get("prison_number", ""),
        first_name=details.get("first_name", ""),
        last_name=details.get("last_name", ""),
    )


class ReferralStatus(models.TextChoices):
    """A referral's status (`Referral.Status`); defined here so its constraints can name it."""

    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Waiting for a decision: in the officers' queue.
OPEN_REFERRAL_STATUSES = (ReferralStatus.SUBMITTED, ReferralStatus.IN_REVIEW)


class Referral(PublicId, Versioned, TimeStamped):
    """An agency asks for a place for an offender."""

    Status = ReferralStatus

    OPEN_STATUSES = OPEN_REFERRAL_STATUSES
    DECIDED_STATUSES = (Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN)

    class Urgency(models.TextChoices):
        ROUTINE = "routine", _("Routine")
        URGENT = "urgent", _("Urgent")
        EMERGENCY = "emergency", _("Emergency (release within 48 hours)")

    class DeclineReason(models.TextChoices):
        RISK_TOO_HIGH = "risk_too_high", _("Risk cannot be managed in the scheme")
        NO_SUITABLE_PROPERTY = "no_suitable_property", _("No suitable property available")
        NOT_ELIGIBLE = "not_eligible", _("Not eligible (not on licence or not in the IOM cohort)")
        NEEDS_MET_ELSEWHERE = "needs_met_elsewhere", _("Needs better met by another service")
        PERSON_DECLINED = "person_declined", _("The person declined the offer")
        DUPLICATE = "duplicate", _("Duplicate referral")
        OTHER = "other", _("Other")

    offender = models.ForeignKey(Offender, on_delete=models.PROTECT, related_name="referrals")
    referring_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="referrals"
    )
    external_ref = models.CharField(
        _("agency's reference"),
        max_length=100,
        blank=True,
        help_text=_("The referring agency's own case reference."),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    urgency = models.CharField(_("urgency"), max_length=12, choices=Urgency.choices, default=Urgency.ROUTINE)
    needs = ArrayField(
        models.CharField(max_length=30, choices=Need.choices),
        blank=True,
        default=list,
        verbose_name=_("needs"),
    )
    risk_summary = models.TextField(_("risk summary"), blank=True)
    reason = models.TextField(_("reason for referral"), blank=True)
    wanted_from = models.DateField(_("wanted start date"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decline_reason = models.CharField(
        _("reason for declining"), max_length=30, choices=DeclineReason.choices, blank=True
    )
    decision_notes = models.TextField(_("decision notes"), blank=True)
    # What the referrer said about the person, as sent (services.PERSON_FIELDS, dates in ISO
    # form): all the referring agency is shown of the person until its referral is accepted, and
    # what an officer checks against the record before accepting. Emptied by erasure.
    person_details = models.JSONField(
        _("person as referred"), default=dict, blank=True, encoder=DjangoJSONEncoder
    )
    person_match = models.CharField(
        _("how the person was found"), max_length=12, choices=PersonMatch.choices, blank=True
    )

    ERASURE = Erasure(
        person="offender_id",
        fields={
            "external_ref": "",
            "risk_summary": "",
            "reason": "",
            "decision_notes": "",
            "person_details": {},
        },
    )

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("referral")
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="referral_status_idx"),
            # The evaluation report's referrals received in a period, read from the index alone.
            models.Index(
                fields=["submitted_at"],
                include=["status", "decline_reason", "decided_at"],
                name="referral_submitted_idx",
            ),
            models.Index(fields=["referring_agency", "updated_at", "id"], name="referral_agency_updated_idx"),
            # The queue (referral_list) in its order: the open referrals, and every referral for
            # the other statuses; the open ones are the newest, so the second alone would walk
            # nearly all of them to find a page.
            models.Index(
                URGENCY_RANK,
                "submitted_at",
                "id",
                condition=Q(status__in=list(OPEN_REFERRAL_STATUSES)),
                name="referral_queue_idx",
            ),
            models.Index(URGENCY_RANK, "submitted_at", "id", name="referral_queue_all_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["referring_agency", "external_ref"],
                condition=~Q(external_ref=""),
                name="referral_external_ref_unique_per_agency",
                violation_error_message=_(
                    "This agency already has a referral with this reference. Each of an agency's referrals needs its own reference."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status__in=list(ReferralStatus)),
                name="referral_status_valid",
                violation_error_message=_("Choose a status from the list."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.DECLINED) | ~Q(decline_reason=""),
                name="referral_declined_has_reason",
                violation_error_message=_("A declined referral needs the reason it was declined."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=list(OPEN_REFERRAL_STATUSES)) | Q(decided_at__isnull=False),
                name="referral_decided_has_date",
                violation_error_message=_(
                    "An accepted, declined or withdrawn referral needs the date it was decided."
                ),
            ),
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True) | Q(decided_at__gte=F("submitted_at")),
                name="referral_decided_after_submitted",
                violation_error_message=_("A referral cannot be decided before it was submitted."),
            ),
        ]

    def __str__(self) -> str:
        return f"Referral of {self.offender} by {self.referring_agency}"

    def get_absolute_url(self) -> str:
        return reverse("referrals:referral-detail", args=[self.public_id])

    @property
    def sharing_risks(self) -> list[str]:
        """The person's risks to others sharing a property, in words ("sexual risk to women")."""
        risks = []
        if self.sexual_risk_to_adults == SexualRiskToAdults.WOMEN:
            risks.append(str(_("sexual risk to women")))
        elif self.sexual_risk_to_adults == SexualRiskToAdults.MEN:
            risks.append(str(_("sexual risk to men")))
        elif self.sexual_risk_to_adults == SexualRiskToAdults.ANY:
            risks.append(str(_("sexual risk to adults")))
        if self.sexual_risk_to_children:
            risks.append(str(_("sexual risk to children")))
        if self.arson_history:
            risks.append(str(_("arson history")))
        if self.violence_to_residents:
            risks.append(str(_("violence to other residents")))
        return risks

    @property
    def need_labels(self) -> list[str]:
        return [Need(need).label for need in self.needs]

    @property
    def referred_person(self) -> ReferredPerson:
        """The person as the referrer sent them (`person_details`). A referral without them (made
        before they were kept, or by the demo) matched its person on name and date of birth, so
        those stand in; an erased person's are gone and their record's placeholder name shows."""
        sent = as_referred(self.person_details, erased=self.offender.erased_at is not None)
        if sent is None:
            return ReferredPerson(
                full_name=self.offender.full_name,
                date_of_birth=self.offender.date_of_birth,
                first_name=self.offender.first_name,
                last_name=self.offender.last_name,
            )
        return sent


class WaitingReferral(models.Model):
    """An accepted referral with no booking held on it (none, or only cancelled ones and
    no-shows): waiting for a bedspace. Kept by database triggers on referrals and placements
    (migration 0017), never written by the application, so the dashboard and the referral queue
    read this short list instead of testing every accepted referral in the scheme's history
    (hundreds of thousands, nationally) for a booking."""

    referral = models.OneToOneField(
        Referral, primary_key=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("referral")
    )

    class Meta:
        verbose_name = _("referral waiting for a bedspace")

    def __str__(self) -> str:
        return str(self.referral_id)


class IdempotencyKey(models.Model):
    """A client's `Idempotency-Key` and the response the first request with it got: a retry with
    the same key and body is answered from here and changes nothing. When a person the response
    named is erased, the response goes but the key stays (a tombstone: the client, the key, the
    request's fingerprint, the ids of the people and when they were erased, no personal data), so
    the retry is answered 410 Gone instead of creating the person again."""

    api_client = models.ForeignKey(
        "agencies.ApiClient",
        on_delete=models.CASCADE,
        related_name="idempotency_keys",
        verbose_name=_("API client"),
    )
    key = models.CharField(_("key"), max_length=255)
    fingerprint = models.CharField(
        _("request fingerprint"), max_length=64, help_text=_("SHA-256 of the method, path and JSON body.")
    )
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_body = models.JSONField(_("response body"), null=True, blank=True)
    # The people the response named (their ids, as the access log keeps them): a replay is logged
    # as showing them again, and erasing one of them finds the keys to turn into tombstones.
    offender_ids = ArrayField(models.BigIntegerField(), default=list, blank=True, verbose_name=_("people"))
    subject_erased_at = models.DateTimeField(_("person erased"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency key")
        constraints = [
            models.UniqueConstraint(
                fields=["api_client", "key"],
                name="idempotency_key_unique_per_client",
                violation_error_message=_("This case system has already used this idempotency key."),
            )
        ]
        indexes = [
            GinIndex(fields=["offender_ids"], name="idempotency_key_people_idx"),
        ]

    def __str__(self) -> str:
        return self.key


class ReferralEvent(models.Model):
    """One change of a referral or its placement, in the order it was recorded: the API's
    append-only feed. The database refuses to change or delete a row (a trigger, see the
    migration)."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        PLACED = "placed", _("Placed")
        CONFIRMED = "confirmed", _("Booking confirmed")
        ARRIVED = "arrived", _("Arrived")
        RENEWED = "renewed", _("Licence renewed")
        DEPARTED = "departed", _("Departed")
        CANCELLED = "cancelled", _("Booking cancelled")
        NOT_ARRIVED = "not_arrived", _("Did not arrive")
        TRANSFERRED = "transferred", _("Moved to another bedspace")

    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, related_name="events", verbose_name=_("referral")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("occurred"), default=timezone.now, db_index=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("referral event")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
