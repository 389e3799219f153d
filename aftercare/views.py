"""The rent deposit scheme's pages (the fund and its deposits, landlords, paying a deposit and
recording its return, each checked before money moves) and follow-up checks after leaving (the
list due, and one short form). Thin: selectors read, services write, `iom_housing.access` says who."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from aftercare import selectors, services
from aftercare.forms import (
    DepositFilterForm,
    DepositPayForm,
    DepositReturnForm,
    FollowUpForm,
    LandlordForm,
    LandlordPropertyForm,
    TopUpForm,
)
from aftercare.models import DepositFund, Landlord
from audit.access import logs_access
from iom_housing.access import (
    can_user_manage_deposits,
    can_user_record_follow_ups,
    can_user_view_deposits,
    can_user_view_follow_ups,
    require,
)
from iom_housing.pages import found_or_404, paginate
from placements.selectors import placement_get

managers = require(can_user_manage_deposits)
readers = require(can_user_view_deposits)


def _check_answers(request, form, *, title, caption, back_url, service, done):
    """A form where money moves: a valid form shows its answers to check first; the check page's
    button posts them again with `confirmed`, and only then is `service()` called; its other button
    (`change`) shows the form again, filled in."""
    if request.POST.get("change"):
        return None
    if form.is_valid():
        if not form.cleaned_data.get("confirmed"):
            hidden = [(name, value) for name, value in request.POST.lists() if name != "csrfmiddlewaretoken"]
            return render(
                request,
                "aftercare/check_answers.html",
                {
                    "title": _("Check your answers"),
                    "caption": caption,
                    "rows": form.summary(),
                    "hidden": [(name, v) for name, values in hidden for v in values],
                    "back_url": back_url,
                },
            )
        try:
            result = service()
        except ValidationError as error:
            form.add_service_error(error)
        else:
            return done(result)
    return None


@readers
@logs_access
@require_GET
def deposits(request):
    """The fund's position (each fund's, one query) and the deposits, filtered and paginated."""
    funds = list(selectors.funds_with_position())
    landlords = list(Landlord.objects.order_by("name").only("pk", "name"))
    filters = DepositFilterForm(request.GET or None, landlords=landlords)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    rows = selectors.deposit_list(user=request.user, filters=chosen)
    return render(
        request,
        "aftercare/deposits.html",
        {
            "funds": [(fund, selectors.position_of(fund)) for fund in funds],
            "filters": filters,
            "page": paginate(request, rows),
            "can_manage": can_user_manage_deposits(request.user),
        },
    )


@managers
@logs_access
def deposit_pay(request, public_id):
    placement = found_or_404(placement_get, user=request.user, public_id=public_id)
    funds = list(DepositFund.objects.order_by("name"))
    landlords = list(Landlord.objects.filter(active=True).order_by("name"))
    context = {
        "title": _("Pay a rent deposit"),
        "caption": f"{placement.offender.full_name}",
        "back_url": placement.get_absolute_url(),
        "funds": [(fund, selectors.position_of(fund)) for fund in selectors.funds_with_position()],
    }
    if not funds:
        messages.error(
            request, _("There is no rent deposit fund yet: a scheme manager adds it in the admin.")
        )
        return redirect("aftercare:deposits")
    kwargs = {"funds": funds, "landlords": landlords}
    if request.method == "POST":
        form = DepositPayForm(request.POST, **kwargs)
        answer = _check_answers(
            request,
            form,
            title=context["title"],
            caption=context["caption"],
            back_url=request.path,
            service=lambda: services.deposit_pay(
                placement_id=placement.pk, by=request.user, **form.service_kwargs()
            ),
            done=lambda deposit: _paid(request, deposit),
        )
        if answer is not None:
            return answer
    else:
        form = DepositPayForm(initial={"paid_on": timezone.localdate(), "fund": funds[0].pk}, **kwargs)
    return render(request, "aftercare/deposit_pay.html", {**context, "form": form})


def _paid(request, deposit):
    messages.success(
        request,
        _("%(kind)s of £%(amount)s to %(landlord)s recorded")
        % {"kind": deposit.get_kind_display(), "amount": deposit.amount, "landlord": deposit.landlord.name},
    )
    return redirect("aftercare:deposits")


@managers
@logs_access
def deposit_return(request, public_id):
    deposit = found_or_404(selectors.deposit_get, user=request.user, public_id=public_id)
    context = {
        "title": _("Record what came back"),
        "caption": f"{deposit.placement.offender.full_name}: {deposit}",
        "back_url": _deposits_url(),
        "deposit": deposit,
    }
    if deposit.outcome:
        messages.info(request, _("The outcome of this deposit is already recorded."))
        return redirect("aftercare:deposits")
    if request.method == "POST":
        form = DepositReturnForm(request.POST, deposit=deposit)
        answer = _check_answers(
            request,
            form,
            title=context["title"],
            caption=context["caption"],
            back_url=request.path,
            service=lambda: services.deposit_return(
                deposit_id=deposit.pk, by=request.user, **form.service_kwargs()
            ),
            done=lambda done: _returned(request, done),
        )
        if answer is not None:
            return answer
    else:
        form = DepositReturnForm(deposit=deposit, initial={"tenancy_ended_on": timezone.localdate()})
    return render(request, "aftercare/deposit_return.html", {**context, "form": form})


def _returned(request, deposit):
    messages.success(request, _("Outcome recorded: %(outcome)s") % {"outcome": deposit.get_outcome_display()})
    return redirect("aftercare:deposits")


def _deposits_url() -> str:
    return reverse("aftercare:deposits")


@managers
def fund_top_up(request, pk):
    fund = get_object_or_404(DepositFund, pk=pk)
    if request.method == "POST":
        form = TopUpForm(request.POST)
        if form.is_valid():
            try:
                services.fund_top_up(fund_id=fund.pk, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Top-up added to %(fund)s") % {"fund": fund.name})
                return redirect("aftercare:deposits")
    else:
        form = TopUpForm(initial={"received_on": timezone.localdate()})
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": _("Add money to the fund"),
            "caption": fund.name,
            "back_url": _deposits_url(),
        },
    )


@managers
@require_GET
def landlords(request):
    return render(request, "aftercare/landlords.html", {"landlords": selectors.landlord_list()})


@managers
def landlord_add(request):
    if request.method == "POST":
        form = LandlordForm(request.POST)
        if form.is_valid():
            try:
                services.landlord_add(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Landlord added to the register"))
                return redirect("aftercare:landlords")
    else:
        form = LandlordForm()
    return render(
        request,
        "form_page.html",
        {"form": form, "title": _("Add a landlord"), "back_url": reverse("aftercare:landlords")},
    )


@managers
def landlord_property_add(request, pk):
    landlord = get_object_or_404(Landlord, pk=pk)
    if request.method == "POST":
        form = LandlordPropertyForm(request.POST)
        if form.is_valid():
            try:
                services.landlord_property_add(landlord_id=landlord.pk, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Property added"))
                return redirect("aftercare:landlords")
    else:
        form = LandlordPropertyForm()
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": _("Add a property let to the scheme"),
            "caption": landlord.name,
            "back_url": reverse("aftercare:landlords"),
        },
    )


# Follow-up checks ------------------------------------------------------------------------------


@require(can_user_view_follow_ups)
@logs_access
@require_GET
def follow_ups(request):
    """Checks due and not recorded (officers: all; agencies: those of placements they supported),
    then the ones recorded lately."""
    today = timezone.localdate()
    due = selectors.follow_up_list(user=request.user, due_by=today, recorded=False)
    return render(
        request,
        "aftercare/follow_ups.html",
        {
            "page": paginate(request, due),
            "today": today,
            "can_record": can_user_record_follow_ups(request.user),
        },
    )


@require(can_user_record_follow_ups)
@logs_access
def follow_up_record(request, public_id):
    check = found_or_404(selectors.follow_up_get, user=request.user, public_id=public_id)
    placement = check.placement
    context = {
        "title": _("%(months)s-month follow-up") % {"months": check.months},
        "caption": placement.offender.full_name,
        "back_url": _follow_ups_url(),
        "check": check,
        "placement": placement,
    }
    if check.is_recorded:
        return render(request, "aftercare/follow_up_done.html", context)
    if request.method == "POST":
        form = FollowUpForm(request.POST)
        if form.is_valid():
            try:
                services.follow_up_record(check_id=check.pk, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Follow-up recorded"))
                return redirect("aftercare:follow-ups")
    else:
        form = FollowUpForm()
    return render(request, "aftercare/follow_up_form.html", {**context, "form": form})


def _follow_ups_url() -> str:
    return reverse("aftercare:follow-ups")
