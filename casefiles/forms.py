"""The case note, its correction and the document upload forms (GOV.UK components)."""

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from casefiles.filetypes import ACCEPTED_LABELS
from casefiles.models import Document
from casefiles.services import max_document_bytes
from iom_housing.forms import ServiceForm


class NoteForm(ServiceForm):
    submit_label = _("Save note")
    text = forms.CharField(
        label=_("Note"),
        help_text=_("Seen by the IOM team and by the agencies that support this person."),
        widget=forms.Textarea,
        error_messages={"required": _("Enter the note")},
        # Checked by the service with a message saying by how much (iom_housing.services.TEXT_LIMIT).
        strip=True,
    )


class NoteCorrectionForm(ServiceForm):
    submit_label = _("Save correction")
    text = forms.CharField(
        label=_("Note"), widget=forms.Textarea, error_messages={"required": _("Enter the note")}
    )
    reason = forms.CharField(
        label=_("Why are you correcting it?"),
        help_text=_("Kept with the note's history, with the text before."),
        widget=forms.Textarea,
        error_messages={"required": _("Enter why the note is being corrected")},
    )


class DocumentForm(ServiceForm):
    submit_label = _("Upload document")
    kind = forms.ChoiceField(
        label=_("What kind of document is it?"),
        choices=Document.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select what kind of document this is")},
    )
    title = forms.CharField(
        label=_("Title"),
        help_text=_("For example, “Risk assessment, March 2026”."),
        error_messages={"required": _("Enter a title for the document")},
    )
    # Type and size are checked by the service, from the file's content (casefiles.filetypes).
    file = forms.FileField(
        label=_("Upload a file"),
        allow_empty_file=True,
        error_messages={"required": _("Select a file"), "invalid": _("Select a file")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("A %(types)s file, %(limit)s at most.") % {
            "types": ACCEPTED_LABELS,
            "limit": filesizeformat(max_document_bytes()),
        }
