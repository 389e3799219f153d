"""Forms for booking, arrival, renewal, ending and void periods; each hands its data to a service."""

from django import forms
from django.utils.translation import gettext_lazy as _

from iom_housing.forms import GovukDateField, ServiceForm
from placements.models import LICENCE_TERM_MAX_DAYS, DepartureReason, Destination, Property, VoidPeriod

DATE_HINT = _("For example, 27 3 2026")


def _days_field(label, help_text=None):
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        min_value=1,
        max_value=LICENCE_TERM_MAX_DAYS,
        initial=LICENCE_TERM_MAX_DAYS,
        error_messages={
            "required": _("Enter the number of days, from 1 to 28"),
            "invalid": _("Enter the number of days as a number, from 1 to 28"),
            "min_value": _("A licence term must be from 1 to 28 days"),
            "max_value": _("A licence term must be from 1 to 28 days"),
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )


class AvailabilityForm(ServiceForm):
    submit_label = _("Find bedspaces")
    method = "get"
    starts_on = GovukDateField(label=_("Arrival date"), help_text=DATE_HINT)
    days = _days_field(_("Length of the first licence term (days)"), _("From 1 to 28 days."))
    area = forms.ChoiceField(label=_("Area"), required=False)
    restriction = forms.ChoiceField(
        label=_("Property restriction"),
        choices=[("", _("Any"))] + Property.Restriction.choices,
        required=False,
    )
    accessible = forms.BooleanField(label=_("Accessible (step-free) only"), required=False)

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("All areas"))] + [(area, area) for area in areas]


class PlaceForm(ServiceForm):
    submit_label = _("Book this bedspace")
    bedspace = forms.IntegerField(widget=forms.HiddenInput)
    starts_on = forms.DateField(widget=forms.HiddenInput)
    days = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=LICENCE_TERM_MAX_DAYS)


class ConfirmForm(ServiceForm):
    submit_label = _("Confirm booking")


class ArriveForm(ServiceForm):
    submit_label = _("Record arrival")
    arrived_on = GovukDateField(
        label=_("When did they arrive?"), help_text=_("Today, or up to 14 days ago. For example, 27 3 2026")
    )


class NotArrivedForm(ServiceForm):
    submit_label = _("Record that they did not arrive")
    notes = forms.CharField(label=_("What happened? (optional)"), widget=forms.Textarea, required=False)


class CancelForm(ServiceForm):
    submit_label = _("Cancel booking")
    reason = forms.CharField(
        label=_("Why is the booking cancelled?"),
        widget=forms.Textarea,
        error_messages={"required": _("Enter why the booking is cancelled")},
    )


class RenewForm(ServiceForm):
    submit_label = _("Renew licence")
    days = _days_field(
        _("Length of the new licence term (days)"),
        _("From 1 to 28 days, starting the day the current term ends."),
    )
    reason = forms.CharField(
        label=_("Reason for renewing"),
        help_text=_("For example: awaiting an offer of social housing."),
        widget=forms.Textarea,
        error_messages={"required": _("Enter the reason for renewing the licence")},
    )


class EndForm(ServiceForm):
    submit_label = _("End placement")
    departed_on = GovukDateField(label=_("When did they leave?"), help_text=DATE_HINT)
    reason = forms.ChoiceField(
        label=_("Why did they leave?"),
        choices=DepartureReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the reason for leaving")},
    )
    destination = forms.ChoiceField(
        label=_("Where did they move on to?"),
        choices=Destination.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select where the person moved on to")},
    )


class VoidForm(ServiceForm):
    submit_label = _("Add void period")
    starts_on = GovukDateField(label=_("First day out of use"), help_text=DATE_HINT)
    ends_on = GovukDateField(
        label=_("Back in use on (optional)"),
        help_text=_("Leave blank if not known yet. For example, 27 3 2026"),
        required=False,
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=VoidPeriod.Reason.choices, widget=forms.RadioSelect)
    notes = forms.CharField(label=_("Notes (optional)"), widget=forms.Textarea, required=False)


class VoidEndForm(ServiceForm):
    submit_label = _("End void period")
    ends_on = GovukDateField(label=_("Back in use on"), help_text=DATE_HINT)


class ExclusionForm(ServiceForm):
    submit_label = _("Mark as unsuitable")
    property = forms.ModelChoiceField(
        label=_("Property"),
        queryset=Property.objects.filter(active=True).order_by("name"),
        empty_label=_("Select a property"),
        error_messages={"required": _("Select the property")},
    )
    reason = forms.CharField(
        label=_("Why is it unsuitable for this person?"),
        help_text=_("For example: near the victim's home, or near associates."),
        widget=forms.Textarea,
        error_messages={"required": _("Enter why the property is unsuitable for this person")},
    )


class AcknowledgeForm(ServiceForm):
    submit_label = _("Acknowledge")
    note = forms.CharField(
        label=_("What is being done? (optional)"), widget=forms.Textarea, required=False, max_length=2000
    )
