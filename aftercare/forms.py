"""Forms for the rent deposit scheme and follow-up checks; each hands its data to a service."""

from typing import Any

from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms
from django.utils.translation import gettext_lazy as _

from aftercare.models import (
    BOND_OUTCOMES,
    CASH_OUTCOMES,
    NOTES_MAX,
    Accommodation,
    ClaimReason,
    DepositKind,
    DepositOutcome,
    Engaging,
)
from iom_housing.forms import GovukDateField, IdField, ServiceForm
from placements.models import Destination

DATE_HINT = _("For example, 27 3 2026")


def _money_field(label, help_text=None, required=True):
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        required=required,
        min_value=0,
        max_digits=8,
        decimal_places=2,
        error_messages={
            "required": _("Enter the amount in pounds"),
            "invalid": _("Enter the amount in pounds, such as 450 or 450.00"),
            "min_value": _("Enter an amount of £0 or more"),
            "max_digits": _("Enter an amount less than £1,000,000"),
            "max_decimal_places": _("Enter the amount in pounds and pence, such as 450.50"),
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
    )


NOTES_LABEL = _("Notes (optional)")


def _notes_field(label=NOTES_LABEL):
    return forms.CharField(
        label=label,
        required=False,
        max_length=NOTES_MAX,
        widget=forms.Textarea,
        help_text=_("%(n)s characters at most. Do not write anything you would not want them to read.")
        % {"n": NOTES_MAX},
    )


class CheckAnswersForm(ServiceForm):
    """A form where money moves: the page shows the answers to check before the service is called.
    `confirmed` is set by the check-answers page's button."""

    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def summary(self) -> list[tuple[str, Any]]:
        """(label, value shown) for each answer, for the check-answers page."""
        rows = []
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.HiddenInput):
                continue
            value = self.cleaned_data.get(name)
            if value in (None, ""):
                continue
            if hasattr(field, "choices"):
                value = dict(field.choices).get(value, value)
            if isinstance(field, forms.DecimalField):
                value = f"£{value:,.2f}"
            rows.append((str(field.label), value))
        return rows


class DepositPayForm(CheckAnswersForm):
    submit_label = _("Continue")
    fund = IdField(
        label=_("Fund"),
        widget=forms.Select,
        error_messages={"required": _("Select the fund the deposit comes from")},
    )
    landlord = IdField(label=_("Landlord"), widget=forms.Select)
    kind = forms.ChoiceField(
        label=_("Cash deposit or bond?"),
        choices=DepositKind.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "A written bond guarantee pays nothing now: it holds the amount in the fund until it is released or claimed."
        ),
        error_messages={"required": _("Select a cash deposit or a written bond guarantee")},
    )
    amount = _money_field(_("Amount (£)"))
    paid_on = GovukDateField(
        label=_("Date paid or given"),
        help_text=DATE_HINT,
        error_name=_("the date the deposit was paid or given"),
    )
    address_line_1 = forms.CharField(
        label=_("Address line 1"),
        max_length=200,
        error_messages={"required": _("Enter the first line of the address")},
    )
    address_line_2 = forms.CharField(label=_("Address line 2 (optional)"), max_length=200, required=False)
    town = forms.CharField(
        label=_("Town or city"), max_length=100, error_messages={"required": _("Enter the town or city")}
    )
    postcode = forms.CharField(
        label=_("Postcode"), max_length=10, error_messages={"required": _("Enter the postcode")}
    )
    notes = _notes_field()

    def __init__(self, *args, funds=(), landlords=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].widget.choices = [(fund.pk, fund.name) for fund in funds]
        self.fields["fund"].choices = self.fields["fund"].widget.choices
        self.fields["landlord"].widget.choices = [("", _("Choose a landlord"))] + [
            (landlord.pk, landlord.name) for landlord in landlords
        ]
        self.fields["landlord"].choices = self.fields["landlord"].widget.choices
        self.fields["landlord"].error_messages["required"] = _("Select the landlord")
        self.helper.layout = Layout(
            Field("confirmed"),
            Field.select("fund"),
            Field.select("landlord"),
            Field.radios("kind", legend_size=Size.SMALL),
            Field.text("amount", field_width=5),
            Field("paid_on"),
            Fieldset(
                Field.text("address_line_1"),
                Field.text("address_line_2"),
                Field.text("town", field_width=20),
                Field.text("postcode", field_width=10),
                legend=_("Address of the tenancy"),
                legend_size=Size.SMALL,
            ),
            Field.textarea("notes", rows=3),
        )

    def summary(self):
        rows = super().summary()
        return (
            [(label, value) for label, value in rows if label != str(self.fields["fund"].label)]
            if len(self.fields["fund"].choices) == 1
            else rows
        )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "fund_id": data["fund"],
            "landlord_id": data["landlord"],
            "kind": data["kind"],
            "amount": data["amount"],
            "paid_on": data["paid_on"],
            "address_line_1": data["address_line_1"],
            "address_line_2": data["address_line_2"],
            "town": data["town"],
            "postcode": data["postcode"],
            "notes": data["notes"],
        }


class DepositReturnForm(CheckAnswersForm):
    outcome = forms.ChoiceField(
        label=_("What happened to it?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Select what happened to the deposit")},
    )
    tenancy_ended_on = GovukDateField(
        label=_("Date the tenancy ended"), help_text=DATE_HINT, error_name=_("the date the tenancy ended")
    )
    returned_amount = _money_field(
        _("Amount returned to the fund (£)"),
        _("Only if the landlord kept part of a cash deposit."),
        required=False,
    )
    claimed_amount = _money_field(
        _("Amount of the bond claim the fund paid (£)"), _("Only if a bond was claimed."), required=False
    )
    claim_reason = forms.ChoiceField(
        label=_("What did the landlord claim for? (if claimed)"),
        choices=[("", _("Nothing claimed"))] + ClaimReason.choices,
        required=False,
    )
    outcome_notes = _notes_field()

    def __init__(self, *args, deposit, **kwargs):
        super().__init__(*args, **kwargs)
        outcomes = CASH_OUTCOMES if deposit.kind == DepositKind.CASH else BOND_OUTCOMES
        self.fields["outcome"].choices = [(o.value, o.label) for o in outcomes]
        if deposit.kind == DepositKind.CASH:
            del self.fields["claimed_amount"]
        else:
            del self.fields["returned_amount"]
        self.lay_out()

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if outcome == DepositOutcome.PART_CLAIMED and data.get("returned_amount") is None:
            self.add_error("returned_amount", _("Enter the amount returned to the fund"))
        if outcome == DepositOutcome.BOND_CLAIMED and data.get("claimed_amount") is None:
            self.add_error("claimed_amount", _("Enter the amount of the claim the fund paid"))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "outcome": data["outcome"],
            "tenancy_ended_on": data["tenancy_ended_on"],
            "returned_amount": data.get("returned_amount"),
            "claimed_amount": data.get("claimed_amount"),
            "claim_reason": data["claim_reason"],
            "notes": data["outcome_notes"],
        }


class TopUpForm(ServiceForm):
    submit_label = _("Add to the fund")
    amount = _money_field(_("Amount (£)"))
    received_on = GovukDateField(
        label=_("Date received"), help_text=DATE_HINT, error_name=_("the date the money was received")
    )
    source = forms.CharField(label=_("From (optional)"), max_length=200, required=False)


class LandlordForm(ServiceForm):
    submit_label = _("Add the landlord")
    name = forms.CharField(
        label=_("Landlord or letting agent"),
        max_length=200,
        error_messages={"required": _("Enter the name of the landlord or letting agent")},
    )
    contact_name = forms.CharField(label=_("Contact name (optional)"), max_length=120, required=False)
    phone = forms.CharField(label=_("Phone (optional)"), max_length=40, required=False)
    email = forms.EmailField(label=_("Email (optional)"), required=False)
    address = forms.CharField(
        label=_("Correspondence address (optional)"), widget=forms.Textarea, required=False, max_length=1000
    )


class LandlordPropertyForm(ServiceForm):
    submit_label = _("Add the property")
    address_line_1 = forms.CharField(
        label=_("Address line 1"),
        max_length=200,
        error_messages={"required": _("Enter the first line of the address")},
    )
    address_line_2 = forms.CharField(label=_("Address line 2 (optional)"), max_length=200, required=False)
    town = forms.CharField(
        label=_("Town or city"), max_length=100, error_messages={"required": _("Enter the town or city")}
    )
    postcode = forms.CharField(
        label=_("Postcode"), max_length=10, error_messages={"required": _("Enter the postcode")}
    )


class DepositFilterForm(ServiceForm):
    submit_label = _("Apply filters")
    method = "get"
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Any"))] + DepositKind.choices, required=False)
    state = forms.ChoiceField(
        label=_("Tenancy"),
        choices=[("", _("Any")), ("open", _("Still running")), ("ended", _("Ended"))],
        required=False,
    )
    landlord = forms.TypedChoiceField(label=_("Landlord"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, landlords=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["landlord"].choices = [("", _("Any"))] + [(lord.pk, lord.name) for lord in landlords]


class FollowUpForm(ServiceForm):
    """Phone-first: three questions and a note."""

    submit_label = _("Save the follow-up")
    accommodation = forms.ChoiceField(
        label=_("Where are they living now?"),
        choices=Accommodation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select where they are living now")},
    )
    moved_to = forms.ChoiceField(
        label=_("If they moved, where to?"),
        choices=[("", _("Choose where they moved to"))] + Destination.choices,
        required=False,
    )
    engaging = forms.ChoiceField(
        label=_("Are they still engaging with services?"),
        choices=Engaging.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select whether they are still engaging with services")},
    )
    notes = _notes_field()

    def clean(self):
        data = super().clean()
        if data.get("accommodation") == Accommodation.MOVED and not data.get("moved_to"):
            self.add_error("moved_to", _("Select where they moved to"))
        return data
