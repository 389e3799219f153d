"""Ending a placement (the answers, then check them: it is irreversible and feeds the
evaluation) and correcting an ending afterwards, with why. Thin: the rules are in
placements.services (`placement_end`, `placement_ending_correct`)."""

from datetime import date
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.access import logs_access
from iom_housing.access import Staff, can_user_manage_placements, require
from iom_housing.basis import StaleBasis, based_form_page
from iom_housing.forms import stored_as_post
from iom_housing.services import dry_run
from placements import services
from placements.forms import EndForm, EndingCorrectForm
from placements.models import DepartureReason, Destination, Placement
from placements.views import _placement_or_404

officers = require(can_user_manage_placements)


def _caption(placement: Placement) -> str:
    return f"{placement.offender.full_name}, {placement.bedspace}"


def _answers_key(placement: Placement) -> str:
    return f"ending:{placement.public_id}"


def _end_form_page(request: HttpRequest, placement: Placement, form: EndForm) -> HttpResponse:
    return render(
        request,
        "placements/placement_action.html",
        {
            "title": _("End this placement"),
            "caption": _caption(placement),
            "back_url": placement.get_absolute_url(),
            "placement": placement,
            "form": form,
        },
    )


def _end(request: HttpRequest, placement: Placement, answers: dict[str, Any], basis: int) -> Placement:
    return services.placement_end(
        placement_id=placement.pk,
        departed_on=answers["departed_on"],
        reason=answers["reason"],
        destination=answers["destination"],
        destination_details=answers["destination_details"],
        by=cast(Staff, request.user),  # signed in: `officers`
        expected_version=basis,
    )


@officers
@logs_access
def placement_end(request: HttpRequest, public_id: str) -> HttpResponse:
    """Step 1: when they left, why, and where to."""
    placement = _placement_or_404(request, public_id)
    key = _answers_key(placement)
    if request.method == "POST":
        form = EndForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:  # only answers the ending accepts reach the check page
                dry_run(lambda: _end(request, placement, data, data["basis"]))
            except StaleBasis as stale:
                if stale.already_done:
                    messages.info(request, stale.messages[0])
                    return redirect(placement.get_absolute_url())
                form.add_error(None, stale)
            except ValidationError as error:
                form.add_service_error(error)
            else:
                request.session[key] = {
                    "basis": data["basis"],
                    "departed_on": data["departed_on"].isoformat(),
                    "reason": data["reason"],
                    "destination": data["destination"],
                    "destination_details": data["destination_details"],
                }
                return redirect("placements:placement-end-check", public_id=placement.public_id)
    elif key in request.session:  # "Change" on the check page: the answers as given
        form = EndForm(stored_as_post(request.session[key], "departed_on"))
        form.is_valid()
    else:
        form = EndForm(initial={"basis": placement.version})
    return _end_form_page(request, placement, form)


@officers
@logs_access
def placement_end_check(request: HttpRequest, public_id: str) -> HttpResponse:
    """Step 2: check the answers (refused pairs are said on step 1), then end the placement."""
    placement = _placement_or_404(request, public_id)
    key = _answers_key(placement)
    answers = request.session.get(key)
    if not answers:
        return redirect("placements:placement-end", public_id=placement.public_id)
    departed_on = date.fromisoformat(answers["departed_on"])
    if request.method == "POST":
        try:
            _end(request, placement, answers | {"departed_on": departed_on}, answers["basis"])
        except StaleBasis as stale:
            del request.session[key]
            (messages.info if stale.already_done else messages.error)(request, stale.messages[0])
            return redirect(placement.get_absolute_url())
        except ValidationError as error:
            form = EndForm(stored_as_post(answers, "departed_on"))
            form.is_valid()
            form.add_service_error(error)
            return _end_form_page(request, placement, form)
        del request.session[key]
        messages.success(request, _("Placement ended"))
        return redirect(placement.get_absolute_url())
    return render(
        request,
        "placements/end_check.html",
        {
            "placement": placement,
            "caption": _caption(placement),
            "departed_on": departed_on,
            "reason_label": DepartureReason(answers["reason"]).label,
            "destination_label": Destination(answers["destination"]).label,
            "destination_details": answers["destination_details"],
            "change_url": reverse("placements:placement-end", args=[placement.public_id]),
        },
    )


def _correct_initial(placement: Any) -> dict[str, Any]:
    return {
        "initial": {
            "departed_on": placement.departed_on,
            "reason": placement.departure_reason,
            "destination": placement.destination,
            "destination_details": placement.destination_details,
        }
    }


def _correct_context(placement: Any) -> dict[str, Any]:
    return {
        "title": _("Correct the ending"),
        "caption": _caption(placement),
        "back_url": placement.get_absolute_url(),
        "placement": placement,
    }


@officers
@logs_access
def ending_correct(request: HttpRequest, public_id: str) -> HttpResponse:
    """Correct an ended placement's departure date, reason or destination, saying why."""
    placement = _placement_or_404(request, public_id)
    if placement.status != Placement.Status.ENDED:
        messages.info(request, _("Only an ended placement's ending can be corrected."))
        return redirect(placement.get_absolute_url())
    return based_form_page(
        request,
        form_class=EndingCorrectForm,
        record=placement,
        reload=lambda: _placement_or_404(request, public_id),
        form_kwargs=_correct_initial,
        action=lambda data, basis: services.placement_ending_correct(
            placement_id=placement.pk, by=cast(Staff, request.user), expected_version=basis, **data
        ),
        context=_correct_context,
        success_url=placement.get_absolute_url(),
        success_message=_("Ending corrected"),
        template="placements/placement_action.html",
    )
