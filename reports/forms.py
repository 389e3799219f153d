"""The report's choices: a period of whole days in the past, an area, and (for officers) which version."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iom_housing.forms import GovukDateField, ServiceForm
from placements.models import Property
from reports.builder import OFFICER, OPCC

MAX_DAYS = 3 * 366


class ReportForm(ServiceForm):
    method = "get"
    submit_label = _("Show report")

    start = GovukDateField(
        label=_("First day"),
        help_text=_("For example, 1 4 2025"),
        error_name=_("the first day of the period"),
    )
    end = GovukDateField(
        label=_("Last day"),
        help_text=_("Yesterday or earlier, for example 31 3 2026"),
        error_name=_("the last day of the period"),
    )
    area = forms.ChoiceField(label=_("Area (local authority)"), required=False)
    audience = forms.ChoiceField(
        label=_("Version"),
        required=False,
        widget=forms.RadioSelect,
        initial=OFFICER,
        choices=[(OFFICER, _("Operational, with names")), (OPCC, _("OPCC, pseudonymised"))],
    )

    def __init__(self, *args, operational: bool, **kwargs):
        super().__init__(*args, **kwargs)
        areas = (
            Property.objects.order_by("local_authority").values_list("local_authority", flat=True).distinct()
        )
        self.fields["area"].choices = [("", _("All areas")), *((a, a) for a in areas)]
        if not operational:
            del self.fields["audience"]
            self.lay_out()

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        today = timezone.localdate()
        if end and end >= today:
            self.add_error("end", _("The last day must be in the past (yesterday or earlier)"))
        elif start and end and end < start:
            self.add_error("end", _("The last day must be the same as or after the first day"))
        elif start and end and (end - start) >= timedelta(days=MAX_DAYS):
            self.add_error("start", _("The period must be 3 years or shorter"))
        data["audience"] = data.get("audience") or (OFFICER if "audience" in self.fields else OPCC)
        return data
