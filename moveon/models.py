"""The move-on plan of a placement: its target date, the planned move-out date once known, and the
actions that lead to settled housing (who owns each, when it is due, and how it ended).

Each placement has one plan from arrival. The plan's row is made on first use (the first target
date or action), in the service's transaction under the placement's row lock: until then the
placement's page shows an empty plan. So no placement (the demo's, `seed_scale`'s, those from
before this app) needs a row written for it, and arriving stays one service that does not reach
into this app.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from iom_housing.db import ERASED, Erasure, PublicId, TimeStamped, Versioned

NOTES_MAX = 1000
DETAILS_MAX = 200
OUTCOME_MAX = 300


class MoveOnPlan(Versioned, TimeStamped):
    """A placement's move-on plan: when it aims to move on, and when it will, once that is known."""

    placement = models.OneToOneField(
        "placements.Placement", on_delete=models.CASCADE, related_name="move_on_plan"
    )
    target_on = models.DateField(_("target move-on date"), null=True, blank=True)
    planned_move_out_on = models.DateField(
        _("planned move-out date"),
        null=True,
        blank=True,
        help_text=_("The day they are due to leave, once a tenancy or a place is agreed."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("move-on plan")
        indexes = [
            models.Index(
                fields=["planned_move_out_on"],
                condition=Q(planned_move_out_on__isnull=False),
                name="moveonplan_move_out_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Move-on plan for {self.placement}"


class ActionKind(models.TextChoices):
    HOUSING_REGISTER = "housing_register", _("Housing register application")
    # Housing (Wales) Act 2014, Part 2: the duties a Welsh local housing authority owes.
    WALES_S62 = "wales_s62", _("Homelessness: assessment (Housing (Wales) Act 2014 s.62)")
    WALES_S66 = "wales_s66", _("Homelessness: prevention duty (Housing (Wales) Act 2014 s.66)")
    WALES_S73 = "wales_s73", _("Homelessness: relief duty (Housing (Wales) Act 2014 s.73)")
    WALES_S75 = "wales_s75", _("Homelessness: final duty (Housing (Wales) Act 2014 s.75)")
    # Housing Act 1996 s.213B, inserted by the Homelessness Reduction Act 2017.
    ENGLAND_DUTY_TO_REFER = (
        "england_duty_to_refer",
        _("Homelessness: duty to refer (Homelessness Reduction Act 2017)"),
    )
    SUPPORTED_HOUSING = "supported_housing", _("Supported housing application")
    PRIVATE_RENTED = "private_rented", _("Private rented offer or viewing")
    BENEFITS = "benefits", _("Benefits claim")
    BANK_ACCOUNT = "bank_account", _("ID: bank account")
    BIRTH_CERTIFICATE = "birth_certificate", _("ID: birth certificate")
    OTHER = "other", _("Other")


# The kinds made to a local housing authority: each names the authority.
HOMELESSNESS_KINDS = (
    ActionKind.WALES_S62,
    ActionKind.WALES_S66,
    ActionKind.WALES_S73,
    ActionKind.WALES_S75,
    ActionKind.ENGLAND_DUTY_TO_REFER,
)


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    NOT_NEEDED = "not_needed", _("No longer needed")


OPEN_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)
CLOSED_STATUSES = (ActionStatus.DONE, ActionStatus.NOT_NEEDED)


class ActionResult(models.TextChoices):
    """How a done action turned out: what the report counts as its outcome."""

    SUCCESSFUL = "successful", _("Successful (accepted, duty owed, offer made, claim awarded, ID obtained)")
    UNSUCCESSFUL = "unsuccessful", _("Unsuccessful (refused, no duty owed, offer fell through)")


class MoveOnAction(PublicId, Versioned, TimeStamped):
    """One step towards moving on, owned by an agency (or the IOM team when `owner_agency` is
    empty), optionally by a named person there.

    `opened_on` is the day it went on the plan (back-dated at most to the arrival, for work begun
    before it was recorded); an outcome is never dated before it.
    """

    Kind = ActionKind
    Status = ActionStatus
    Result = ActionResult

    plan = models.ForeignKey(MoveOnPlan, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("kind of action"), max_length=24, choices=ActionKind.choices)
    details = models.CharField(_("details"), max_length=DETAILS_MAX, blank=True)
    # The council a homelessness application or a duty to refer is made to: one of the areas.
    local_authority = models.ForeignKey(
        "placements.LocalAuthority",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("local housing authority"),
    )
    applied_on = models.DateField(_("date applied or referred"), null=True, blank=True)
    owner_agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="move_on_actions",
        verbose_name=_("owner"),
        help_text=_("Empty: the IOM team."),
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("named owner"),
    )
    opened_on = models.DateField(_("added to the plan on"))
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    outcome_on = models.DateField(_("outcome date"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=12, choices=ActionResult.choices, blank=True)
    outcome = models.CharField(
        _("decision or outcome"),
        max_length=OUTCOME_MAX,
        blank=True,
        help_text=_("For example the decision letter's words."),
    )
    # varchar(1000): the database itself refuses longer notes.
    notes = models.CharField(_("notes"), max_length=NOTES_MAX, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    api_client = models.ForeignKey(
        "agencies.ApiClient", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    ERASURE = Erasure(
        person="plan__placement__offender_id",
        # `details` must stay filled for an "other" action (actionlike_other_has_details).
        fields={
            "details": lambda action: ERASED if action.details else "",
            "outcome": "",
            "notes": "",
        },
    )

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("move-on action")
        indexes = [
            # The overdue sweep reads the few open actions among years of closed ones.
            models.Index(
                fields=["due_on"],
                condition=Q(status__in=list(OPEN_STATUSES), due_on__isnull=False),
                name="moveonaction_open_due_idx",
            ),
            models.Index(fields=["owner_agency", "status"], name="moveonaction_owner_idx"),
            # An agency's case system reads its own actions in the order they changed (the API's
            # keyset pages): a page is the first hundred entries of the agency's part of this index.
            models.Index(fields=["owner_agency", "updated_at", "id"], name="moveonaction_owner_changed_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=list(ActionStatus)),
                name="moveonaction_status_valid",
                violation_error_message=_("Choose a status from the list."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=list(ActionKind)),
                name="moveonaction_kind_valid",
                violation_error_message=_("Choose the kind of action from the list."),
            ),
            models.CheckConstraint(
                condition=Q(result="") | Q(result__in=list(ActionResult)),
                name="moveonaction_result_valid",
                violation_error_message=_("Choose successful or unsuccessful."),
            ),
            # Done: when and how it ended. No longer needed: when. Open: neither.
            models.CheckConstraint(
                condition=~Q(status=ActionStatus.DONE) | (Q(outcome_on__isnull=False) & ~Q(result="")),
                name="moveonaction_done_has_outcome",
                violation_error_message=_(
                    "A done action needs the date of its outcome and whether it succeeded."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status=ActionStatus.NOT_NEEDED) | (Q(outcome_on__isnull=False) & Q(result="")),
                name="moveonaction_not_needed_has_date_only",
                violation_error_message=_(
                    "An action no longer needed has the date it was dropped and no result."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=list(OPEN_STATUSES)) | (Q(outcome_on__isnull=True) & Q(result="")),
                name="moveonaction_open_has_no_outcome",
                violation_error_message=_(
                    "An action not started or in progress has no outcome date or result yet."
                ),
            ),
            models.CheckConstraint(
                condition=Q(outcome_on__isnull=True) | Q(outcome_on__gte=F("opened_on")),
                name="moveonaction_outcome_not_before_opened",
                violation_error_message=_("The outcome cannot be before the action was opened."),
            ),
            models.CheckConstraint(
                condition=~Q(kind=ActionKind.OTHER) | ~Q(details=""),
                name="moveonaction_other_has_details",
                violation_error_message=_("Describe the action when its kind is “Other”."),
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=list(HOMELESSNESS_KINDS)) | Q(local_authority__isnull=False),
                name="moveonaction_homelessness_names_authority",
                violation_error_message=_(
                    "A homelessness duty or referral needs the local authority it is with."
                ),
            ),
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    def get_absolute_url(self) -> str:
        return reverse("moveon:action-progress", args=[self.public_id])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today) -> bool:
        """Due before today and still open: due today is not overdue yet."""
        return self.is_open and self.due_on is not None and self.due_on < today

    @property
    def outcome_label(self) -> str:
        """How it ended, in a word or two for a list: "Successful", "Unsuccessful", "No longer needed"."""
        if self.status == ActionStatus.DONE:
            return str(_("Successful") if self.result == ActionResult.SUCCESSFUL else _("Unsuccessful"))
        return str(self.get_status_display())

    @property
    def owner_name(self) -> str:
        return self.owner_agency.name if self.owner_agency is not None else str(_("IOM team"))
