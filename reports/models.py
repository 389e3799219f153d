"""Funding lines and comparator unit costs: the money side of the evaluation."""

import uuid
from pathlib import Path

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from iom_housing.db import TimeStamped


class Funding(TimeStamped):
    """A grant or contribution that pays for the scheme."""

    class Kind(models.TextChoices):
        GRANT = "grant", _("Grant")
        MATCH = "match", _("Match funding")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    funder = models.CharField(_("funder"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.GRANT)
    amount = models.DecimalField(_("amount (£)"), max_digits=12, decimal_places=2)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["starts_on", "name"]
        verbose_name = _("funding")
        verbose_name_plural = _("funding")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="funding_amount_not_negative",
                violation_error_message=_("The amount must be £0 or more."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="funding_dates_in_order",
                violation_error_message=_("The end date must be the same as or after the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (£{self.amount:,.2f})"


# The unit costs the evaluation reads (by key), and what each is used for (the assumptions page).
CUSTODY_NIGHT = "custody-night"
APPROVED_PREMISES_NIGHT = "approved-premises-night"
BED_AND_BREAKFAST_NIGHT = "bed-and-breakfast-night"
RECALL = "recall"
ARREST = "arrest"
UNIT_COST_USES = {
    CUSTODY_NIGHT: _(
        "Prices the scheme's nights as nights in custody (the alternative), and the custody nights "
        "avoided with the recalls avoided."
    ),
    APPROVED_PREMISES_NIGHT: _(
        "Prices the scheme's nights as nights in approved premises (the alternative)."
    ),
    BED_AND_BREAKFAST_NIGHT: _(
        "Prices the scheme's nights as nights in bed and breakfast, the emergency temporary "
        "accommodation a council would otherwise pay for (the alternative)."
    ),
    RECALL: _(
        "Prices the recalls to custody avoided (the recall itself; its custody nights are priced apart)."
    ),
    ARREST: _("Prices the arrests avoided (the arrest and its police custody time)."),
}
# The alternatives the scheme's nights are set against, in the order shown.
ALTERNATIVE_NIGHTS = (CUSTODY_NIGHT, APPROVED_PREMISES_NIGHT, BED_AND_BREAKFAST_NIGHT)


class UnitCost(TimeStamped):
    """A comparator cost (a night in custody, a recall) that the evaluation prices the alternative
    and the costs avoided with: a low, a central and a high figure, with its source and date.
    A scheme manager edits them on the report's assumptions page (`reports.services.unit_cost_update`)."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    low = models.DecimalField(_("low (£)"), max_digits=12, decimal_places=2)
    central = models.DecimalField(_("central (£)"), max_digits=12, decimal_places=2)
    high = models.DecimalField(_("high (£)"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("per"), max_length=60, help_text=_("For example: night, recall, arrest."))
    source = models.CharField(_("source"), max_length=300)
    source_date = models.DateField(_("date of source"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit cost")
        constraints = [
            models.CheckConstraint(
                condition=Q(low__gte=0),
                name="unitcost_low_not_negative",
                violation_error_message=_("The low figure must be £0 or more."),
            ),
            models.CheckConstraint(
                condition=Q(low__lte=F("central")) & Q(central__lte=F("high")),
                name="unitcost_low_central_high_in_order",
                violation_error_message=_("The figures must be in order: low, then central, then high."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}: £{self.central:,.2f} per {self.unit}"


class Audience(models.TextChoices):
    """The versions of the evaluation report, each for its readers and with its own rules (who may
    see each: `iom_housing.access.can_user_view_report_version`)."""

    OFFICER = "officer", _("Operational (named)")
    EVALUATION = "evaluation", _("Evaluation (pseudonymised)")
    PUBLISHED = "published", _("Published (protected)")


class ReportExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being made")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class ReportExport(models.Model):
    """A report file made by a background task (a long period), kept for REPORT_FILES_KEEP_HOURS
    and then deleted with its file. Only the person who asked for it may download it."""

    Status = ReportExportStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    area = models.CharField(_("area"), max_length=100, blank=True)
    format = models.CharField(_("format"), max_length=4)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    # Who the file names (the officers' version), for the access log when it is downloaded.
    offender_ids = ArrayField(
        models.BigIntegerField(), default=list, blank=True, verbose_name=_("people named")
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    expires_at = models.DateTimeField(_("deleted after"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report export")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="reportexport_dates_in_order",
                violation_error_message=_("The report's last day must be on or after its first day."),
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="reportexport_progress_at_most_100",
                violation_error_message=_("Progress is a percentage, at most 100."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ReportExportStatus.READY) | ~Q(file_name=""),
                name="reportexport_ready_has_file",
                violation_error_message=_("A ready report needs its file."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.format.upper()} report {self.start} to {self.end} ({self.get_status_display()})"

    @property
    def path(self) -> Path:
        return Path(settings.REPORT_FILES_DIR) / self.file_name


class ReportDownload(models.Model):
    """Every download of a report, in any format: who, when and which report."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    downloaded_at = models.DateTimeField(_("downloaded"), auto_now_add=True)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    area = models.CharField(_("area"), max_length=100, blank=True)
    format = models.CharField(_("format"), max_length=4)
    export = models.ForeignKey(
        ReportExport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-downloaded_at"]
        verbose_name = _("report download")

    def __str__(self) -> str:
        return f"{self.user} downloaded {self.format.upper()} {self.start} to {self.end}"


class PublishedRelease(models.Model):
    """The published version of one fixed period for one area (or all areas), as it was first
    made: every table's cells with their suppression, frozen. Written once by
    `reports.releases.releases_for` and served for every later download in every format; never
    changed or deleted (a database trigger refuses both). Why: reports/releases.py."""

    kind = models.CharField(
        _("period"), max_length=7, help_text=_("month, quarter or year (reports.periods)")
    )
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    area = models.CharField(_("area"), max_length=100, blank=True, help_text=_("Blank: all areas."))
    # 1 April of the financial year: the year's releases are looked up together, in one query.
    year_start = models.DateField(_("financial year from"))
    # The releases made together (one suppression, one snapshot of the data) share a batch.
    batch = models.UUIDField(_("made with"), editable=False)
    made_at = models.DateTimeField(_("first published"))
    data_as_at = models.DateTimeField(_("figures as at"))
    threshold = models.PositiveSmallIntegerField(_("suppression threshold"))
    # The tables (reports.releases.table_to_json), withheld cells' counts included: a later release
    # is suppressed knowing them. They are blanked before any report is built from a release.
    tables = models.JSONField(_("tables"), editable=False)
    # The previous period's tables (the comparison and the summary read them), as released.
    previous = models.JSONField(_("previous period's tables"), editable=False, default=dict)
    withheld = models.PositiveIntegerField(_("cells withheld"), default=0)

    class Meta:
        ordering = ["-start", "kind", "area"]
        verbose_name = _("published release")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "start", "area"],
                name="publishedrelease_one_a_period_area",
                violation_error_message=_("This period and area have already been published."),
            ),
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="publishedrelease_dates_in_order",
                violation_error_message=_("A release's last day cannot be before its first."),
            ),
            models.CheckConstraint(
                condition=Q(data_as_at__lte=F("made_at")),
                name="publishedrelease_as_at_before_made",
                violation_error_message=_(
                    "A release's figures cannot be as at a time after it was published."
                ),
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="publishedrelease_write_once", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} from {self.start} {self.area or 'all areas'} (published {self.made_at:%Y-%m-%d})"
