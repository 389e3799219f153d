"""The report's assumptions page: the unit costs every report prices the alternatives and the
costs avoided with, each with its source and date. Whoever reads reports sees them; a scheme
manager changes them (`reports.services.unit_cost_update`, its change history kept)."""

from decimal import Decimal

from django import forms
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from iom_housing.access import can_user_edit_report_assumptions, can_user_view_reports, require
from iom_housing.forms import GovukDateField, ServiceForm
from iom_housing.pages import form_page
from reports import services
from reports.metrics.cost import RECALL_CUSTODY_NIGHTS
from reports.models import UNIT_COST_USES, UnitCost

# A unit cost's figures: pounds and pence, up to the model's 12 digits.
MAX_POUNDS = Decimal("9999999999.99")


def _money_field(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_value=MAX_POUNDS,
        decimal_places=2,
        error_messages={
            "required": _("Enter an amount in pounds, for example 140 or 140.50"),
            "invalid": _("Enter an amount in pounds, for example 140 or 140.50"),
            "min_value": _("The amount must be £0 or more"),
            "max_value": _("The amount must be less than £10,000,000,000"),
            "max_decimal_places": _("The amount must have no more than 2 decimal places (pence)"),
            "max_digits": _("The amount must be less than £10,000,000,000"),
        },
    )


class UnitCostForm(ServiceForm):
    submit_label = _("Save the unit cost")

    low = _money_field(_("Low (£)"))
    central = _money_field(_("Central (£)"))
    high = _money_field(_("High (£)"))
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        help_text=_(
            "The publication and table the figure comes from. Say “illustrative” if it is an estimate."
        ),
        error_messages={"required": _("Enter where the figure comes from")},
    )
    source_date = GovukDateField(
        label=_("Date of the source"),
        help_text=_("For example, 31 10 2024"),
        error_name=_("the date of the source"),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea, max_length=2000)


def _rows(user) -> list[dict]:
    """The unit costs the report uses, in the report's order, with what each is used for."""
    costs = {u.key: u for u in UnitCost.objects.filter(key__in=UNIT_COST_USES)}
    editable = can_user_edit_report_assumptions(user)
    rows = []
    for key, use in UNIT_COST_USES.items():
        cost = costs.get(key)
        rows.append(
            {
                "key": key,
                "cost": cost,
                "figures": [f"£{getattr(cost, f):,.2f}" for f in ("low", "central", "high")] if cost else [],
                "used_for": use,
                "edit_url": reverse("reports:assumption-edit", args=[cost.pk]) if cost and editable else "",
            }
        )
    return rows


@require_GET
@require(can_user_view_reports)
def assumptions(request):
    return render(
        request,
        "reports/assumptions.html",
        {
            "rows": _rows(request.user),
            "recall_nights": RECALL_CUSTODY_NIGHTS,
            "can_edit": can_user_edit_report_assumptions(request.user),
        },
    )


@require(can_user_edit_report_assumptions)
def assumption_edit(request, pk):
    cost = get_object_or_404(UnitCost, pk=pk)
    url = reverse("reports:assumptions")
    initial = {f: getattr(cost, f) for f in ("low", "central", "high", "source", "source_date", "notes")}
    return form_page(
        request,
        form_class=UnitCostForm,
        form_kwargs={"initial": initial},
        action=lambda data: services.unit_cost_update(unit_cost_id=cost.pk, by=request.user, **data),
        context={
            "title": _("Change a unit cost"),
            "caption": f"{cost.name} (per {cost.unit})",
            "back_url": url,
            "used_for": UNIT_COST_USES.get(cost.key, ""),
        },
        success_url=url,
        success_message=_("%(name)s changed. Reports made from now on use the new figures.")
        % {"name": cost.name},
        template="reports/assumption_edit.html",
    )
