"""The audit trail: the access log (who consulted, disclosed, altered, erased or exported whose
record, DPA 2018 s.62), retention reviews, and the change history of every core record
(django-pghistory event tables, filled by database triggers)."""

import pghistory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftercare.models import Deposit, DepositFund, FollowUpCheck, FundTopUp, Landlord, LandlordProperty
from agencies.models import HomeVisit, StaffMembership, VisitCorrection
from alerts.models import Alert
from casefiles.models import CaseNote, CaseNoteCorrection, Document
from iom_housing.dates import day_short
from moveon.models import MoveOnAction, MoveOnPlan
from placements.models import (
    Bedspace,
    LicenceAgreement,
    LicenceBreachEnding,
    LicenceTerm,
    LicenceWarning,
    LicenceWording,
    LocalAuthority,
    PersonCondition,
    Placement,
    Property,
    SharingOverride,
    SupportAgency,
    SupportPlan,
    Transfer,
    VoidPeriod,
)
from referrals.models import Offender, OffenderEvent, Referral
from reports.models import Funding, PublishedRelease, UnitCost


class AccessAction(models.TextChoices):
    """What a request did with the records (`AccessLogEntry.Action`); defined here so its constraint can name it."""

    CONSULT = "consult", _("Consulted")
    DISCLOSE = "disclose", _("Disclosed")
    ALTER = "alter", _("Altered")
    ERASE = "erase", _("Erased")
    EXPORT = "export", _("Exported")


# Why a record was read, when the reader says (`?reason=` on a logged page, or the reason of an
# export). Codes, never free text: the log must not hold what erasure would have to remove.
REASON_CODES = {
    "case_management": _("Case management"),
    "safeguarding": _("Safeguarding"),
    "subject_access": _("Subject access request"),
    "retention_review": _("Retention review"),
    "audit": _("Audit or complaint"),
    "disclosure_request": _("Disclosure request from another body"),
    "evaluation": _("Scheme evaluation"),
}


class AccessLogEntry(models.Model):
    """One request (or one export) that touched named people's records. Append-only: the database
    refuses to update or delete a row (a trigger, see the migration). It holds no names or
    identifiers of the people, only their ids, so erasing a person leaves the log intact."""

    Action = AccessAction

    at = models.DateTimeField(_("when (UTC)"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    api_client = models.ForeignKey(
        "agencies.ApiClient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("API client (recipient)"),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    model = models.CharField(_("record type"), max_length=100, blank=True)
    object_ref = models.CharField(_("record"), max_length=64, blank=True)
    offender_ids = ArrayField(models.BigIntegerField(), default=list, blank=True, verbose_name=_("people"))
    url = models.CharField(_("address"), max_length=500, blank=True)
    method = models.CharField(_("method"), max_length=10, blank=True)
    reason = models.CharField(_("reason code"), max_length=40, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [
            # "Whose records did this person look at" and "who looked at this person".
            models.Index(fields=["user", "-at"], name="accesslog_user_at_idx"),
            models.Index(fields=["api_client", "-at"], name="accesslog_client_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=list(AccessAction)),
                name="accesslog_action_valid",
                violation_error_message=_("Choose an action from the list."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.model} {self.object_ref} at {self.at:%Y-%m-%d %H:%M:%S}"

    @property
    def reason_label(self) -> str:
        return str(REASON_CODES.get(self.reason, self.reason))


class RetentionDecision(models.TextChoices):
    """A retention review's decision (`RetentionReview.Decision`); defined here so its constraint can name it."""

    RETAIN = "retain", _("Retain")
    ERASE = "erase", _("Erase")


class RetentionReview(models.Model):
    """A scheme manager's decision on a record due for review: keep it (why, and until when) or
    erase its personal data. Holds no personal data itself."""

    Decision = RetentionDecision

    offender = models.ForeignKey(Offender, on_delete=models.PROTECT, related_name="retention_reviews")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    reason = models.TextField(_("reason"))
    retain_until = models.DateField(_("review again on"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided"), auto_now_add=True)

    class Meta:
        ordering = ["-decided_at"]
        verbose_name = _("retention review")
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision=RetentionDecision.RETAIN) | Q(retain_until__isnull=False),
                name="retentionreview_retain_has_date",
                violation_error_message=_("A record kept needs the date of its next review."),
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="retentionreview_has_reason",
                violation_error_message=_("Enter the reason for the decision."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} ({day_short(self.decided_at)})"


# Change history -------------------------------------------------------------------------------
# Triggers on each tracked table write an event row (the row after an insert or update, the row
# before a delete) in the same statement, so a bulk `.update()` or raw SQL is recorded too. The
# request that made the change (user, path, method, API client) is in `pghistory.Context`.


def _track(model, name: str, **kwargs):
    # New trackers for each model: pghistory sets each one up for the model it tracks.
    return pghistory.create_event_model(
        model,
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        app_label="audit",
        model_name=name,
        obj_field=pghistory.ObjForeignKey(related_name="history", db_constraint=False),
        abstract=False,
        **kwargs,
    )


# The trigger-kept retention date is not a change anyone made.
OffenderHistory = _track(Offender, "OffenderHistory", exclude=["last_activity_on"])
OffenderEventHistory = _track(OffenderEvent, "OffenderEventHistory")
ReferralHistory = _track(Referral, "ReferralHistory")
PlacementHistory = _track(Placement, "PlacementHistory")
LicenceTermHistory = _track(LicenceTerm, "LicenceTermHistory")
VoidPeriodHistory = _track(VoidPeriod, "VoidPeriodHistory")
# The scheme's properties, their bedspaces and the list of areas: who added or changed what.
LocalAuthorityHistory = _track(LocalAuthority, "LocalAuthorityHistory")
PropertyHistory = _track(Property, "PropertyHistory")
BedspaceHistory = _track(Bedspace, "BedspaceHistory")
TransferHistory = _track(Transfer, "TransferHistory")
SharingOverrideHistory = _track(SharingOverride, "SharingOverrideHistory")
HomeVisitHistory = _track(HomeVisit, "HomeVisitHistory")
VisitCorrectionHistory = _track(VisitCorrection, "VisitCorrectionHistory")
AlertHistory = _track(Alert, "AlertHistory")
SupportPlanHistory = _track(SupportPlan, "SupportPlanHistory")
SupportAgencyHistory = _track(SupportAgency, "SupportAgencyHistory")
LicenceWordingHistory = _track(LicenceWording, "LicenceWordingHistory")
LicenceAgreementHistory = _track(LicenceAgreement, "LicenceAgreementHistory")
PersonConditionHistory = _track(PersonCondition, "PersonConditionHistory")
LicenceWarningHistory = _track(LicenceWarning, "LicenceWarningHistory")
LicenceBreachEndingHistory = _track(LicenceBreachEnding, "LicenceBreachEndingHistory")
MoveOnPlanHistory = _track(MoveOnPlan, "MoveOnPlanHistory")
MoveOnActionHistory = _track(MoveOnAction, "MoveOnActionHistory")
StaffMembershipHistory = _track(StaffMembership, "StaffMembershipHistory")
DepositFundHistory = _track(DepositFund, "DepositFundHistory")
FundTopUpHistory = _track(FundTopUp, "FundTopUpHistory")
LandlordHistory = _track(Landlord, "LandlordHistory")
LandlordPropertyHistory = _track(LandlordProperty, "LandlordPropertyHistory")
DepositHistory = _track(Deposit, "DepositHistory")
FollowUpCheckHistory = _track(FollowUpCheck, "FollowUpCheckHistory")
# Case notes and their corrections; documents (who attached what, when; the file is not history).
CaseNoteHistory = _track(CaseNote, "CaseNoteHistory")
CaseNoteCorrectionHistory = _track(CaseNoteCorrection, "CaseNoteCorrectionHistory")
DocumentHistory = _track(Document, "DocumentHistory")
# Never the password hash; a sign-in's last_login is not a change to the account.
UserHistory = _track(get_user_model(), "UserHistory", exclude=["password", "last_login"])
# The report's assumptions: who changed a unit cost, from what to what (the assumptions page).
UnitCostHistory = _track(UnitCost, "UnitCostHistory")
# What was published, once (never changed: a trigger refuses it; the history shows it was not).
PublishedReleaseHistory = _track(PublishedRelease, "PublishedReleaseHistory", exclude=["tables", "previous"])
# The funding lines the report adds up (the funding pages).
FundingHistory = _track(Funding, "FundingHistory")
