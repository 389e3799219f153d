"""The alerts page's filters and the acknowledgement form."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.models import Alert
from iom_housing.forms import ServiceForm


class AlertFilterForm(forms.Form):
    """Filters on the alerts page; no status chosen means open (needing action). "Open or
    acknowledged" is every case the condition still holds for (the dashboard's full lists)."""

    UNRESOLVED = "unresolved"

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Open")), (UNRESOLVED, _("Open or acknowledged"))]
        + [c for c in Alert.Status.choices if c[0] != Alert.Status.OPEN]
        + [("all", _("All"))],
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds"))] + Alert.Kind.choices, required=False
    )


class AcknowledgeForm(ServiceForm):
    submit_label = _("Acknowledge")
    note = forms.CharField(
        label=_("What is being done? (optional)"), widget=forms.Textarea, required=False, max_length=2000
    )


class AcknowledgeManyForm(ServiceForm):
    """The alerts chosen on the alerts page (their ids, from the user's own alerts) and one note."""

    submit_label = _("Acknowledge these alerts")
    alerts = forms.TypedMultipleChoiceField(
        coerce=int,
        widget=forms.MultipleHiddenInput,
        error_messages={"required": _("Select the alerts to acknowledge.")},
    )
    note = forms.CharField(
        label=_("What is being done? (optional)"), widget=forms.Textarea, required=False, max_length=2000
    )
    # Tells the first step (the checkboxes, posted from the alerts page) from this one.
    confirm = forms.CharField(widget=forms.HiddenInput, initial="1", required=False)

    def __init__(self, *args, choices: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.TypedMultipleChoiceField, self.fields["alerts"]).choices = [(pk, pk) for pk in choices]
