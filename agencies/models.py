"""Partner agencies, staff membership with a role, home visits, and agencies' API clients."""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from iom_housing.dates import day_short
from iom_housing.db import ERASED, Erasure, PublicId, TimeStamped
from iom_housing.roles import Role


class Agency(TimeStamped):
    class Kind(models.TextChoices):
        POLICE = "police", _("Police")
        PROBATION = "probation", _("Probation service")
        DRUG_ALCOHOL = "drug_alcohol", _("Drug and alcohol service")
        CARE_SOCIETY = "care_society", _("Care society")
        SOCIAL_SERVICES = "social_services", _("Social services")
        WOMENS_CENTRE = "womens_centre", _("Women's centre")
        HOUSING = "housing", _("Housing")
        COMMISSIONER = "commissioner", _("Police and Crime Commissioner's office")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True, help_text=_("Short code used in the API."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name


class StaffMembership(TimeStamped):
    """A user's place in the scheme: the agency they work for and their one role."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    active = models.BooleanField(_("active"), default=True)
    # The language the service speaks to them in (pages, emails, their documents): chosen with the
    # header's language link; blank until they choose, when the browser's or the cookie's applies.
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("staff membership")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=list(Role)),
                name="staffmembership_role_valid",
                violation_error_message=_(
                    "Choose one of the scheme's roles: IOM officer, agency worker, scheme manager or OPCC analyst."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.agency}"


class VisitOutcome(models.TextChoices):
    """A visit's outcome (`HomeVisit.Outcome`); defined here so its indexes can name it."""

    SEEN = "seen", _("Seen")
    NOT_IN = "not_in", _("Not in")
    REFUSED_ENTRY = "refused_entry", _("Refused entry")
    CANCELLED = "cancelled", _("Cancelled")


class HomeVisit(PublicId, TimeStamped):
    """A visit (or call) by a supporting agency to a person in a placement, recorded by a member of
    staff on the site or by the agency's case system over the API."""

    class Kind(models.TextChoices):
        HOME = "home", _("Home visit")
        PHONE = "phone", _("Phone call")
        OFFICE = "office", _("Office appointment")

    Outcome = VisitOutcome

    class DrugTest(models.TextChoices):
        NEGATIVE = "negative", _("Negative")
        POSITIVE = "positive", _("Positive")
        # A test was asked for and not given (refused, or no sample): not the same as no test asked for
        # (a blank drug_test), which the visit form offers as "Not asked for this time".
        NOT_TAKEN = "not_taken", _("Asked for, but not taken")

    class Engagement(models.TextChoices):
        GOOD = "good", _("Good")
        SOME = "some", _("Some")
        NONE = "none", _("None")

    placement = models.ForeignKey("placements.Placement", on_delete=models.PROTECT, related_name="visits")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="visits")
    other_agencies = models.ManyToManyField(
        Agency, blank=True, related_name="joint_visits", help_text=_("Other agencies on a joint visit.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recorded_visits",
    )
    recorded_by_client = models.ForeignKey(
        "ApiClient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recorded_visits",
        verbose_name=_("recorded by API client"),
    )
    visited_at = models.DateTimeField(_("date and time"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.HOME)
    staff_names = models.CharField(_("visiting staff"), max_length=300)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    property_in_good_order = models.BooleanField(_("property kept in good order"), null=True, blank=True)
    drug_test = models.CharField(_("drug test"), max_length=10, choices=DrugTest.choices, blank=True)
    engagement = models.CharField(_("engagement"), max_length=10, choices=Engagement.choices, blank=True)
    support_hours = models.DecimalField(
        _("support hours delivered"), max_digits=4, decimal_places=2, default=Decimal("0")
    )
    concern_raised = models.BooleanField(_("concern raised"), default=False)
    concern = models.TextField(_("concern"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    next_visit_on = models.DateField(_("next planned visit"), null=True, blank=True)

    # The database requires a raised concern to have text (homevisit_concern_has_text).
    ERASURE = Erasure(
        person="placement__offender_id",
        fields={
            "notes": "",
            "staff_names": ERASED,
            "concern": Case(When(concern_raised=True, then=Value(ERASED)), default=Value("")),
        },
    )

    class Meta:
        ordering = ["-visited_at"]
        verbose_name = _("home visit")
        indexes = [
            models.Index(fields=["placement", "agency", "-visited_at"], name="visit_placement_agency_idx"),
            # For the evaluation report: whether a stay-week had a visit (one probe a week), and a
            # period's visits counted by agency without reading the table (an index-only scan).
            models.Index(
                fields=["placement", "visited_at"],
                condition=~Q(outcome=VisitOutcome.CANCELLED),
                name="visit_placement_time_idx",
            ),
            models.Index(
                fields=["visited_at"],
                include=["placement", "agency", "support_hours"],
                condition=~Q(outcome=VisitOutcome.CANCELLED),
                name="visit_time_counts_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(support_hours__gte=0) & Q(support_hours__lte=24),
                name="homevisit_hours_0_to_24",
                violation_error_message=_("Support hours delivered must be from 0 to 24."),
            ),
            models.CheckConstraint(
                condition=Q(concern_raised=False) | ~Q(concern=""),
                name="homevisit_concern_has_text",
                violation_error_message=_("Describe the concern, or untick “concern raised”."),
            ),
            models.CheckConstraint(
                condition=Q(recorded_by__isnull=False, recorded_by_client__isnull=True)
                | Q(recorded_by__isnull=True, recorded_by_client__isnull=False),
                name="homevisit_recorded_by_one",
                violation_error_message=_(
                    "A visit is recorded by a member of staff or by an agency's case system (API client): choose one, not both or neither."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.agency} on {day_short(self.visited_at)}"

    def get_absolute_url(self) -> str:
        return reverse("agencies:visit-detail", args=[self.pk])

    @property
    def recorder_name(self) -> str:
        """Who recorded the visit: a member of staff, or the agency's case system."""
        if self.recorded_by is not None:
            return self.recorded_by.get_full_name() or self.recorded_by.username
        return _("%(client)s, over the API") % {"client": self.recorded_by_client.application.name}


class VisitCorrection(models.Model):
    """A change to a recorded visit, kept with the values before and after.

    Visits are evidence (of support delivered and of concerns raised), so a correction never
    overwrites silently: each one names who changed what, when and why.
    """

    visit = models.ForeignKey(HomeVisit, on_delete=models.CASCADE, related_name="corrections")
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(_("corrected"), auto_now_add=True)
    reason = models.TextField(_("reason for the correction"))
    changes = models.JSONField(
        _("changes"), default=dict, help_text=_("Each changed field: [value before, value after].")
    )

    # Which fields were corrected stays; their values go.
    ERASURE = Erasure(
        person="visit__placement__offender_id",
        fields={
            "reason": ERASED,
            "changes": lambda correction: {name: [ERASED, ERASED] for name in correction.changes},
        },
    )

    class Meta:
        ordering = ["corrected_at", "pk"]
        verbose_name = _("visit correction")
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="visitcorrection_has_reason",
                violation_error_message=_("Enter the reason for the correction."),
            ),
            models.CheckConstraint(
                condition=~Q(changes={}),
                name="visitcorrection_changes_something",
                violation_error_message=_("A correction must change at least one of the visit's answers."),
            ),
        ]

    def __str__(self) -> str:
        return f"Correction of {self.visit} on {day_short(self.corrected_at)}"


class ApiClient(TimeStamped):
    """An agency's case system: an OAuth 2.0 client (client credentials) acting for one agency.

    The OAuth application holds the client id and hashed secret; this says whose records the client
    may see and change, and which scopes it may ask for.
    """

    SCOPE_CHOICES = [(name, name) for name in settings.API_SCOPES]

    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL, on_delete=models.CASCADE, related_name="api_client"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="api_clients")
    scopes = ArrayField(
        models.CharField(max_length=30, choices=SCOPE_CHOICES),
        default=list,
        blank=True,
        verbose_name=_("scopes"),
        help_text=_(
            "What the client may ask for: referrals:read, referrals:write, visits:write, moveon:read, moveon:write."
        ),
    )
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Untick to stop the client (its tokens stop working at once).")
    )

    class Meta:
        ordering = ["agency__name", "application__name"]
        verbose_name = _("API client")
        constraints = [
            models.CheckConstraint(
                condition=Q(scopes__contained_by=list(settings.API_SCOPES)),
                name="apiclient_scopes_valid",
                violation_error_message=_(
                    "Choose scopes from the list: referrals:read, referrals:write, visits:write, followups:write, moveon:read, moveon:write."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application.name or self.application.client_id} ({self.agency})"
