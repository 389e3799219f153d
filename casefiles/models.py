"""Case notes on a person (with their corrections) and documents attached to a person or one of
their placements (risk assessments, the signed licence agreement, photos of the property)."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from casefiles.filetypes import BY_CONTENT_TYPE, CONTENT_TYPE_CHOICES
from casefiles.storage import document_storage, random_name
from iom_housing.dates import day_short
from iom_housing.db import ERASED, Erasure, PublicId, TimeStamped


class CaseNote(PublicId, TimeStamped):
    """What a member of staff wrote about a person on a day: seen by the IOM team and the
    agencies that may see the person (`iom_housing.access.people_scope`). Never overwritten
    silently: a correction keeps the text before and the reason (`CaseNoteCorrection`)."""

    offender = models.ForeignKey("referrals.Offender", on_delete=models.PROTECT, related_name="case_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The author's agency when they wrote it: a worker may move on, the note stays theirs.
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"))
    corrected_at = models.DateTimeField(_("last corrected"), null=True, blank=True)

    ERASURE = Erasure(person="offender_id", fields={"text": ERASED})

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("case note")
        indexes = [models.Index(fields=["offender", "-created_at"], name="casenote_offender_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(text=""), name="casenote_has_text", violation_error_message=_("Enter the note.")
            )
        ]

    def __str__(self) -> str:
        return f"Case note {self.public_id} of {day_short(self.created_at)}"

    @property
    def author_name(self) -> str:
        return self.author.get_full_name() or self.author.username


class CaseNoteCorrection(models.Model):
    """A note's text before and after a correction by its author, and why."""

    note = models.ForeignKey(CaseNote, on_delete=models.CASCADE, related_name="corrections")
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(_("corrected"), auto_now_add=True)
    reason = models.TextField(_("reason for the correction"))
    text_before = models.TextField(_("text before"))
    text_after = models.TextField(_("text after"))

    ERASURE = Erasure(
        person="note__offender_id",
        fields={"reason": ERASED, "text_before": ERASED, "text_after": ERASED},
    )

    class Meta:
        ordering = ["corrected_at", "pk"]
        verbose_name = _("case note correction")
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="casenotecorrection_has_reason",
                violation_error_message=_("Enter the reason for the correction."),
            ),
        ]

    def __str__(self) -> str:
        return f"Correction of case note {self.note_id} on {day_short(self.corrected_at)}"


def _document_key(instance: "Document", filename: str) -> str:
    # Never the uploaded name: it may name the person ("J Smith risk assessment.pdf").
    kind = BY_CONTENT_TYPE.get(instance.content_type)
    return random_name(kind.extension if kind else "")


class DocumentKind(models.TextChoices):
    """What a document is (`Document.Kind`); defined here so its constraint can name it."""

    RISK_ASSESSMENT = "risk_assessment", _("Risk assessment")
    LICENCE_AGREEMENT = "licence_agreement", _("Signed licence agreement")
    PROPERTY_CONDITION = "property_condition", _("Photo of the property's condition")
    OTHER = "other", _("Other")


class Document(PublicId):
    """A file about a person, or about one of their placements, kept in the documents' storage
    (`casefiles.storage`) under a random name, and handed out only through the download page,
    which checks access and logs each download."""

    Kind = DocumentKind

    offender = models.ForeignKey("referrals.Offender", on_delete=models.PROTECT, related_name="documents")
    # Set for a placement's document (a photo of the property); the person is its placement's.
    placement = models.ForeignKey(
        "placements.Placement", on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), storage=document_storage, upload_to=_document_key, max_length=100)
    content_type = models.CharField(_("type"), max_length=80, choices=CONTENT_TYPE_CHOICES)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    # Erasing the person deletes the file; the row keeps the kind and dates the scheme counts.
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)

    ERASURE = Erasure(person="offender_id", fields={"title": ERASED, "file": "", "erased_at": Now()})

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("document")
        indexes = [
            models.Index(fields=["offender", "-uploaded_at"], name="document_offender_idx"),
            models.Index(fields=["placement", "-uploaded_at"], name="document_placement_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title=""),
                name="document_has_title",
                violation_error_message=_("Enter the document's title."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=list(DocumentKind)),
                name="document_kind_valid",
                violation_error_message=_("Choose the kind of document from the list."),
            ),
            models.CheckConstraint(
                condition=Q(erased_at__isnull=False) | ~Q(file=""),
                name="document_has_file",
                violation_error_message=_("Choose the file to attach."),
            ),
        ]

    def __str__(self) -> str:
        return f"Document {self.public_id} ({self.get_kind_display()})"

    @property
    def uploader_name(self) -> str:
        return self.uploaded_by.get_full_name() or self.uploaded_by.username

    @property
    def type_label(self) -> Any:
        return self.get_content_type_display()
