"""Forms for the licence to occupy: the wording, an agreement's signature, a person's own
conditions, a warning, and the first step of an ending for a breach. Each hands its data to a
service in placements/services_licence.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from iom_housing.basis import BasedOn
from iom_housing.forms import GovukDateField, IdField, ServiceForm
from placements.models import (
    CONDITION_TEXT_MAX,
    DESTINATION_DETAILS_MAX,
    NOTICE_DAYS_MAX,
    WARNING_TEXT_MAX,
    AgreementStatus,
    BreachEndingKind,
    Destination,
    WarningLevel,
)

DATE_HINT = _("For example, 27 3 2026")


class WordingForm(ServiceForm):
    submit_label = _("Save as a new version")
    # The version the page showed (0 before the first): a newer one saved meanwhile is refused.
    basis = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    title = forms.CharField(label=_("Title"), max_length=200)
    conditions = forms.CharField(
        label=_("Standard conditions"),
        help_text=_("One condition a line. They are numbered in this order on the agreement."),
        widget=forms.Textarea,
        error_messages={"required": _("Enter the standard conditions")},
    )
    house_rules = forms.CharField(
        label=_("House rules (optional)"),
        help_text=_("One rule a line."),
        widget=forms.Textarea,
        required=False,
    )
    breach = forms.CharField(
        label=_("What happens on a breach"),
        widget=forms.Textarea,
        error_messages={"required": _("Enter what happens on a breach")},
    )
    contacts = forms.CharField(
        label=_("Who to contact"),
        help_text=_("Names or teams and numbers, one a line."),
        widget=forms.Textarea,
        error_messages={"required": _("Enter who to contact")},
    )
    weekly_charge = forms.DecimalField(
        label=_("Weekly charge in pounds (optional)"),
        help_text=_("Leave blank if there is no charge."),
        required=False,
        min_value=0,
        max_digits=7,
        decimal_places=2,
        error_messages={
            "invalid": _("Enter the weekly charge as an amount in pounds, like 25.00"),
            "min_value": _("The weekly charge cannot be less than £0"),
            "max_digits": _("Enter a weekly charge under £100,000"),
            "max_decimal_places": _("Enter the weekly charge in pounds and pence, like 25.50"),
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    charge_text = forms.CharField(
        label=_("About the charge (optional)"), widget=forms.Textarea, required=False
    )
    notice_days = forms.IntegerField(
        label=_("Notice period for a breach (days)"),
        help_text=_("From 1 to 28 days: from the notice to the day the licence ends."),
        min_value=1,
        max_value=NOTICE_DAYS_MAX,
        error_messages={
            "required": _("Enter the notice period in days, from 1 to 28"),
            "invalid": _("Enter the notice period as a number of days, from 1 to 28"),
            "min_value": _("The notice period must be from 1 to 28 days"),
            "max_value": _("The notice period must be from 1 to 28 days"),
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    # The Welsh wording (the agreement is bilingual on a Welsh scheme: SCHEME_RESIDENT_DOCUMENTS).
    # The field's content is Welsh whatever the page's language: `lang="cy"` for screen readers.
    title_cy = forms.CharField(
        label=_("Title in Welsh (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"lang": "cy"}),
    )
    conditions_cy = forms.CharField(
        label=_("Standard conditions in Welsh (optional)"),
        help_text=_("One condition a line, in the same order as in English."),
        widget=forms.Textarea(attrs={"lang": "cy"}),
        required=False,
    )
    house_rules_cy = forms.CharField(
        label=_("House rules in Welsh (optional)"),
        widget=forms.Textarea(attrs={"lang": "cy"}),
        required=False,
    )
    breach_cy = forms.CharField(
        label=_("What happens on a breach, in Welsh (optional)"),
        widget=forms.Textarea(attrs={"lang": "cy"}),
        required=False,
    )
    contacts_cy = forms.CharField(
        label=_("Who to contact, in Welsh (optional)"),
        widget=forms.Textarea(attrs={"lang": "cy"}),
        required=False,
    )
    charge_text_cy = forms.CharField(
        label=_("About the charge, in Welsh (optional)"),
        widget=forms.Textarea(attrs={"lang": "cy"}),
        required=False,
    )


class AgreementRecordForm(ServiceForm):
    submit_label = _("Save")
    status = forms.ChoiceField(
        label=_("Did they sign the agreement?"),
        choices=[
            (AgreementStatus.SIGNED, _("Yes, they signed it")),
            (AgreementStatus.REFUSED, _("No, they refused to sign it")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select whether they signed or refused the agreement")},
    )
    responded_on = GovukDateField(label=_("On what date?"), help_text=DATE_HINT)


class ConditionForm(ServiceForm):
    submit_label = _("Add condition")
    text = forms.CharField(
        label=_("Condition"),
        help_text=_("For example: no visitors after 22:00. It is printed after the standard conditions."),
        max_length=CONDITION_TEXT_MAX,
        widget=forms.Textarea,
        error_messages={
            "required": _("Enter the condition"),
            "max_length": _("The condition must be 300 characters or fewer"),
        },
    )


class ConditionRemoveForm(forms.Form):
    condition = IdField()


class WarningForm(ServiceForm):
    submit_label = _("Record warning")
    level = forms.ChoiceField(
        label=_("Level of warning"),
        choices=WarningLevel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the level of the warning")},
    )
    condition = forms.ChoiceField(
        label=_("Which condition was breached?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the condition that was breached")},
    )
    what_happened = forms.CharField(
        label=_("What happened?"),
        help_text=_("Up to 1000 characters. The supporting agencies can read this."),
        max_length=WARNING_TEXT_MAX,
        widget=forms.Textarea,
        error_messages={
            "required": _("Enter what happened"),
            "max_length": _("What happened must be 1000 characters or fewer"),
        },
    )
    issued_on = GovukDateField(label=_("Date of the warning"), help_text=DATE_HINT)

    def __init__(self, *args, conditions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["condition"].choices = list(conditions)


class BreachForm(BasedOn, ServiceForm):
    submit_label = _("Continue")
    kind = forms.ChoiceField(
        label=_("How does the licence end?"),
        choices=[
            (BreachEndingKind.NOTICE, _("With notice: they stay until the notice period ends")),
            (BreachEndingKind.IMMEDIATE, _("Immediately, for a serious breach: they have left")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select whether notice is given or the licence ends at once")},
    )
    notice_on = GovukDateField(
        label=_("Notice date"),
        help_text=_(
            "The day the notice was given (for an immediate ending, the day they left). For example, 27 3 2026"
        ),
    )
    reason = forms.CharField(
        label=_("Reason for ending the licence"),
        max_length=WARNING_TEXT_MAX,
        widget=forms.Textarea,
        error_messages={
            "required": _("Enter the reason for ending the licence"),
            "max_length": _("The reason must be 1000 characters or fewer"),
        },
    )
    warnings = forms.MultipleChoiceField(
        label=_("Which warnings does it follow? (optional)"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    destination = forms.ChoiceField(
        label=_("Where did they move on to? (immediate ending only)"),
        choices=Destination.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    destination_details = forms.CharField(
        label=_("If other, where did they move on to?"),
        max_length=DESTINATION_DETAILS_MAX,
        required=False,
    )

    def __init__(self, *args, warnings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warnings"].choices = list(warnings)

    def clean(self):
        data = super().clean()
        if data.get("kind") == BreachEndingKind.IMMEDIATE and not data.get("destination"):
            self.add_error("destination", _("Select where the person moved on to"))
        return data
