"""Forms for submitting and triaging referrals and recording offending; each hands its data to a
service."""

from crispy_forms_gds.layout import HTML, Field, Layout, Size
from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from iom_housing.basis import BasedOn
from iom_housing.dates import day
from iom_housing.forms import GovukDateField, ServiceForm
from referrals.models import (
    Ethnicity,
    Gender,
    Need,
    OffenceCategory,
    Offender,
    OffenderEvent,
    Referral,
    SexualRiskToAdults,
)
from referrals.selectors import WAITING_FOR_BEDSPACE
from referrals.services import PERSON_FIELDS


class AcceptForm(BasedOn, ServiceForm):
    submit_label = _("Accept referral")
    notes = forms.CharField(label=_("Notes (optional)"), widget=forms.Textarea, required=False)


class DeclineForm(BasedOn, ServiceForm):
    submit_label = _("Decline referral")
    reason = forms.ChoiceField(
        label=_("Why is the referral declined?"),
        choices=Referral.DeclineReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the reason for declining the referral")},
    )
    notes = forms.CharField(
        label=_("Explain the decision"),
        help_text=_("The referring agency sees this. Required when the reason is Other."),
        widget=forms.Textarea,
        required=False,
    )


class WithdrawForm(BasedOn, ServiceForm):
    submit_label = _("Withdraw referral")
    notes = forms.CharField(label=_("Why is it withdrawn?"), widget=forms.Textarea, required=False)


class StartReviewForm(BasedOn, ServiceForm):
    submit_label = _("Start review")


class OffenderEventForm(ServiceForm):
    submit_label = _("Save event")
    kind = forms.ChoiceField(
        label=_("What happened?"),
        choices=OffenderEvent.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select what happened")},
    )
    occurred_on = GovukDateField(
        label=_("Date"), help_text=_("For example, 27 3 2026"), error_name=_("the date it happened")
    )
    offence_category = forms.ChoiceField(
        label=_("Offence category"),
        help_text=_("For an arrest, charge, conviction or caution."),
        choices=[("", _("Select a category"))] + OffenceCategory.choices,
        required=False,
    )
    notes = forms.CharField(label=_("Notes (optional)"), widget=forms.Textarea, required=False)


class ReferralFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, PNC ID or CRN"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            ("", _("Waiting for a decision")),
            (WAITING_FOR_BEDSPACE, _("Accepted, waiting for a bedspace")),
        ]
        + Referral.Status.choices
        + [("all", _("All"))],
        required=False,
    )
    agency = forms.ModelChoiceField(
        label=_("Referring agency"),
        queryset=Agency.objects.filter(active=True),
        required=False,
        empty_label=_("All agencies"),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=[("", _("Any urgency"))] + Referral.Urgency.choices, required=False
    )


class OffenderFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, PNC ID or CRN"), required=False, max_length=100)
    risk = forms.ChoiceField(
        label=_("Risk of serious harm"),
        choices=[("", _("Any risk"))] + Offender.RiskOfSeriousHarm.choices,
        required=False,
    )
    category = forms.ChoiceField(
        label=_("IOM category"),
        choices=[("", _("Any category"))] + Offender.IomCategory.choices,
        required=False,
    )


def _required(message):
    return {"required": message}


class ReferralForm(ServiceForm):
    """A referral with the person's details. The service decides whether the person is already
    recorded; `person()` and `referral()` hand it the data."""

    submit_label = _("Submit referral")

    first_name = forms.CharField(
        label=_("First name"), max_length=100, error_messages=_required(_("Enter the person's first name"))
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=100, error_messages=_required(_("Enter the person's last name"))
    )
    date_of_birth = GovukDateField(
        label=_("Date of birth"), help_text=_("For example, 27 3 1990"), error_name=_("their date of birth")
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=Gender.choices,
        widget=forms.RadioSelect,
        error_messages=_required(_("Select the person's gender")),
    )
    ethnicity = forms.ChoiceField(
        label=_("Ethnic group"),
        choices=[("", _("Select an ethnic group"))] + Ethnicity.choices,
        error_messages=_required(_("Select the person's ethnic group, or Not stated")),
    )
    pnc_id = forms.CharField(
        label=_("PNC ID (optional)"),
        help_text=_("For example, 2004/0123456X. Used to check whether the person is already recorded."),
        max_length=20,
        required=False,
    )
    crn = forms.CharField(
        label=_("Probation CRN (optional)"),
        help_text=_("For example, X123456"),
        max_length=10,
        required=False,
    )
    prison_number = forms.CharField(
        label=_("Prison number (optional)"),
        help_text=_("For example, A1234BC"),
        max_length=10,
        required=False,
    )
    iom_category = forms.ChoiceField(
        label=_("IOM cohort category"),
        choices=Offender.IomCategory.choices,
        widget=forms.RadioSelect,
        error_messages=_required(_("Select the IOM cohort category")),
    )
    risk_of_serious_harm = forms.ChoiceField(
        label=_("Risk of serious harm"),
        choices=Offender.RiskOfSeriousHarm.choices,
        widget=forms.RadioSelect,
        error_messages=_required(_("Select the risk of serious harm")),
    )
    licence_ends_on = GovukDateField(
        label=_("Supervision licence end date (optional)"),
        help_text=_("For example, 27 3 2027"),
        required=False,
        error_name=_("the date the licence ends"),
    )
    safety_warnings = forms.CharField(
        label=_("Safety warnings for visiting staff (optional)"),
        help_text=_("For example: do not visit alone."),
        widget=forms.Textarea,
        required=False,
        max_length=2000,
    )
    sexual_risk_to_adults = forms.ChoiceField(
        label=_("Is the person a sexual risk to adults?"),
        help_text=_("Weighed against who else lives in a shared property."),
        choices=SexualRiskToAdults.choices,
        widget=forms.RadioSelect,
        required=False,
        initial="",
    )
    sexual_risk_to_children = forms.BooleanField(label=_("Sexual risk to children"), required=False)
    arson_history = forms.BooleanField(label=_("Arson history"), required=False)
    violence_to_residents = forms.BooleanField(label=_("Violence to other residents"), required=False)
    urgency = forms.ChoiceField(
        label=_("How urgent is it?"),
        choices=Referral.Urgency.choices,
        widget=forms.RadioSelect,
        error_messages=_required(_("Select how urgent the referral is")),
    )
    wanted_from = GovukDateField(
        label=_("When is a place needed from? (optional)"),
        help_text=_("For example, the release date: 27 3 2026"),
        required=False,
        error_name=_("the date a place is needed from"),
    )
    needs = forms.MultipleChoiceField(
        label=_("Needs"),
        help_text=_("Select all that apply."),
        choices=Need.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    reason = forms.CharField(
        label=_("Why is a place needed?"),
        widget=forms.Textarea,
        max_length=5000,
        error_messages=_required(_("Enter the reason for the referral")),
    )
    risk_summary = forms.CharField(
        label=_("Risk summary"),
        help_text=_("Risks to visiting staff, the public and the person, and what reduces them."),
        widget=forms.Textarea,
        max_length=5000,
        error_messages=_required(_("Enter a summary of the risks, or say that none are known")),
    )
    external_ref = forms.CharField(
        label=_("Your reference (optional)"),
        help_text=_("Your agency's own case reference."),
        max_length=100,
        required=False,
    )

    SECTIONS = {
        "first_name": _("About the person"),
        "pnc_id": _("Identifiers"),
        "iom_category": _("Risk and supervision"),
        "sexual_risk_to_adults": _("Risks when sharing a property"),
        "urgency": _("The referral"),
    }

    # Inputs as wide as what goes in them.
    WIDTHS = {
        "first_name": 20,
        "last_name": 20,
        "pnc_id": 10,
        "crn": 10,
        "prison_number": 10,
        "external_ref": 20,
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A heading before each group of questions, inside the one form.
        fields = list(self.helper.layout.fields)
        names = list(self.fields)
        layout = []
        for name, item in zip(names, fields, strict=True):
            if name in self.SECTIONS:
                layout.append(HTML(format_html('<h2 class="govuk-heading-m">{}</h2>', self.SECTIONS[name])))
            if name in self.WIDTHS:
                extra = {"spellcheck": "false"} if name in ("pnc_id", "crn", "prison_number") else {}
                item = Field.text(name, field_width=self.WIDTHS[name], **extra)
            layout.append(item)
        self.helper.layout.fields = layout

    def person(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in PERSON_FIELDS}

    def referral(self) -> dict:
        data = self.cleaned_data
        return {
            "urgency": data["urgency"],
            "needs": data["needs"],
            "risk_summary": data["risk_summary"],
            "reason": data["reason"],
            "wanted_from": data["wanted_from"],
            "external_ref": data["external_ref"],
        }


DIFFERENT_PERSON = "different"


class SamePersonForm(ServiceForm):
    """Is the person referred one already recorded with the same name and date of birth? The
    question shows back only what the referrer entered: nothing of the record, not even how many
    there are. "Yes" sends the service's match token."""

    submit_label = _("Continue")
    same_person = forms.ChoiceField(
        label=_("Is this the same person?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select whether this is the same person"),
            "invalid_choice": _("Select whether this is the same person"),
        },
    )

    def __init__(self, *args, token: str, person: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["same_person"].choices = [
            (token, gettext("Yes, this is the same person")),
            (DIFFERENT_PERSON, gettext("No, this is a different person")),
        ]
        # The hint is rendered unescaped by the template pack, and names are typed by people.
        self.fields["same_person"].help_text = format_html(
            gettext(
                "We already have a record of someone named {name}, born {born}. If this is them, the "
                "referral is added to their record, and you will see the record once the IOM team "
                "accepts the referral; if not, a new record is made."
            ),
            name=f"{person['first_name']} {person['last_name']}",
            born=day(person["date_of_birth"]),
        )
        # The question is the page's heading.
        self.helper.layout = Layout(Field.radios("same_person", legend_size=Size.LARGE, legend_tag="h1"))
        # The buttons (Continue, and Change the details) are in the page's template.
        self.helper.inputs = []


class SharingRisksForm(ServiceForm):
    """An officer records the person's risks to those sharing a property with them."""

    submit_label = _("Save the sharing risks")
    sexual_risk_to_adults = forms.ChoiceField(
        label=_("Is the person a sexual risk to adults?"),
        choices=SexualRiskToAdults.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    sexual_risk_to_children = forms.BooleanField(label=_("Sexual risk to children"), required=False)
    arson_history = forms.BooleanField(label=_("Arson history"), required=False)
    violence_to_residents = forms.BooleanField(label=_("Violence to other residents"), required=False)
