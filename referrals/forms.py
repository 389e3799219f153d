"""Forms for triaging referrals and recording offending; each hands its data to a service."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from iom_housing.forms import GovukDateField, ServiceForm
from referrals.models import OffenceCategory, Offender, OffenderEvent, Referral


class AcceptForm(ServiceForm):
    submit_label = _("Accept referral")
    notes = forms.CharField(label=_("Notes (optional)"), widget=forms.Textarea, required=False)


class DeclineForm(ServiceForm):
    submit_label = _("Decline referral")
    reason = forms.ChoiceField(
        label=_("Why is the referral declined?"),
        choices=Referral.DeclineReason.choices,
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label=_("Explain the decision"),
        help_text=_("The referring agency sees this. Required when the reason is Other."),
        widget=forms.Textarea,
        required=False,
    )


class WithdrawForm(ServiceForm):
    submit_label = _("Withdraw referral")
    notes = forms.CharField(label=_("Why is it withdrawn?"), widget=forms.Textarea, required=False)


class StartReviewForm(ServiceForm):
    submit_label = _("Start review")


class OffenderEventForm(ServiceForm):
    submit_label = _("Save event")
    kind = forms.ChoiceField(
        label=_("What happened?"), choices=OffenderEvent.Kind.choices, widget=forms.RadioSelect
    )
    occurred_on = GovukDateField(label=_("Date"), help_text=_("For example, 27 3 2026"))
    offence_category = forms.ChoiceField(
        label=_("Offence category"),
        help_text=_("For an arrest, charge, conviction or caution."),
        choices=[("", _("Select a category"))] + OffenceCategory.choices,
        required=False,
    )
    notes = forms.CharField(label=_("Notes (optional)"), widget=forms.Textarea, required=False)


class ReferralFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Waiting for a decision"))] + Referral.Status.choices + [("all", _("All"))],
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
