"""Pages for referrals and offenders: agencies submit referrals and follow them; officers triage.
Thin, calling selectors and services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET

from audit.access import logs_access, saw
from audit.history import history_for
from audit.list_exports import list_csv_response
from casefiles import selectors as casefiles_selectors
from iom_housing.access import (
    agency_of,
    can_user_manage_placements,
    can_user_submit_referrals,
    can_user_view_cases,
    require,
)
from iom_housing.basis import based_form_page
from iom_housing.pages import form_page, found_or_404, paginate
from referrals import selectors, services
from referrals.forms import (
    DIFFERENT_PERSON,
    AcceptForm,
    DeclineForm,
    OffenderEventForm,
    OffenderFilterForm,
    ReferralFilterForm,
    ReferralForm,
    SamePersonForm,
    SharingRisksForm,
    StartReviewForm,
    WithdrawForm,
)
from referrals.models import SHARING_RISK_FIELDS, Offender, Referral

# The lists count this many rows at most; past it they say "more than" and ask for a filter.
COUNT_UP_TO = 1000

officers = require(can_user_manage_placements)
case_readers = require(can_user_view_cases)
referrers = require(can_user_submit_referrals)


def _referral_or_404(request, public_id) -> Referral:
    return found_or_404(selectors.referral_get, user=request.user, public_id=public_id)


def _offender_or_404(request, public_id) -> Offender:
    return found_or_404(selectors.offender_get, user=request.user, public_id=public_id)


def _filtered_referrals(request):
    """The referral list's filters and the referrals they choose (the page and its CSV)."""
    filters = ReferralFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    referrals = selectors.referral_list(
        user=request.user,
        status=cleaned.get("status", ""),
        agency=cleaned.get("agency"),
        urgency=cleaned.get("urgency", ""),
        q=cleaned.get("q", ""),
    )
    return filters, referrals


@officers
@require_GET
def referral_list_csv(request):
    """The referrals the filters choose, every one (not a page), as CSV: an export in the access log."""
    _filters, referrals = _filtered_referrals(request)
    statuses, urgencies = dict(Referral.Status.choices), dict(Referral.Urgency.choices)
    return list_csv_response(
        request,
        name="referrals",
        header=[
            _("Person"),
            _("Referred by"),
            _("Their reference"),
            _("Received"),
            _("Wanted from"),
            _("Urgency"),
            _("Status"),
            _("Decided"),
        ],
        rows=(
            (
                [
                    r.offender.full_name,
                    r.referring_agency.name,
                    r.external_ref,
                    timezone.localdate(r.submitted_at).isoformat(),
                    r.wanted_from.isoformat() if r.wanted_from else "",
                    str(urgencies.get(r.urgency, r.urgency)),
                    str(statuses.get(r.status, r.status)),
                    timezone.localdate(r.decided_at).isoformat() if r.decided_at else "",
                ],
                r.offender_id,
            )
            for r in referrals.iterator(chunk_size=1000)
        ),
        model="referrals.Referral",
    )


@officers
@logs_access
@require_GET
def referral_list(request):
    filters, referrals = _filtered_referrals(request)
    return render(
        request,
        "referrals/referral_list.html",
        {"filters": filters, "page": paginate(request, referrals, count_up_to=COUNT_UP_TO)},
    )


@case_readers
@logs_access
@require_GET
def referral_detail(request, public_id):
    referral = _referral_or_404(request, public_id)
    placements = list(referral.placements.select_related("bedspace__property").order_by("-starts_on"))
    can_place = referral.status == Referral.Status.ACCEPTED and all(p.is_released for p in placements)
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            # Until an officer accepts it, the referring agency sees the person only as it sent them.
            "person": referral.offender if referral.person_visible else referral.referred_person,
            "differences": selectors.person_details_differences(referral)
            if can_user_manage_placements(request.user)
            else [],
            "placed_elsewhere": selectors.placement_elsewhere(referral)
            if can_user_manage_placements(request.user) and referral.status in Referral.OPEN_STATUSES
            else None,
            "history": history_for(request.user, referral),
            "placements": placements,
            "can_place": can_place,
            "referred_by_my_agency": can_user_submit_referrals(request.user)
            and request.user.membership.agency_id == referral.referring_agency_id,
        },
    )


# Referrals from agencies --------------------------------------------------------------------------

# What the "Is this the same person?" step sends back besides the referral itself.
_STEP_FIELDS = {"csrfmiddlewaretoken", "same_person", "duplicate_step", "change", "submit"}


def _back_from_new_referral(request) -> str:
    if can_user_manage_placements(request.user):
        return reverse("referrals:referral-list")
    return reverse("referrals:my-referrals")


@referrers
@logs_access
def referral_new(request):
    """Submit a referral. If someone with the same name and date of birth is already recorded, a
    second step asks whether it is them, carrying the entered details in hidden fields."""
    agency = agency_of(request.user)
    form = ReferralForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and "change" not in request.POST and form.is_valid():
        answer = request.POST.get("same_person", "")
        try:
            referral = services.referral_submit(
                agency=agency,
                by=request.user,
                person=form.person(),
                **form.referral(),
                match_token=answer if answer != DIFFERENT_PERSON else "",
                different_person=answer == DIFFERENT_PERSON,
            )
        except services.PossibleDuplicate as duplicate:
            # The question shows back only what was entered; the service logs whom it matched.
            asked = "duplicate_step" in request.POST
            question = SamePersonForm(
                request.POST if asked else None, token=duplicate.token, person=form.person()
            )
            if asked:
                question.is_valid()
            carried = [
                (name, value)
                for name in request.POST
                if name not in _STEP_FIELDS
                for value in request.POST.getlist(name)
            ]
            return render(
                request,
                "referrals/referral_same_person.html",
                {"form": question, "carried": carried, "agency": agency},
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            saw(referral)
            messages.success(request, _("Referral submitted: the IOM team will review it"))
            return redirect(referral.get_absolute_url())
    return render(
        request,
        "referrals/referral_new.html",
        {
            "form": form,
            "title": _("Submit a referral"),
            "caption": str(agency),
            "back_url": _back_from_new_referral(request),
        },
    )


@referrers
@logs_access
@require_GET
def my_referrals(request):
    """The referrals the user's agency submitted, with their status and outcome."""
    return render(
        request,
        "referrals/my_referrals.html",
        {
            "agency": agency_of(request.user),
            "page": paginate(request, selectors.agency_referrals(user=request.user)),
        },
    )


# Each decision on a referral: its form, the service that makes it, the page title and the
# message once done. One view serves them all.
REFERRAL_ACTIONS = {
    "review": (
        StartReviewForm,
        services.referral_start_review,
        _lazy("Start reviewing this referral"),
        _lazy("Referral marked as in review"),
    ),
    "accept": (
        AcceptForm,
        services.referral_accept,
        _lazy("Accept this referral"),
        _lazy("Referral accepted: now find a bedspace"),
    ),
    "decline": (
        DeclineForm,
        services.referral_decline,
        _lazy("Decline this referral"),
        _lazy("Referral declined"),
    ),
    "withdraw": (
        WithdrawForm,
        services.referral_withdraw,
        _lazy("Withdraw this referral"),
        _lazy("Referral withdrawn"),
    ),
}


@officers
@logs_access
def referral_action(request, public_id, action: str):
    form_class, service, title, message = REFERRAL_ACTIONS[action]
    referral = _referral_or_404(request, public_id)
    return based_form_page(
        request,
        form_class=form_class,
        record=referral,
        reload=lambda: _referral_or_404(request, public_id),
        action=lambda data, basis: service(
            referral_id=referral.pk, by=request.user, expected_version=basis, **data
        ),
        context=lambda referral: {
            "title": title,
            "caption": referral.offender.full_name,
            "back_url": referral.get_absolute_url(),
            "referral": referral,
        },
        success_url=referral.get_absolute_url(),
        success_message=message,
        template="referrals/referral_action.html",
    )


def _filtered_people(request):
    """The people list's filters and the people they choose (the page and its CSV)."""
    filters = OffenderFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    offenders = selectors.offender_list(
        user=request.user,
        q=cleaned.get("q", ""),
        risk=cleaned.get("risk", ""),
        category=cleaned.get("category", ""),
    )
    return filters, offenders


@officers
@require_GET
def offender_list_csv(request):
    """The people the filters choose, every one, as CSV: an export in the access log."""
    _filters, offenders = _filtered_people(request)
    categories = dict(Offender.IomCategory.choices)
    risks = dict(Offender.RiskOfSeriousHarm.choices)
    return list_csv_response(
        request,
        name="people",
        header=[
            _("Last name"),
            _("First name"),
            _("Date of birth"),
            _("PNC ID"),
            _("Probation CRN"),
            _("IOM cohort category"),
            _("Risk of serious harm"),
            _("Supervision licence end"),
        ],
        rows=(
            (
                [
                    o.last_name,
                    o.first_name,
                    o.date_of_birth.isoformat() if o.date_of_birth else "",
                    o.pnc_id,
                    o.crn,
                    str(categories.get(o.iom_category, o.iom_category)),
                    str(risks.get(o.risk_of_serious_harm, o.risk_of_serious_harm)),
                    o.licence_ends_on.isoformat() if o.licence_ends_on else "",
                ],
                o.pk,
            )
            for o in offenders.iterator(chunk_size=1000)
        ),
        model="referrals.Offender",
    )


@officers
@logs_access
@require_GET
def offender_list(request):
    filters, offenders = _filtered_people(request)
    return render(
        request,
        "referrals/offender_list.html",
        {"filters": filters, "page": paginate(request, offenders, count_up_to=COUNT_UP_TO)},
    )


@case_readers
@logs_access
@require_GET
def offender_detail(request, public_id):
    offender = _offender_or_404(request, public_id)
    return render(
        request,
        "referrals/offender_detail.html",
        {
            "offender": offender,
            "history": history_for(request.user, offender),
            "timeline": selectors.offender_timeline(offender=offender),
            "today": timezone.localdate(),
            "case_notes": list(casefiles_selectors.note_list(user=request.user, offender=offender)),
            "documents": list(casefiles_selectors.document_list(user=request.user, offender=offender)),
            "document_add_url": reverse("casefiles:offender-document-add", args=[offender.public_id]),
            "show_placement": True,
        },
    )


@officers
@logs_access
def offender_event_add(request, public_id):
    offender = _offender_or_404(request, public_id)
    return form_page(
        request,
        form_class=OffenderEventForm,
        action=lambda data: services.offender_event_record(offender_id=offender.pk, by=request.user, **data),
        context={
            "title": _("Record offending or compliance"),
            "caption": offender.full_name,
            "back_url": offender.get_absolute_url(),
        },
        success_url=offender.get_absolute_url(),
        success_message=_("Event recorded"),
    )


@officers
@logs_access
def offender_sharing_risks(request, public_id):
    """Record the risks that matter when the person shares a property (placements.sharing)."""
    offender = _offender_or_404(request, public_id)
    return form_page(
        request,
        form_class=SharingRisksForm,
        form_kwargs={"initial": {name: getattr(offender, name) for name in SHARING_RISK_FIELDS}},
        action=lambda data: services.offender_sharing_risks_set(
            offender_id=offender.pk, by=request.user, **data
        ),
        context={
            "title": _("Risks when sharing a property"),
            "caption": offender.full_name,
            "back_url": offender.get_absolute_url(),
        },
        success_url=offender.get_absolute_url(),
        success_message=_("Sharing risks saved"),
    )
