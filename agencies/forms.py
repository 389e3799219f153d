"""The visit form (recording and correcting a visit), laid out for a phone: one column, GOV.UK
components, each answer handed to `agencies.services`."""

from datetime import datetime, time

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.layout import HTML, Field, Layout
from crispy_forms_gds.widgets import DateInputWidget
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, HomeVisit, StaffMembership
from agencies.services import MAX_SUPPORT_HOURS
from iom_housing.basis import BasedOn
from iom_housing.forms import GovukDateField, ServiceForm

DATE_HINT = _("For example, 27 3 2026")

# A radio for "no answer", so that an answer picked by mistake can be taken back.
YES_NO = [("yes", _("Yes")), ("no", _("No")), ("", _("Not checked"))]
DRUG_TESTS = [*HomeVisit.DrugTest.choices, ("", _("Not asked for this time"))]
ENGAGEMENT = [*HomeVisit.Engagement.choices, ("", _("Not applicable"))]


class TimeInputWidget(DateInputWidget):
    """Hour and minute boxes styled like the GOV.UK date input, with numeric keypads on phones."""

    def __init__(self, *args, **kwargs):
        forms.MultiWidget.__init__(
            self,
            [
                forms.TextInput(
                    attrs={
                        "class": "govuk-input govuk-date-input__input govuk-input--width-2",
                        "label": _("Hour"),
                        "inputmode": "numeric",
                    }
                ),
                forms.TextInput(
                    attrs={
                        "class": "govuk-input govuk-date-input__input govuk-input--width-2",
                        "label": _("Minute"),
                        "inputmode": "numeric",
                    }
                ),
            ],
            *args,
            **kwargs,
        )

    def decompress(self, value):
        if value:
            return value.hour, f"{value.minute:02d}"
        return None, None


class GovukTimeField(DateInputField):
    """A time of day as hour and minute boxes (24-hour clock)."""

    widget = TimeInputWidget

    def __init__(self, **kwargs):
        digits = RegexValidator(r"^[0-9]{1,2}$", _("Enter the time in numbers, for example 14 30"))
        fields = (
            forms.CharField(
                label=_("Hour"),
                error_messages={"incomplete": _("The time must include an hour")},
                validators=[digits],
            ),
            forms.CharField(
                label=_("Minute"),
                error_messages={"incomplete": _("The time must include a minute")},
                validators=[digits],
            ),
        )
        forms.MultiValueField.__init__(
            self,
            error_messages={
                "required": _("Enter the hour and minute"),
                "incomplete": _("Enter the hour and minute"),
            },
            fields=fields,
            **kwargs,
        )

    def compress(self, data_list):
        hour, minute = data_list
        if hour in (None, "") or minute in (None, ""):
            return None
        try:
            return time(int(hour), int(minute))
        except ValueError:
            raise ValidationError(_("Enter a real time, from 0 00 to 23 59")) from None


def _radios(label, choices, *, required=True, message=None, help_text=None):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        help_text=help_text,
        widget=forms.RadioSelect,
        error_messages={"required": message or _("Select an answer")},
    )


class VisitForm(ServiceForm):
    """What happened on a visit. `agency` is the visiting agency, left out of the joint-visit list."""

    submit_label = _("Save visit")
    # Service argument names that a form field shows under another name.
    SERVICE_FIELDS = {"visited_at": "visited_on", "other_agency_ids": "other_agencies"}

    visited_on = GovukDateField(
        label=_("Date of the visit"), help_text=DATE_HINT, error_name=_("the visit's date")
    )
    visited_time = GovukTimeField(
        label=_("Time of the visit"), help_text=_("Use the 24-hour clock, for example 14 30")
    )
    kind = _radios(_("How did you see them?"), HomeVisit.Kind.choices, message=_("Select how you saw them"))
    outcome = _radios(_("Outcome"), HomeVisit.Outcome.choices, message=_("Select the outcome of the visit"))
    staff_names = forms.CharField(
        label=_("Visiting staff"),
        help_text=_("Everyone who visited, with their agency if it was a joint visit."),
        max_length=300,
        error_messages={
            "required": _("Enter the names of the visiting staff"),
            "max_length": _("Visiting staff must be 300 characters or fewer"),
        },
    )
    other_agencies = forms.ModelMultipleChoiceField(
        label=_("Was this a joint visit? Select the other agencies (optional)"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Select the other agencies from the list")},
    )
    property_in_good_order = _radios(_("Is the property kept in good order?"), YES_NO, required=False)
    drug_test = _radios(
        _("Drug test"),
        DRUG_TESTS,
        required=False,
        help_text=_(
            "Choose “Asked for, but not taken” if they refused or could not give a sample, "
            "and “Not asked for this time” if no test was asked for on this visit."
        ),
    )
    engagement = _radios(_("Engagement"), ENGAGEMENT, required=False)
    support_hours = forms.DecimalField(
        label=_("Support hours delivered"),
        help_text=_("In hours, for example 1.5. Enter 0 if none."),
        required=False,
        # The column's numeric(4, 2) and its 0 to 24 check: nothing bigger reaches the database.
        max_digits=4,
        decimal_places=2,
        min_value=0,
        max_value=MAX_SUPPORT_HOURS,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "invalid": _("Enter support hours as a number, for example 1.5"),
            "max_decimal_places": _("Enter support hours with no more than 2 decimal places"),
            "max_digits": _("Support hours must be a number from 0 to 24"),
            "max_whole_digits": _("Support hours must be a number from 0 to 24"),
            "min_value": _("Support hours must be a number from 0 to 24"),
            "max_value": _("Support hours must be a number from 0 to 24"),
        },
    )
    concern_raised = forms.BooleanField(
        label=_("Raise a concern with the IOM team"),
        help_text=_("The IOM officers see it on their dashboard straight away."),
        required=False,
    )
    concern = forms.CharField(label=_("Describe the concern"), widget=forms.Textarea, required=False)
    notes = forms.CharField(label=_("Notes (optional)"), widget=forms.Textarea, required=False)
    next_visit_on = GovukDateField(
        label=_("Next planned visit (optional)"),
        help_text=DATE_HINT,
        required=False,
        error_name=_("the date of the next visit"),
    )

    def __init__(self, *args, agency: Agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other_agencies"].queryset = (
            Agency.objects.filter(active=True)
            .exclude(pk=agency.pk)
            .exclude(kind=Agency.Kind.COMMISSIONER)
            .order_by("name")
        )
        self.helper.layout = Layout(
            *self._layout_before(),
            Field("visited_on"),
            Field("visited_time"),
            self._choices("kind"),
            self._choices("outcome"),
            Field.text("staff_names"),
            self._choices("other_agencies"),
            self._heading(_("Checks")),
            self._choices("property_in_good_order"),
            self._choices("drug_test"),
            self._choices("engagement"),
            Field.text("support_hours", field_width=4),
            self._heading(_("Concern and notes")),
            Field("concern_raised", template="agencies/includes/concern_fields.html"),
            Field.textarea("notes", rows=4),
            Field("next_visit_on"),
            *self._layout_after(),
        )

    @staticmethod
    def _choices(name):
        return Field(name, template="agencies/includes/choices_field.html")

    @staticmethod
    def _heading(text):
        return HTML(format_html('<h2 class="govuk-heading-m">{}</h2>', text))

    def _layout_before(self):
        return ()

    def _layout_after(self):
        return ()

    def clean(self):
        data = super().clean()
        day, at = data.get("visited_on"), data.get("visited_time")
        if day and at:
            data["visited_at"] = timezone.make_aware(datetime.combine(day, at))
        # Un-ticking "Raise a concern" hides the concern box: what was in it goes with it (a page
        # that asked to delete text the user can no longer see would be a dead end). The service
        # still refuses concern text without the tick, for API clients.
        if not data.get("concern_raised"):
            data["concern"] = ""
        # The service decides; asking here too shows this beside the other missing answers at once.
        elif not (data.get("concern") or "").strip():
            self.add_error("concern", _("Describe the concern for the IOM team"))
        return data

    def service_kwargs(self) -> dict:
        """The cleaned answers as `visit_record` and `visit_correct` take them."""
        data = self.cleaned_data
        good_order = data["property_in_good_order"]
        return {
            "visited_at": data["visited_at"],
            "kind": data["kind"],
            "outcome": data["outcome"],
            "staff_names": data["staff_names"],
            "other_agency_ids": [agency.pk for agency in data["other_agencies"]],
            "property_in_good_order": {"yes": True, "no": False}.get(good_order),
            "drug_test": data["drug_test"],
            "engagement": data["engagement"],
            "support_hours": data["support_hours"] if data["support_hours"] is not None else 0,
            "concern_raised": data["concern_raised"],
            "concern": data["concern"],
            "notes": data["notes"],
            "next_visit_on": data["next_visit_on"],
        }

    def add_service_error(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            error = ValidationError(
                {self.SERVICE_FIELDS.get(name, name): errors for name, errors in error.error_dict.items()}
            )
        super().add_service_error(error)

    @classmethod
    def initial_for(cls, visit: HomeVisit) -> dict:
        """The form's answers for an existing visit (to correct it)."""
        at = timezone.localtime(visit.visited_at)
        return {
            "visited_on": at.date(),
            "visited_time": at.time(),
            "kind": visit.kind,
            "outcome": visit.outcome,
            "staff_names": visit.staff_names,
            "other_agencies": [agency.pk for agency in visit.other_agencies.all()],
            "property_in_good_order": {True: "yes", False: "no"}.get(visit.property_in_good_order, ""),
            "drug_test": visit.drug_test,
            "engagement": visit.engagement,
            "support_hours": f"{visit.support_hours.normalize():f}",
            "concern_raised": visit.concern_raised,
            "concern": visit.concern,
            "notes": visit.notes,
            "next_visit_on": visit.next_visit_on,
        }


class VisitCorrectForm(BasedOn, VisitForm):
    """A correction carries its basis: the latest correction the page was shown with (0: none)."""

    submit_label = _("Save correction")

    reason = forms.CharField(
        label=_("Why are you correcting this visit?"),
        help_text=_("The correction and its reason are kept with the visit."),
        widget=forms.Textarea,
        error_messages={"required": _("Enter why you are correcting the visit")},
    )

    def _layout_after(self):
        return (
            self._heading(_("Reason for the correction")),
            Field.textarea("reason", rows=3),
            Field("basis"),
        )

    @staticmethod
    def basis_of(visit: HomeVisit) -> int:
        return visit.corrections.order_by("-pk").values_list("pk", flat=True).first() or 0

    def service_kwargs(self) -> dict:
        return {
            **super().service_kwargs(),
            "reason": self.cleaned_data["reason"],
            "based_on_correction": self.cleaned_data["basis"],
        }


class VisitsDueFilterForm(forms.Form):
    """Filters of the visits due: the agency (for officers and managers, who follow every agency)
    and the member of staff who planned the visit (in the chosen agency, or the user's own)."""

    agency = forms.TypedChoiceField(label=_("Agency"), coerce=int, required=False, empty_value=None)
    worker = forms.TypedChoiceField(label=_("Planned by"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, every_agency: bool, own_agency: Agency | None, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = own_agency
        if every_agency:
            agencies = list(Agency.objects.filter(active=True).order_by("name").values_list("pk", "name"))
            self.fields["agency"].choices = [("", _("All agencies")), *agencies]
            wanted = self.data.get("agency", "") if self.is_bound else ""
            chosen = next((pk for pk, _name in agencies if str(pk) == wanted), None)
        else:
            del self.fields["agency"]
        staff = (
            StaffMembership.objects.filter(agency=chosen, active=True)
            .select_related("user")
            .order_by("user__last_name", "user__first_name")
            if chosen is not None
            else []
        )
        self.fields["worker"].choices = [("", _("Anyone"))] + [
            (member.user_id, member.user.get_full_name() or member.user.username) for member in staff
        ]
