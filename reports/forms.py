"""The report's choices: which version, its period (whole days in the past; for the published
version a month, quarter or financial year that has ended) and an area."""

from datetime import date, timedelta

from crispy_forms_gds.choices import Choice
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iom_housing.forms import GovukDateField, ServiceForm
from placements.models import LocalAuthority, Property
from placements.selectors import area_choices
from reports import periods
from reports.builder import EVALUATION, OFFICER, PUBLISHED

MAX_DAYS = 3 * 366

# Each version's purpose and rules, in one sentence (the radios' hints).
VERSION_CHOICES = {
    OFFICER: Choice(
        OFFICER,
        _("Operational, with names"),
        hint=_(
            "For officers and managers reviewing cases: every table, the named case-review list, no "
            "suppression; do not send it outside the scheme."
        ),
    ),
    EVALUATION: Choice(
        EVALUATION,
        _("Evaluation, pseudonymised"),
        hint=_(
            "For the OPCC's evaluators under the data-sharing agreement: every table unsuppressed and "
            "one pseudonymised row per person placed, with no names, identifiers or dates of birth."
        ),
    ),
    PUBLISHED: Choice(
        PUBLISHED,
        _("Published, protected"),
        hint=_(
            "For board papers and public reporting: a month, quarter or financial year only, small "
            "numbers withheld consistently across all of the year's published reports."
        ),
    ),
}


class ReportForm(ServiceForm):
    method = "get"
    submit_label = _("Show report")

    audience = forms.ChoiceField(label=_("Version"), required=False, widget=forms.RadioSelect)
    period = forms.ChoiceField(
        label=_("Period (published version)"),
        required=False,
        help_text=_("A month, a quarter of the financial year or a financial year that has ended."),
    )
    start = GovukDateField(
        label=_("First day"),
        required=False,
        help_text=_("Other versions: for example, 1 4 2025"),
        error_name=_("the first day of the period"),
    )
    end = GovukDateField(
        label=_("Last day"),
        required=False,
        help_text=_("Yesterday or earlier, for example 31 3 2026"),
        error_name=_("the last day of the period"),
    )
    area = forms.ChoiceField(label=_("Area (local authority)"), required=False)

    def __init__(self, *args, audiences: list[str], first_day: date | None = None, **kwargs):
        """`audiences`: the versions the user may see (iom_housing.access); `first_day`: the
        earliest day with data, from which the published periods are listed."""
        super().__init__(*args, **kwargs)
        self.audiences = audiences
        today = timezone.localdate()
        # By code, named in the page's language: one choice for each area, whatever its spelling.
        areas = LocalAuthority.objects.filter(pk__in=Property.objects.values("local_authority_id"))
        self.fields["area"].choices = [("", _("All areas")), *area_choices(areas)]
        self.fields["audience"].choices = [VERSION_CHOICES[a] for a in audiences]
        self.fields["audience"].initial = audiences[0] if audiences else None
        ended = periods.ended_periods(first_day or date(today.year - 2, 4, 1), today)
        self.fields["period"].choices = [("", _("Choose a period")), *((p.value, p.label) for p in ended)]
        if PUBLISHED not in audiences:
            del self.fields["period"]
        if len(audiences) < 2:
            self.fields["audience"].widget = forms.HiddenInput()
        self.lay_out()

    def clean(self):
        data = super().clean()
        audience = data.get("audience") or (self.audiences[0] if self.audiences else "")
        if audience not in self.audiences:
            self.add_error("audience", _("Choose a version of the report you may see"))
            return data
        data["audience"] = audience
        today = timezone.localdate()
        if audience == PUBLISHED:
            return self._clean_published(data, today)
        start, end = data.get("start"), data.get("end")
        if start is None and "start" not in self.errors:
            self.add_error("start", _("Enter the day, month and year of the first day"))
        if end is None and "end" not in self.errors:
            self.add_error("end", _("Enter the day, month and year of the last day"))
        if end and end >= today:
            self.add_error("end", _("The last day must be in the past (yesterday or earlier)"))
        elif start and end and end < start:
            self.add_error("end", _("The last day must be the same as or after the first day"))
        elif start and end and (end - start) >= timedelta(days=MAX_DAYS):
            self.add_error("start", _("The period must be 3 years or shorter"))
        return data

    def _clean_published(self, data: dict, today: date) -> dict:
        """A fixed period chosen from the list, or first and last days that are exactly one (the
        downloads' links carry the days)."""
        chosen = periods.parse(data.get("period") or "")
        start, end = data.get("start"), data.get("end")
        if chosen is None and start and end:
            chosen = periods.fixed_period(start, end)
            if chosen is None:
                self.add_error(
                    "period",
                    _(
                        "The published version is made for a calendar month, a quarter of the financial "
                        "year or a financial year only: choose one from the list"
                    ),
                )
                return data
        if chosen is None:
            if "period" not in self.errors:
                self.add_error("period", _("Choose a month, quarter or financial year"))
            return data
        if chosen.end >= today:
            self.add_error("period", _("Choose a period that has ended (its last day yesterday or earlier)"))
            return data
        data["start"], data["end"], data["period"] = chosen.start, chosen.end, chosen.value
        return data
