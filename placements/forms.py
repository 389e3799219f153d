"""Forms for booking, arrival, renewal, ending, void periods and support plans; each hands its data
to a service. Each form that changes a record carries its basis (`BasedOn`): the version of the
record it was shown from."""

from crispy_forms_gds.layout import HTML, Field, Layout, Size
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from iom_housing.basis import BasedOn
from iom_housing.forms import BoundedDateField, GovukDateField, IdField, ServiceForm
from placements.models import (
    DESTINATION_DETAILS_MAX,
    LEAVING_REASONS,
    LICENCE_TERM_MAX_DAYS,
    Bedspace,
    Destination,
    LocalAuthority,
    Property,
    SupportTier,
    Transfer,
    VoidPeriod,
    normalised_postcode,
)
from placements.selectors import area_choices
from placements.services_properties import PROPERTY_FIELDS
from placements.sharing import OVERRIDE_FIELD

DATE_HINT = _("For example, 27 3 2026")


class SharingOverride(forms.Form):
    """A form whose stay the sharing rule (placements.sharing) may find in conflict: an IOM
    officer (`can_override`) gets a box for the reason to go ahead anyway; others see the
    refusal at the top of the form."""

    def __init__(self, *args, can_override: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if can_override:
            self.fields[OVERRIDE_FIELD] = forms.CharField(
                label=_("Reason to go ahead despite a sharing conflict (optional)"),
                help_text=_(
                    "Only if this stay conflicts with the property or the people sharing it: say why "
                    "it is safe. It is kept with the placement."
                ),
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
            )
            lay_out = getattr(self, "lay_out", None)
            if lay_out is not None:
                lay_out()


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
    starts_on = GovukDateField(label=_("Arrival date"), help_text=DATE_HINT, error_name=_("the arrival date"))
    days = _days_field(_("Length of the first licence term (days)"), _("From 1 to 28 days."))
    area = forms.ChoiceField(label=_("Area"), required=False)
    restriction = forms.ChoiceField(
        label=_("Property restriction"),
        choices=[("", _("Any"))] + Property.Restriction.choices,
        required=False,
    )
    accessible = forms.BooleanField(label=_("Accessible (step-free) only"), required=False)

    def __init__(self, *args, areas=(), today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["area"].choices = [("", _("All areas")), *area_choices(areas)]

    def clean_starts_on(self):
        starts_on = self.cleaned_data["starts_on"]
        if self.today is not None and starts_on is not None and starts_on < self.today:
            raise forms.ValidationError(_("The arrival date must be today or in the future"))
        return starts_on


class PlaceForm(SharingOverride, BasedOn, ServiceForm):
    submit_label = _("Book this bedspace")
    bedspace = IdField(widget=forms.HiddenInput)
    starts_on = BoundedDateField(widget=forms.HiddenInput)
    days = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=LICENCE_TERM_MAX_DAYS)
    # Sent from the page that showed who shares the property: book now, with any override.
    checked = forms.BooleanField(widget=forms.HiddenInput, required=False)
    sharing_seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class ConfirmForm(BasedOn, ServiceForm):
    submit_label = _("Confirm booking")


class ArriveForm(BasedOn, ServiceForm):
    submit_label = _("Record arrival")
    arrived_on = GovukDateField(
        label=_("When did they arrive?"),
        help_text=_("Today, or up to 14 days ago. For example, 27 3 2026"),
        error_name=_("the date they arrived"),
    )


class NotArrivedForm(BasedOn, ServiceForm):
    submit_label = _("Record that they did not arrive")
    notes = forms.CharField(label=_("What happened? (optional)"), widget=forms.Textarea, required=False)


class CancelForm(BasedOn, ServiceForm):
    submit_label = _("Cancel booking")
    reason = forms.CharField(
        label=_("Why is the booking cancelled?"),
        widget=forms.Textarea,
        error_messages={"required": _("Enter why the booking is cancelled")},
    )


class RenewForm(SharingOverride, BasedOn, ServiceForm):
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

    # Set when the service refused the renewal because of the bedspace (its error's code): the
    # page then offers to move the person.
    offer_transfer = False

    def add_service_error(self, error) -> None:
        if hasattr(error, "error_dict"):
            self.offer_transfer = any(
                item.code == "renewal_blocked" for items in error.error_dict.values() for item in items
            )
        super().add_service_error(error)


class EndForm(BasedOn, ServiceForm):
    """Step 1 of ending a placement; the answers are checked on the next page before anything changes."""

    submit_label = _("Continue")
    departed_on = GovukDateField(
        label=_("When did they leave?"), help_text=DATE_HINT, error_name=_("the date they left")
    )
    reason = forms.ChoiceField(
        label=_("Why did they leave?"),
        choices=LEAVING_REASONS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the reason for leaving")},
    )
    destination = forms.ChoiceField(
        label=_("Where did they move on to?"),
        choices=Destination.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select where the person moved on to")},
    )
    destination_details = forms.CharField(
        label=_("If other, where did they move on to?"),
        help_text=_("For example, staying with a friend in Aberaeron. Only for “Other”."),
        max_length=DESTINATION_DETAILS_MAX,
        required=False,
    )


class EndingCorrectForm(EndForm):
    """An ended placement's departure, reason and destination, with why they are corrected."""

    submit_label = _("Correct the ending")
    correction_reason = forms.CharField(
        label=_("Why are you correcting the ending?"),
        help_text=_("For example, the destination was recorded before the tenancy fell through."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Enter the reason for the correction")},
    )


class VoidForm(ServiceForm):
    submit_label = _("Add void period")
    starts_on = GovukDateField(
        label=_("First day out of use"), help_text=DATE_HINT, error_name=_("the first day out of use")
    )
    ends_on = GovukDateField(
        label=_("Back in use on (optional)"),
        help_text=_("Leave blank if not known yet. For example, 27 3 2026"),
        required=False,
        error_name=_("the date it is back in use"),
    )
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=VoidPeriod.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select why the bedspace is out of use")},
    )
    notes = forms.CharField(label=_("Notes (optional)"), widget=forms.Textarea, required=False)


class VoidEndForm(BasedOn, ServiceForm):
    submit_label = _("End void period")
    ends_on = GovukDateField(
        label=_("Back in use on"), help_text=DATE_HINT, error_name=_("the date it is back in use")
    )


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
        max_length=300,  # the column's length
        error_messages={
            "required": _("Enter why the property is unsuitable for this person"),
            "max_length": _("The reason must be 300 characters or fewer"),
        },
    )


class PropertyFilterForm(forms.Form):
    area = forms.ChoiceField(label=_("Area"), required=False)

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("All areas")), *area_choices(areas)]


class SupportPlanForm(BasedOn, ServiceForm):
    """The tier, and for each agency a checkbox and its visit frequency beside it.

    Every agency's frequency input is on the page (revealed under its checkbox with JavaScript, all
    shown without it), so the form works without JavaScript and an error sits beside the agency
    it is about. `cleaned_data["visits"]` maps each chosen agency's id to its frequency.
    """

    submit_label = _("Save support plan")
    tier = forms.ChoiceField(
        label=_("Support tier"),
        help_text=_("Hours of support a week from all the agencies together."),
        choices=SupportTier.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the support tier")},
    )
    agencies = forms.TypedMultipleChoiceField(
        label=_("Which agencies support this placement?"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Select at least one agency that supports this placement")},
    )
    notes = forms.CharField(
        label=_("Notes (optional)"), widget=forms.Textarea, required=False, max_length=2000
    )

    def __init__(self, *args, agencies=(), plan=None, **kwargs):
        current = {}
        if plan is not None:
            current = {row.agency_id: row for row in plan.support_agencies.all() if row.ended_on is None}
            kwargs["initial"] = {
                "tier": plan.tier,
                "notes": plan.notes,
                "agencies": list(current),
                **kwargs.get("initial", {}),
            }
        super().__init__(*args, **kwargs)
        self.agency_list = list(agencies)
        self.fields["agencies"].choices = [(agency.pk, agency.name) for agency in self.agency_list]
        notes = self.fields.pop("notes")
        for agency in self.agency_list:
            row = current.get(agency.pk)
            self.fields[self.days_field(agency.pk)] = forms.CharField(
                label=_("Visit every"),
                required=False,
                initial=row.visit_every_days if row else 7,
                widget=forms.TextInput(attrs={"inputmode": "numeric"}),
            )
        self.fields["notes"] = notes
        self.helper.layout = Layout(
            Field("basis"),
            Field.radios("tier", legend_size=Size.SMALL),
            HTML('{% include "placements/includes/support_agencies_field.html" %}'),
            Field.textarea("notes", rows=4),
        )

    @staticmethod
    def days_field(agency_id: int) -> str:
        return f"visit_every_days_{agency_id}"

    def agency_rows(self):
        """For the template: each agency with whether it is ticked and its frequency field."""
        chosen = {str(value) for value in (self["agencies"].value() or [])}
        return [
            {"agency": agency, "checked": str(agency.pk) in chosen, "days": self[self.days_field(agency.pk)]}
            for agency in self.agency_list
        ]

    def clean(self):
        data = super().clean()
        visits = {}
        for agency_id in data.get("agencies") or []:
            name = self.days_field(agency_id)
            raw = (data.get(name) or "").strip()
            if not raw:
                self.add_error(name, _("Enter how often the agency visits, from 1 to 28 days"))
            elif not (raw.isascii() and raw.isdigit() and len(raw) <= 3):
                self.add_error(name, _("Enter the number of days as a number, from 1 to 28"))
            else:
                visits[agency_id] = int(raw)
        data["visits"] = visits
        return data

    def add_service_error(self, error) -> None:
        """A frequency refused by the service goes beside that agency's input."""
        if not hasattr(error, "error_dict"):
            return super().add_service_error(error)
        for field, errors in error.error_dict.items():
            for item in errors:
                target = field
                if field == "agencies" and item.code == "visit_every_days":
                    target = self.days_field(item.params["agency_id"])
                self.add_error(target if target in self.fields else None, item)


class TransferForm(SharingOverride, BasedOn, ServiceForm):
    """Move the person to another bedspace: where, when, why."""

    submit_label = _("Move them")
    bedspace = forms.ModelChoiceField(
        label=_("Which bedspace are they moving to?"),
        queryset=Bedspace.objects.none(),
        empty_label=_("Select a bedspace"),
        error_messages={"required": _("Select the bedspace they are moving to")},
    )
    moved_on = GovukDateField(
        label=_("When do they move?"), help_text=_("Today, or up to 14 days ago. For example, 27 3 2026")
    )
    reason = forms.ChoiceField(
        label=_("Why are they moving?"),
        choices=Transfer.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select why they are moving")},
    )
    details = forms.CharField(
        label=_("What happened?"),
        help_text=_("For example: the boiler failed and the flat has no heating."),
        widget=forms.Textarea,
        max_length=2000,
        error_messages={
            "required": _("Enter what happened and why they are moving"),
            "max_length": _("The details must be 2,000 characters or fewer"),
        },
    )
    days = _days_field(
        _("Length of the licence in the new bedspace (days)"),
        _("From 1 to 28 days, from the day of the move."),
    )

    def __init__(self, *args, bedspaces=None, **kwargs):
        """`bedspaces` maps each bedspace offered (by id) to (bedspace, its label)."""
        super().__init__(*args, **kwargs)
        if bedspaces is not None:
            field = self.fields["bedspace"]
            field.queryset = Bedspace.objects.filter(pk__in=list(bedspaces)).select_related("property")
            # The choices in the order given (free now first), labelled with when each is free.
            field.choices = [("", field.empty_label)] + [
                (pk, label) for pk, (_bedspace, label) in bedspaces.items()
            ]

    def clean(self):
        data = super().clean()
        if "bedspace" in data:
            data["bedspace_id"] = data.pop("bedspace").pk
        return data


# Scheme managers' pages for the properties and their bedspaces ------------------------------


# The characteristics a scheme manager sets on the property pages. Explicit, so that a field
# added to the model is offered only when someone decides it belongs on the page.
class PropertyForm(ServiceForm, forms.ModelForm):
    """A property's details, checked as the model checks them (a unique name, a UK postcode, a
    cost of £0 or more, a turnaround of 20 working days at most), every error by its field. It
    validates only: `services_properties` saves."""

    submit_label = _("Save property")

    class Meta:
        model = Property
        fields = list(PROPERTY_FIELDS)
        labels = {
            "name": _("Name"),
            "address_line_1": _("Address line 1"),
            "address_line_2": _("Address line 2 (optional)"),
            "town": _("Town or city"),
            "postcode": _("Postcode"),
            "local_authority": _("Area (local authority)"),
            "provider": _("Provider or landlord"),
            "weekly_cost": _("Weekly cost (£)"),
            "restriction": _("Restriction"),
            "accessible": _("Accessible (step-free)"),
            "unsuitable_for_sexual_risk": _("Not suitable for a person with a sexual risk"),
            "unsuitable_for_arson": _("Not suitable for a person with an arson history"),
            "near_school": _("Near a school"),
            "turnaround_days": _("Turnaround (working days)"),
            "notes": _("Notes (optional)"),
            "active": _("In use (offered when booking)"),
        }
        widgets = {"restriction": forms.RadioSelect}
        help_texts = {
            "name": _("As officers know it, for example Harbour View."),
            "postcode": _("For example, SY23 1AB"),
            "weekly_cost": _("What the scheme pays for the property each week, for example 150.00"),
        }
        error_messages = {
            "name": {"required": _("Enter the property's name")},
            "address_line_1": {"required": _("Enter the first line of the address")},
            "town": {"required": _("Enter the town or city")},
            "postcode": {
                "required": _("Enter the postcode"),
                "max_length": _("Enter a real UK postcode, like SY23 1AB"),
            },
            "local_authority": {
                "required": _("Select the area the property is in"),
                "invalid_choice": _("Select the area the property is in"),
            },
            "provider": {"required": _("Enter the provider or landlord")},
            "weekly_cost": {
                "required": _("Enter the weekly cost"),
                "invalid": _("Enter the weekly cost as a number of pounds, like 150.00"),
                "max_digits": _("Enter a weekly cost under £1,000,000"),
                "max_whole_digits": _("Enter a weekly cost under £1,000,000"),
                "max_decimal_places": _("Enter the weekly cost to the penny, like 150.00"),
            },
            "turnaround_days": {
                "required": _("Enter the turnaround in working days"),
                "invalid": _("Enter the turnaround as a whole number of working days"),
                "min_value": _("The turnaround cannot be less than 0 working days"),
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        area = self.fields["local_authority"]
        current = self.instance.local_authority_id if self.instance.pk else None
        # The areas in use, and the property's own if it is no longer in use; named in the page's language.
        areas = LocalAuthority.objects.filter(Q(in_use=True) | Q(pk=current))
        area.choices = [("", _("Select an area")), *area_choices(areas)]  # type: ignore[attr-defined]
        self.fields["notes"].widget.attrs["rows"] = 3
        for name in ("name", "address_line_1", "address_line_2", "town", "provider"):
            self.fields[name].strip = True  # type: ignore[attr-defined]
        self.lay_out()

    def clean_postcode(self):
        return normalised_postcode(self.cleaned_data["postcode"])

    def clean_name(self):
        # Unique whatever its case: "harbour view" is the Harbour View officers already book.
        name = self.cleaned_data["name"]
        others = Property.objects.filter(name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("There is already a property with this name"))
        return name


class BedspaceForm(ServiceForm, forms.ModelForm):
    """A bedspace's label and whether it is in use, its label unique within its property."""

    submit_label = _("Save bedspace")

    class Meta:
        model = Bedspace
        fields = ["label", "active"]
        labels = {"label": _("Label"), "active": _("In use (offered when booking)")}
        help_texts = {"label": _("For example, Flat 1 or Room 2.")}
        error_messages = {"label": {"required": _("Enter the bedspace's label")}}

    def __init__(self, *args, property_: Property, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.property = property_
        self.fields["label"].strip = True  # type: ignore[attr-defined]
        self.lay_out()

    def clean_label(self):
        label = self.cleaned_data["label"]
        others = Bedspace.objects.filter(property=self.instance.property, label__iexact=label)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(
                _("%(property)s already has a bedspace called %(label)s")
                % {"property": self.instance.property.name, "label": label}
            )
        return label
