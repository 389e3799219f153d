"""Scheme managers' pages for the stock: add and change a property, add a bedspace, rename one
or take it out of use and back. Thin: the form checks the input, `services_properties` saves.
Officers see the properties (placements.views) and change none of them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from iom_housing.access import can_user_manage_properties, require
from placements import services_properties
from placements.forms import BedspaceForm, PropertyForm
from placements.models import Bedspace, Property

managers = require(can_user_manage_properties)


def _model_form_page(request, *, form, action, context: dict, success_url, success_message: str):
    """`iom_housing.pages.form_page` for a ModelForm: the form checks as the model does, the
    service saves, and a refusal of the service shows by its field."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = action(form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, success_message)
            return redirect(success_url(saved) if callable(success_url) else success_url)
    return render(request, "form_page.html", {**context, "form": form})


def _data(request):
    return request.POST if request.method == "POST" else None


@managers
def property_add(request):
    return _model_form_page(
        request,
        form=PropertyForm(_data(request)),
        action=lambda data: services_properties.property_add(data=data, by=request.user),
        context={"title": _("Add a property"), "back_url": reverse("placements:property-list")},
        success_url=lambda property_: property_.get_absolute_url(),
        success_message=_("Property added. Add its bedspaces next."),
    )


@managers
def property_change(request, pk):
    property_ = get_object_or_404(Property.objects.select_related("local_authority"), pk=pk)
    url = property_.get_absolute_url()
    return _model_form_page(
        request,
        # The form checks a copy: the page's caption keeps the name as saved.
        form=PropertyForm(_data(request), instance=Property.objects.get(pk=pk)),
        action=lambda data: services_properties.property_update(
            property_id=property_.pk, data=data, by=request.user
        ),
        context={"title": _("Change the property's details"), "caption": property_.name, "back_url": url},
        success_url=url,
        success_message=_("Property details saved"),
    )


@managers
def bedspace_add(request, pk):
    property_ = get_object_or_404(Property, pk=pk)
    url = property_.get_absolute_url()
    return _model_form_page(
        request,
        form=BedspaceForm(_data(request), property_=property_, initial={"active": True}),
        action=lambda data: services_properties.bedspace_add(
            property_id=property_.pk, label=data["label"], active=data["active"], by=request.user
        ),
        context={"title": _("Add a bedspace"), "caption": property_.name, "back_url": url},
        success_url=url,
        success_message=_("Bedspace added"),
    )


@managers
def bedspace_change(request, pk):
    bedspace = get_object_or_404(Bedspace.objects.select_related("property"), pk=pk)
    url = bedspace.property.get_absolute_url()
    return _model_form_page(
        request,
        form=BedspaceForm(_data(request), property_=bedspace.property, instance=Bedspace.objects.get(pk=pk)),
        action=lambda data: services_properties.bedspace_update(
            bedspace_id=bedspace.pk, label=data["label"], active=data["active"], by=request.user
        ),
        context={
            "title": _("Change a bedspace"),
            "caption": str(bedspace),
            "back_url": url,
        },
        success_url=url,
        success_message=_("Bedspace saved"),
    )
