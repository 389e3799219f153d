"""Forms of the audit pages: searching the access log, a retention decision, a subject access
export with the items to withhold."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from audit.models import RetentionReview
from iom_housing.forms import BoundedDateField, GovukDateField, ServiceForm

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d %m %Y"]


class _UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, user):
        name = user.get_full_name()
        return f"{name} ({user.username})" if name else user.username


class AccessLogFilterForm(forms.Form):
    user = _UserChoice(
        label=_("User"),
        queryset=get_user_model().objects.order_by("username"),
        required=False,
        empty_label=_("Anyone"),
    )
    person = forms.UUIDField(label=_("Person's record ID"), required=False)
    date_from = BoundedDateField(
        label=_("From (for example 27/3/2026)"), required=False, input_formats=DATE_FORMATS
    )
    date_to = BoundedDateField(label=_("To"), required=False, input_formats=DATE_FORMATS)


class RetentionDecisionForm(ServiceForm):
    submit_label = _("Record decision")

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=RetentionReview.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to retain or erase the record")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea,
        max_length=2000,
        help_text=_("Do not name the person: the reason is kept after erasure."),
        error_messages={"required": _("Enter the reason for the decision")},
    )
    retain_until = GovukDateField(
        label=_("If retained, review again on"),
        required=False,
        help_text=_("For example, 27 3 2030"),
        error_name=_("the date to review the record again"),
    )


class SubjectAccessForm(ServiceForm):
    submit_label = _("Download")

    redact = forms.MultipleChoiceField(
        label=_("Withhold these items"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick anything that must not be released, such as information about other people."),
    )
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=[("pdf", _("PDF (for the person)")), ("json", _("JSON (machine-readable)"))],
        widget=forms.RadioSelect,
        initial="pdf",
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["redact"].choices = [(item["key"], item["title"]) for item in items]
