"""The funding pages: the grants and contributions that pay for the scheme, which the report's
"Funding received" adds up. Scheme managers list, add and change them
(`reports.services.funding_add`, `funding_update`, their change history kept)."""

from django import forms
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from iom_housing.access import can_user_manage_funding, require
from iom_housing.forms import GovukDateField, ServiceForm
from iom_housing.pages import form_page
from reports import services
from reports.assumptions import _money_field
from reports.models import Funding

DATE_HINT = _("For example, 1 4 2026")


class FundingForm(ServiceForm):
    submit_label = _("Save the funding")

    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("For example, “Initial investment” or “Match funding 2026 to 2027”."),
        error_messages={
            "required": _("Enter the funding's name"),
            "max_length": _("Enter a name of 200 characters or fewer"),
        },
    )
    funder = forms.CharField(
        label=_("Funder"),
        max_length=200,
        help_text=_("Who gives it, for example the Police and Crime Commissioner."),
        error_messages={
            "required": _("Enter who gives the funding"),
            "max_length": _("Enter a funder of 200 characters or fewer"),
        },
    )
    kind = forms.ChoiceField(
        label=_("Kind of funding"),
        choices=Funding.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the kind of funding")},
    )
    amount = _money_field(_("Amount (£)"))
    starts_on = GovukDateField(
        label=_("Starts"),
        help_text=_("The report counts it from this day. For example, 1 4 2026"),
        error_name=_("the date the funding starts"),
    )
    ends_on = GovukDateField(
        label=_("Ends (optional)"),
        required=False,
        help_text=_("Leave it empty for a one-off amount: the report spreads it over a year from its start."),
        error_name=_("the date the funding ends"),
    )
    notes = forms.CharField(
        label=_("Notes (optional)"),
        required=False,
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"max_length": _("Enter notes of 2,000 characters or fewer")},
    )

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The end date must be the same as or after the start date"))
        return data


@require_GET
@require(can_user_manage_funding)
def funding_list(request):
    lines = list(Funding.objects.order_by("starts_on", "name"))
    return render(
        request,
        "reports/funding_list.html",
        {"lines": lines, "total": sum((line.amount for line in lines), start=0)},
    )


@require(can_user_manage_funding)
def funding_add(request):
    url = reverse("reports:funding")
    return form_page(
        request,
        form_class=FundingForm,
        form_kwargs={"initial": {"kind": Funding.Kind.GRANT}},
        action=lambda data: services.funding_add(by=request.user, **data),
        context={"title": _("Add funding"), "back_url": url},
        success_url=url,
        success_message=str(_("Funding added. Reports made from now on count it.")),
    )


@require(can_user_manage_funding)
def funding_edit(request, pk: int):
    funding = get_object_or_404(Funding, pk=pk)
    url = reverse("reports:funding")
    return form_page(
        request,
        form_class=FundingForm,
        form_kwargs={"initial": {name: getattr(funding, name) for name in services.FUNDING_FIELDS}},
        action=lambda data: services.funding_update(funding_id=funding.pk, by=request.user, **data),
        context={"title": _("Change funding"), "caption": funding.name, "back_url": url},
        success_url=url,
        success_message=str(_("Funding changed. Reports made from now on count the new figures.")),
    )
