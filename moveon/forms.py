"""The move-on plan's forms: its dates, adding an action, changing its details, and recording its
progress (the short one an agency worker fills in on a phone). Each hands its data to a service;
each that changes a record carries its basis (`BasedOn`)."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from iom_housing.basis import BasedOn
from iom_housing.forms import GovukDateField, ServiceForm
from moveon.models import DETAILS_MAX, NOTES_MAX, OUTCOME_MAX, ActionKind, ActionResult, ActionStatus
from placements.models import LocalAuthority
from placements.selectors import area_choices

DATE_HINT = _("For example, 27 3 2026")
IOM_TEAM = ""


class PlanDatesForm(BasedOn, ServiceForm):
    submit_label = _("Save the dates")
    target_on = GovukDateField(
        label=_("Target move-on date (optional)"),
        help_text=_("When the plan aims for them to have moved on. For example, 27 3 2026"),
        required=False,
    )
    planned_move_out_on = GovukDateField(
        label=_("Planned move-out date (optional)"),
        help_text=_(
            "Once a tenancy or a place is agreed: the day they are due to leave. The bedspace stays "
            "theirs until the departure is recorded. For example, 27 3 2026"
        ),
        required=False,
    )


def _owner_users(agency: Agency | None):
    """Named owners to choose from: active staff of the owning agency, or everyone active."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, membership__active=True)
        .select_related("membership__agency")
    )
    if agency is not None:
        users = users.filter(membership__agency=agency)
    return [
        (user.pk, f"{user.get_full_name() or user.username} ({user.membership.agency.name})")
        for user in users.order_by("first_name", "last_name", "pk")
    ]


class ActionDetailsForm(ServiceForm):
    """What the action is, who owns it and when it is due. `agency` set: an agency worker, whose
    actions are always its agency's (no owner to choose)."""

    submit_label = _("Save action")
    kind = forms.ChoiceField(
        label=_("What is the action?"),
        choices=ActionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the kind of action")},
    )
    details = forms.CharField(
        label=_("Details"),
        help_text=_("Required for “Other”: what the action is."),
        max_length=DETAILS_MAX,
        required=False,
    )
    local_authority = forms.ChoiceField(
        label=_("Local housing authority"),
        help_text=_("Required for a homelessness duty: the council it is made to."),
        required=False,
    )
    applied_on = GovukDateField(
        label=_("Date applied or referred (optional)"), help_text=DATE_HINT, required=False
    )
    owner_agency = forms.ChoiceField(label=_("Who owns it?"), required=False)
    owner_user = forms.TypedChoiceField(
        label=_("Named owner (optional)"), coerce=int, empty_value=None, required=False
    )
    due_on = GovukDateField(label=_("Due date (optional)"), help_text=DATE_HINT, required=False)

    def __init__(self, *args, agency: Agency | None = None, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        if agency is not None:
            del self.fields["owner_agency"]
        else:
            owner_field: forms.ChoiceField = self.fields["owner_agency"]  # type: ignore[assignment]
            owner_field.choices = [(IOM_TEAM, _("IOM team"))] + [(str(a.pk), a.name) for a in agencies]
        user_field: forms.ChoiceField = self.fields["owner_user"]  # type: ignore[assignment]
        user_field.choices = [("", _("No one named"))] + _owner_users(agency)
        # The areas in use, and the one the action names if it is no longer in use.
        named = (self.initial or {}).get("local_authority") or ""
        areas = LocalAuthority.objects.filter(Q(in_use=True) | Q(pk=named))
        authority_field: forms.ChoiceField = self.fields["local_authority"]  # type: ignore[assignment]
        authority_field.choices = [("", _("None")), *area_choices(areas)]
        self.lay_out()

    def clean_owner_agency(self):
        value = self.cleaned_data.get("owner_agency") or None
        return int(value) if value else None


class ActionAddForm(ActionDetailsForm):
    submit_label = _("Add action")
    notes = forms.CharField(
        label=_("Notes (optional)"), widget=forms.Textarea, required=False, max_length=NOTES_MAX,
        help_text=_("Up to 1,000 characters. Do not include details of other people."),
    )  # fmt: skip


class ActionEditForm(BasedOn, ActionDetailsForm):
    pass


class ActionProgressForm(BasedOn, ServiceForm):
    """Where the action has got to: short, for a phone."""

    submit_label = _("Save progress")
    status = forms.ChoiceField(
        label=_("Where has it got to?"),
        choices=ActionStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select where the action has got to")},
    )
    outcome_on = GovukDateField(
        label=_("Date of the outcome"),
        help_text=_("If it is done or no longer needed. For example, 27 3 2026"),
        required=False,
    )
    result = forms.ChoiceField(
        label=_("If done: was it successful?"),
        choices=ActionResult.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    outcome = forms.CharField(
        label=_("Decision or outcome (optional)"),
        help_text=_("For example: duty owed, band 2, offer of a one-bedroom flat."),
        max_length=OUTCOME_MAX,
        required=False,
    )
    notes = forms.CharField(
        label=_("Notes (optional)"), widget=forms.Textarea, required=False, max_length=NOTES_MAX,
        help_text=_("Up to 1,000 characters."),
    )  # fmt: skip
