"""Alerts (something needing action about a case), the emails that told someone about one, and
when the scheduled jobs that raise them last ran.

The tables keep the names they had when these models lived in `placements` (`db_table`): the
move was of code, not of data (docs/adr/008-one-home-for-alerts.md).
"""

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from iom_housing import dates
from iom_housing.db import Erasure


def _stored(value: Any) -> Any:
    """An argument of an alert's message as kept: a date as its ISO day, a translatable label as
    its English original, so each reader sees both in their own language."""
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, Promise):
        with translation.override(None):  # no catalogue: the original text
            return {"text": str(value)}
    return value


def _shown(value: Any) -> Any:
    if isinstance(value, dict) and "date" in value:
        return dates.day(date.fromisoformat(value["date"]))
    if isinstance(value, dict) and "text" in value:
        return gettext(value["text"])
    return value


def alert_message(template: str, **args: Any) -> dict[str, Any]:
    """The message fields of an alert: `template` (an English original marked with gettext_noop)
    and its arguments, translated when it is read (`Alert.text`), so an alert raised by a night's
    sweep reads in Welsh to a Welsh reader; `message` keeps it in the site's language, cut to fit,
    for the admin's list and search."""
    stored = {name: _stored(value) for name, value in args.items()}
    with translation.override(settings.LANGUAGE_CODE):
        text = _render(template, stored)
    return {"message": text, "message_template": template, "message_args": stored}


MESSAGE_LENGTH = 300


def _render(template: str, stored: dict[str, Any]) -> str:
    """Cut to the message's length (a concern quotes what the worker wrote, up to 2,000 letters)."""
    text = gettext(template) % {name: _shown(value) for name, value in stored.items()}
    return Truncator(text).chars(MESSAGE_LENGTH)


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
        FOLLOWUP_DUE = "followup_due", _("Follow-up check due")
        MOVEON_OVERDUE = "moveon_overdue", _("Move-on action overdue")

    Status = AlertStatus

    UNRESOLVED_STATUSES = (Status.OPEN, Status.ACKNOWLEDGED)

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=200, help_text=_("The condition and its subject."))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    message = models.CharField(_("message"), max_length=MESSAGE_LENGTH)
    # The message as its English original and arguments (`alert_message`): read in the reader's
    # language. Blank on alerts raised before messages were kept this way (they show `message`).
    message_template = models.CharField(_("message template"), max_length=300, blank=True)
    message_args = models.JSONField(_("message arguments"), default=dict, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    offender = models.ForeignKey(
        "referrals.Offender", on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    placement = models.ForeignKey(
        "placements.Placement", on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
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
        fields={
            "message": lambda alert: alert.get_kind_display(),
            "message_template": "",
            "message_args": {},
            "acknowledgement_note": "",
        },
    )

    class Meta:
        db_table = "placements_alert"
        ordering = ["-raised_at"]
        verbose_name = _("alert")
        indexes = [
            models.Index(fields=["status", "kind"], name="alert_status_kind_idx"),
            # The alerts page's order (`alerts.selectors.alert_list`), so a page is read off the index.
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
                fields=["key"],
                condition=~Q(status=AlertStatus.RESOLVED),
                name="alert_one_unresolved_per_key",
                violation_error_message=_(
                    "This alert is already open. Deal with that one instead of raising it again."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status__in=list(AlertStatus)),
                name="alert_status_valid",
                violation_error_message=_("Choose a status from the list."),
            ),
            models.CheckConstraint(
                condition=~Q(status=AlertStatus.RESOLVED) | Q(resolved_at__isnull=False),
                name="alert_resolved_has_date",
                violation_error_message=_("A resolved alert needs the date it was resolved."),
            ),
            models.CheckConstraint(
                condition=~Q(status=AlertStatus.ACKNOWLEDGED) | Q(acknowledged_at__isnull=False),
                name="alert_acknowledged_has_date",
                violation_error_message=_("An acknowledged alert needs the date it was acknowledged."),
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The message in the active language (the reader's)."""
        if not self.message_template:
            return self.message
        return _render(self.message_template, self.message_args)

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
        Kind.FOLLOWUP_DUE: _("Find out how they are doing and record the follow-up"),
        Kind.MOVEON_OVERDUE: _("Record the action's progress, or move its due date"),
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
        if self.kind == self.Kind.FOLLOWUP_DUE:
            # The key names the check: followup_due:check:<public id>.
            return reverse("aftercare:follow-up-record", args=[self.key.rsplit(":", 1)[-1]])
        if self.placement_id:
            return self.placement.get_absolute_url()
        if self.offender_id:
            return self.offender.get_absolute_url()
        return reverse("alerts:list")


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
        db_table = "placements_alertnotice"
        verbose_name = _("alert email")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "alert", "channel"],
                name="alertnotice_once_per_recipient",
                violation_error_message=_("This person has already been sent this email about this alert."),
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
        db_table = "placements_jobrun"
        ordering = ["name"]
        verbose_name = _("scheduled job run")

    def __str__(self) -> str:
        return self.name


class AlertsChanged(models.Model):
    """One row whose number the database raises at every statement that writes alerts (a trigger:
    migration 0007), whoever writes them: the sweeps, the services, the admin, erasure. Counts of
    open alerts are cached under it (`alerts.selectors.open_alert_count`), so they are counted
    again only once alerts have changed."""

    number = models.BigIntegerField(_("number"), default=0)

    class Meta:
        verbose_name = _("alerts changed")

    def __str__(self) -> str:
        return str(self.number)
