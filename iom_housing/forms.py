"""Form building blocks shared by the apps: GOV.UK date input, and a form base that renders
with the GOV.UK Frontend template pack and turns service errors into field errors."""

from datetime import date

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class GovukDateField(DateInputField):
    """The GOV.UK date input (day, month, year boxes), with messages that say what to fix."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.error_messages["required"] = _("Enter the day, month and year")
        self.error_messages["incomplete"] = _("Enter the day, month and year")
        day, month, year = self.fields
        day.error_messages["incomplete"] = _("The date must include a day")
        month.error_messages["incomplete"] = _("The date must include a month")
        year.error_messages["incomplete"] = _("The date must include a year")
        for part in self.fields:
            part.validators[0].message = _("Enter the date in numbers, for example 27 3 2026")

    def compress(self, data_list):
        day, month, year = data_list
        if not (day and month and year):
            return None
        if len(year) != 4:
            raise ValidationError(_("The year must include 4 numbers"))
        try:
            return date(day=int(day), month=int(month), year=int(year))
        except ValueError:
            raise ValidationError(_("The date must be a real date")) from None


def _govuk_field(name: str, field: forms.Field):
    """The GOV.UK component for a Django field, chosen by its widget."""
    widget = field.widget
    if isinstance(widget, forms.HiddenInput):
        return Field(name)
    if isinstance(widget, forms.RadioSelect):
        return Field.radios(name, legend_size=Size.SMALL)
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return Field.checkboxes(name, legend_size=Size.SMALL)
    if isinstance(widget, forms.CheckboxInput):
        return Field.checkbox(name)
    if isinstance(widget, forms.Select):
        return Field.select(name)
    if isinstance(widget, forms.Textarea):
        return Field.textarea(name, rows=4)
    if isinstance(field, DateInputField):
        return Field(name)
    if isinstance(field, (forms.IntegerField, forms.DecimalField)):
        return Field.text(name, field_width=4)
    return Field.text(name)


class ServiceForm(forms.Form):
    """A form whose input is handed to a service function.

    `submit_label` names the button. `add_service_error` puts a service's ValidationError next to
    the field it names (or at the top of the form), so the user sees it in the error summary.
    """

    submit_label = _("Continue")
    # A search form is sent with GET: no CSRF token in the address bar.
    method = "post"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = self.method == "get"
        self.lay_out()
        self.helper.add_input(Submit("submit", self.submit_label))

    def lay_out(self) -> None:
        """The page's layout from the fields: call again after adding or removing one."""
        self.helper.layout = Layout(*(_govuk_field(name, field) for name, field in self.fields.items()))

    def add_service_error(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)
