"""Form building blocks shared by the apps: GOV.UK date input, bounded date and number fields, and
a form base that renders with the GOV.UK Frontend template pack and turns service errors into field
errors."""

from datetime import date
from typing import Any

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.functional import Promise, lazy
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

# The dates anyone here could mean (a date of birth to a licence's end). Anything outside is a slip
# or an attack, and a date near year 9999 overflows the date arithmetic every service does with it.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def validate_date_in_range(value: date | None) -> None:
    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            _("The year must be from %(first)s to %(last)s"),
            code="date_range",
            params={"first": EARLIEST_DATE.year, "last": LATEST_DATE.year},
        )


class BoundedDateField(forms.DateField):
    """A date in one box (or a hidden input) within EARLIEST_DATE to LATEST_DATE."""

    default_validators = [validate_date_in_range]


# A database id: PostgreSQL's bigint, so that a bigger number is "not found", never out of range.
MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    """A record's id posted by a page (a hidden input or a radio's value)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


def _named(message: str | Promise, name: str | Promise, **params: object) -> str:
    """A message naming the date, translated when shown (fields are made at import, in no
    request's language): "%(name)s" as in a sentence, "%(Name)s" to start one."""
    return lazy(lambda: str(message) % {"name": name, "Name": capfirst(str(name)), **params}, str)()


def stored_as_post(answers: dict[str, Any], *dates: str) -> dict[str, Any]:
    """Answers kept between the steps of a check-your-answers flow (each date in `dates` as an
    ISO string), as the form posts them again: each date in its three boxes."""
    data = {name: value for name, value in answers.items() if name not in dates}
    for name in dates:
        day = date.fromisoformat(answers[name])
        data |= {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}
    return data


class GovukDateField(DateInputField):
    """The GOV.UK date input (day, month, year boxes), with messages that say what to fix and name
    the date (`error_name`, "the date the licence ends"), as GOV.UK asks: a form with two dates
    must say which one is wrong. The year has 4 digits and lies from EARLIEST_DATE to
    LATEST_DATE; a day or month of more than two digits is not a real date (and never reaches
    `date()`, which overflows on huge numbers)."""

    def __init__(self, *, error_name: "str | Promise | None" = None, **kwargs):
        super().__init__(**kwargs)
        self.error_name = name = error_name or _("the date")
        self.error_messages["required"] = _named(_("Enter %(name)s"), name)
        self.error_messages["incomplete"] = _named(_("Enter %(name)s"), name)
        day, month, year = self.fields
        day.error_messages["incomplete"] = _named(_("%(Name)s must include a day"), name)
        month.error_messages["incomplete"] = _named(_("%(Name)s must include a month"), name)
        year.error_messages["incomplete"] = _named(_("%(Name)s must include a year"), name)
        for part in self.fields:
            part.validators[0].message = _named(_("Enter %(name)s in numbers, for example 27 3 2026"), name)

    def compress(self, data_list):
        day, month, year = data_list
        if not (day and month and year):
            return None
        name = self.error_name
        if len(year) != 4:
            raise ValidationError(_named(_("The year of %(name)s must include 4 numbers"), name))
        if len(day) > 2 or len(month) > 2:
            raise ValidationError(_named(_("%(Name)s must be a real date"), name))
        try:
            value = date(day=int(day), month=int(month), year=int(year))
        except ValueError:
            raise ValidationError(_named(_("%(Name)s must be a real date"), name)) from None
        if not EARLIEST_DATE <= value <= LATEST_DATE:
            raise ValidationError(
                _named(
                    _("The year of %(name)s must be from %(first)s to %(last)s"),
                    name,
                    first=EARLIEST_DATE.year,
                    last=LATEST_DATE.year,
                ),
                code="date_range",
            )
        return value


class UsernameLengthChecked:
    """Django's sign-in form sets the username's max_length after making the field, so no validator
    checks it: an overlong username reached the lockout records (django-axes, 255 characters)
    and answered 500. Here it is refused like any field that is too long."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


class SignInForm(UsernameLengthChecked, AuthenticationForm):
    pass


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
    if isinstance(widget, forms.FileInput):
        return Field(name)  # the GOV.UK file upload
    if isinstance(field, DateInputField):
        return Field(name)
    if isinstance(field, (forms.IntegerField, forms.DecimalField)):
        return Field.text(name, field_width=4)
    return Field.text(name)


DJANGO_REQUIRED = forms.Field.default_error_messages["required"]


def _lower_first(label: str) -> str:
    """ "Address line 1" → "address line 1", but "PNC ID" stays as it is (an initialism)."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def _name_the_required_field(field: forms.Field) -> None:
    """A required field left with Django's bare "This field is required." gets a sentence that
    names it, as GOV.UK asks ("Enter the postcode", "Select the reason"): a safety net, since
    each form should say it better itself. A hidden field keeps Django's (no one can fix it)."""
    if str(field.error_messages.get("required")) != str(DJANGO_REQUIRED) or field.label is None:
        return
    if isinstance(field.widget, forms.HiddenInput):
        return
    label = str(field.label)
    if label.endswith("?"):
        message = _("Answer the question: %(label)s") % {"label": label}
    elif isinstance(field, (forms.ChoiceField, forms.ModelChoiceField)) or isinstance(
        field.widget, (forms.RadioSelect, forms.Select, forms.CheckboxInput)
    ):
        message = _("Select %(label)s") % {"label": _lower_first(label)}
    else:
        message = _("Enter %(label)s") % {"label": _lower_first(label)}
    field.error_messages["required"] = message


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
        for field in self.fields.values():
            _name_the_required_field(field)
        self.helper.layout = Layout(*(_govuk_field(name, field) for name, field in self.fields.items()))

    def add_service_error(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)
