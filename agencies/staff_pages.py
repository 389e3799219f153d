"""The users and roles pages, for scheme managers: the staff list, adding a member of staff,
changing their role or agency, switching an account off and on, resetting two-factor
authentication and sending a link to choose a password. Each change is a service in
`agencies.services`; who may do what is `iom_housing.access`'s."""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Submit
from django import forms
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from agencies import selectors, services
from agencies.models import Agency
from iom_housing.access import (
    can_user_change_access_of,
    can_user_change_account,
    can_user_manage_staff,
    require,
)
from iom_housing.forms import ServiceForm
from iom_housing.pages import form_page, paginate
from iom_housing.roles import Role

# What each role may do, as the role question explains it (DESIGN.md's table of users).
ROLE_HINTS = {
    Role.IOM_OFFICER: gettext_lazy(
        "Police IOM team: triages referrals, places people, renews and ends licences. Sees everyone in the scheme."
    ),
    Role.AGENCY_WORKER: gettext_lazy(
        "A partner agency's worker: records visits and refers people. Sees only the people their agency referred or supports."
    ),
    Role.SCHEME_MANAGER: gettext_lazy(
        "Manages properties, users, funding and unit costs. Sees everything and uses the administration pages."
    ),
    Role.OPCC_ANALYST: gettext_lazy(
        "The commissioner's office: downloads the evaluation reports. Sees no names, only figures."
    ),
}


def _role_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=gettext_lazy("Role"),
        choices=[Choice(role.value, role.label, hint=ROLE_HINTS[role]) for role in Role],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Select their role")},
    )


def _agency_field(*, keep: Agency | None = None) -> forms.ModelChoiceField:
    agencies = Agency.objects.filter(active=True)
    if keep is not None:
        agencies = Agency.objects.filter(active=True) | Agency.objects.filter(pk=keep.pk)
    return forms.ModelChoiceField(
        label=gettext_lazy("Agency"),
        queryset=agencies.order_by("name"),
        empty_label=gettext_lazy("Select an agency"),
        help_text=gettext_lazy(
            "The agency they work for. An agency worker sees only this agency's people; moving "
            "them to another agency takes the old one's away at once."
        ),
        error_messages={
            "required": gettext_lazy("Select the agency they work for"),
            "invalid_choice": gettext_lazy("Select an agency from the list"),
        },
    )


def _job_title_field() -> forms.CharField:
    return forms.CharField(
        label=gettext_lazy("Job title (optional)"),
        max_length=120,
        required=False,
        error_messages={"max_length": gettext_lazy("Enter a job title of 120 characters or fewer")},
    )


class StaffAddForm(ServiceForm):
    submit_label = gettext_lazy("Add the member of staff")

    first_name = forms.CharField(
        label=gettext_lazy("First name"),
        max_length=150,
        error_messages={
            "required": gettext_lazy("Enter their first name"),
            "max_length": gettext_lazy("Enter a first name of 150 characters or fewer"),
        },
    )
    last_name = forms.CharField(
        label=gettext_lazy("Last name"),
        max_length=150,
        error_messages={
            "required": gettext_lazy("Enter their last name"),
            "max_length": gettext_lazy("Enter a last name of 150 characters or fewer"),
        },
    )
    email = forms.EmailField(
        label=gettext_lazy("Work email address"),
        max_length=254,
        help_text=gettext_lazy(
            "We email them a link to choose their password. The email names no one on the scheme."
        ),
        error_messages={
            "required": gettext_lazy("Enter their work email address"),
            "invalid": gettext_lazy("Enter an email address in the correct format, like name@example.org"),
            "max_length": gettext_lazy("Enter an email address of 254 characters or fewer"),
        },
    )
    username = forms.CharField(
        label=gettext_lazy("Username (optional)"),
        max_length=150,
        required=False,
        help_text=gettext_lazy("What they sign in with. Leave it empty to use their email address."),
        error_messages={"max_length": gettext_lazy("Enter a username of 150 characters or fewer")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"] = _role_field()
        self.fields["agency"] = _agency_field()
        self.fields["job_title"] = _job_title_field()
        self.lay_out()

    def clean_username(self) -> str:
        from django.contrib.auth.validators import UnicodeUsernameValidator

        username = self.cleaned_data["username"].strip()
        if username:
            validator = UnicodeUsernameValidator(
                message=_("A username may have only letters, numbers and the characters @ . + - _")
            )
            validator(username)
        return username


class StaffChangeForm(ServiceForm):
    submit_label = gettext_lazy("Save the changes")

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        membership = getattr(account, "membership", None)
        self.fields["role"] = _role_field()
        self.fields["agency"] = _agency_field(keep=membership.agency if membership else None)
        self.fields["job_title"] = _job_title_field()
        self.lay_out()


class ConfirmForm(ServiceForm):
    """A button, and nothing to fill in."""

    def __init__(self, *args, submit_label="", warning=False, **kwargs):
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)
        if warning:  # an action that stops someone working: the red button
            self.helper.inputs = [Submit("submit", submit_label, css_class="govuk-button--warning")]


class StaffFilterForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), required=False)
    agency = forms.TypedChoiceField(
        label=gettext_lazy("Agency"), coerce=int, required=False, empty_value=None
    )
    switched_off = forms.BooleanField(label=gettext_lazy("Include switched-off accounts"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("Any role")), *Role.choices]
        self.fields["agency"].choices = [
            ("", _("All agencies")),
            *Agency.objects.order_by("name").values_list("pk", "name"),
        ]


def _account_or_404(request, pk: int):
    try:
        return selectors.staff_account(user=request.user, pk=pk)
    except ObjectDoesNotExist:
        raise Http404 from None


def _name(account) -> str:
    return account.get_full_name() or account.username


@require_GET
@require(can_user_manage_staff)
def staff_list(request):
    filters = StaffFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_bound and filters.is_valid() else {}
    accounts = selectors.staff_list(
        user=request.user,
        role=chosen.get("role") or "",
        agency_id=chosen.get("agency"),
        switched_off=bool(chosen.get("switched_off")),
    )
    return render(
        request, "agencies/staff_list.html", {"filters": filters, "page": paginate(request, accounts)}
    )


@require(can_user_manage_staff)
def staff_add(request):
    def add(data):
        account = services.staff_add(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            username=data["username"],
            role=data["role"],
            agency_id=data["agency"].pk,
            job_title=data["job_title"],
            by=request.user,
        )
        return account

    return form_page(
        request,
        form_class=StaffAddForm,
        action=add,
        context={"title": _("Add a member of staff"), "back_url": reverse("agencies:staff-list")},
        success_url=reverse("agencies:staff-list"),
        success_message=_(
            "Account added. We have emailed them a link to choose their password; it works for a few days."
        ),
    )


@require_GET
@require(can_user_manage_staff)
def staff_detail(request, pk: int):
    account = _account_or_404(request, pk)
    return render(
        request,
        "agencies/staff_detail.html",
        {
            "account": account,
            "membership": getattr(account, "membership", None),
            "may_change": can_user_change_account(request.user, account),
            "may_change_access": can_user_change_access_of(request.user, account),
        },
    )


@require(can_user_manage_staff)
def staff_change(request, pk: int):
    account = _account_or_404(request, pk)
    if not can_user_change_account(request.user, account):
        raise Http404
    membership = getattr(account, "membership", None)
    initial = (
        {"role": membership.role, "agency": membership.agency_id, "job_title": membership.job_title}
        if membership
        else {}
    )
    url = reverse("agencies:staff-detail", args=[account.pk])
    return form_page(
        request,
        form_class=StaffChangeForm,
        form_kwargs={"initial": initial, "account": account},
        action=lambda data: services.staff_change(
            user_id=account.pk,
            role=data["role"],
            agency_id=data["agency"].pk,
            job_title=data["job_title"],
            by=request.user,
        ),
        context={"title": _("Change role or agency"), "caption": _name(account), "back_url": url},
        success_url=url,
        success_message=_("Role and agency saved. What they see changed at once."),
    )


# Each action on an account: whether it applies now, its service, the page's title, text and
# button, and the message once done.
def _has_two_factor(account) -> bool:
    return bool(account.two_factor)


STAFF_ACTIONS = {
    "switch-off": (
        lambda account: account.is_active,
        services.staff_switch_off,
        gettext_lazy("Switch this account off"),
        gettext_lazy(
            "They will not be able to sign in, and they are signed out everywhere now. The account is "
            "kept, so their records still name them; you can switch it back on."
        ),
        gettext_lazy("Switch the account off"),
        gettext_lazy("Account switched off. They have been signed out."),
    ),
    "switch-on": (
        lambda account: not account.is_active,
        services.staff_switch_on,
        gettext_lazy("Switch this account back on"),
        gettext_lazy("They will be able to sign in again, with the role and agency shown below."),
        gettext_lazy("Switch the account on"),
        gettext_lazy("Account switched on."),
    ),
    "reset-two-factor": (
        _has_two_factor,
        services.staff_two_factor_reset,
        gettext_lazy("Reset two-factor authentication"),
        gettext_lazy(
            "For a lost or new phone. Their authenticator app stops working and they are signed out; "
            "they set up a new one at their next sign-in."
        ),
        gettext_lazy("Reset two-factor authentication"),
        gettext_lazy("Two-factor authentication reset. They set it up again at their next sign-in."),
    ),
    "password-link": (
        lambda account: account.is_active and bool(account.email),
        services.staff_password_link_send,
        gettext_lazy("Send a link to choose a password"),
        gettext_lazy(
            "For a new account or a forgotten password. We email them a link that works once, for a "
            "few days. Their present password keeps working until they choose a new one."
        ),
        gettext_lazy("Send the link"),
        gettext_lazy("Link sent. Ask them to check their email."),
    ),
}


def _staff_action(request, pk: int, action: str):
    applies, service, title, text, button, done = STAFF_ACTIONS[action]
    account = _account_or_404(request, pk)
    url = reverse("agencies:staff-detail", args=[account.pk])
    if not can_user_change_access_of(request.user, account) or not applies(account):
        # Not for this account now (one's own, a superuser's, already done): its page says why.
        if request.method == "POST":
            messages.error(request, _("That cannot be done to this account now."))
        return redirect(url)
    return form_page(
        request,
        form_class=ConfirmForm,
        form_kwargs={"submit_label": button, "warning": action == "switch-off"},
        action=lambda _data: service(user_id=account.pk, by=request.user),
        context={
            "title": title,
            "caption": _name(account),
            "back_url": url,
            "text": text,
            "account": account,
            "membership": getattr(account, "membership", None),
        },
        success_url=url,
        success_message=str(done),
        template="agencies/staff_confirm.html",
    )


@require(can_user_manage_staff)
def staff_switch_off(request, pk: int):
    return _staff_action(request, pk, "switch-off")


@require(can_user_manage_staff)
def staff_switch_on(request, pk: int):
    return _staff_action(request, pk, "switch-on")


@require(can_user_manage_staff)
def staff_reset_two_factor(request, pk: int):
    return _staff_action(request, pk, "reset-two-factor")


@require(can_user_manage_staff)
def staff_password_link(request, pk: int):
    return _staff_action(request, pk, "password-link")
