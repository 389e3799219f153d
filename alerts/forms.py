"""The alerts page's filters and the acknowledgement form."""

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
