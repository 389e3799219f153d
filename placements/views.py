"""Officer pages: dashboard, properties and their calendar, finding a bedspace and booking it,
and the placement's life (confirm, arrive, renew, end, cancel). Thin: selectors and services.
Each change is made on the version of the record the page showed (`iom_housing.basis`)."""

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from agencies.models import Agency
from alerts import selectors as alert_selectors
from alerts.forms import AlertFilterForm
from alerts.models import Alert
from audit.access import logs_access, saw
from audit.history import history_for
from casefiles import selectors as casefiles_selectors
from iom_housing.access import (
    can_user_manage_licences,
    can_user_manage_placements,
    can_user_manage_properties,
    can_user_manage_scheme,
    can_user_override_sharing,
    can_user_transfer_placements,
    can_user_view_cases,
    require,
)
from iom_housing.basis import StaleBasis, based_form_page
from iom_housing.dates import day
from iom_housing.pages import form_page, found_or_404, paginate
from moveon.selectors import planned_move_outs
from placements import selectors, selectors_licence, services, sharing
from placements.forms import (
    ArriveForm,
    AvailabilityForm,
    CancelForm,
    ConfirmForm,
    ExclusionForm,
    NotArrivedForm,
    PlaceForm,
    PropertyFilterForm,
    RenewForm,
    SupportPlanForm,
    TransferForm,
    VoidEndForm,
    VoidForm,
)
from placements.models import Bedspace, Placement, VoidPeriod
from referrals.models import Referral
from referrals.selectors import WAITING_FOR_BEDSPACE, offender_get, referral_get, referral_list

officers = require(can_user_manage_placements)
iom_officers = require(can_user_transfer_placements)
case_readers = require(can_user_view_cases)


# Each list on the dashboard shows its first rows, with the total and a link to the full list.
DASHBOARD_ROWS = 10


@officers
@logs_access
@require_GET
def dashboard(request):
    today = timezone.localdate()
    user = request.user
    job_runs = list(alert_selectors.job_runs()) if can_user_manage_scheme(user) else None
    ending = selectors.placements_ending(user=user, today=today)
    overrun = selectors.placements_overrun(user=user, today=today)
    notices = selectors_licence.notices_in_force(user=user)
    moving_out = planned_move_outs(user=user, today=today)
    context = {
        "today": today,
        "occupancy": selectors.occupancy_today(today=today),
        "ending": list(ending[:DASHBOARD_ROWS]),
        "ending_count": ending.count(),
        "overrun": list(overrun[:DASHBOARD_ROWS]),
        "overrun_count": overrun.count(),
        "notices": list(notices[:DASHBOARD_ROWS]),
        "notices_count": notices.count(),
        "moving_out": list(moving_out[:DASHBOARD_ROWS]),
        "moving_out_count": moving_out.count(),
        "waiting": list(referral_list(user=user)[:DASHBOARD_ROWS]),
        "waiting_count": referral_list(user=user).count(),
        "for_bedspace": list(referral_list(user=user, status=WAITING_FOR_BEDSPACE)[:DASHBOARD_ROWS]),
        "for_bedspace_count": referral_list(user=user, status=WAITING_FOR_BEDSPACE).count(),
        "waiting_for_bedspace": WAITING_FOR_BEDSPACE,
        "alerts": list(alert_selectors.alert_list(user=user, status=Alert.Status.OPEN)[:DASHBOARD_ROWS]),
        "job_runs": job_runs,
        "beat_late": job_runs is not None and alert_selectors.scheduler_late(job_runs, now=timezone.now()),
        "unresolved": AlertFilterForm.UNRESOLVED,
    }
    for referral in context["for_bedspace"]:
        referral.days_waiting = (today - timezone.localdate(referral.decided_at)).days
    saw(
        people=[
            *context["ending"],
            *context["overrun"],
            *(n.placement for n in context["notices"]),
            *context["waiting"],
            *context["for_bedspace"],
            *context["moving_out"],
            *context["alerts"],
        ]
    )
    return render(request, "placements/dashboard.html", context)


@officers
@require_GET
def property_list(request):
    today = timezone.localdate()
    filters = PropertyFilterForm(request.GET or None, areas=selectors.property_areas(user=request.user))
    area = filters.cleaned_data["area"] if filters.is_valid() else ""
    page = paginate(request, selectors.property_list(user=request.user, area=area))
    selectors.property_occupancy(page.object_list, today=today)
    return render(
        request,
        "placements/property_list.html",
        {
            "filters": filters,
            "area": area,
            "page": page,
            "today": today,
            "can_manage_properties": can_user_manage_properties(request.user),
        },
    )


@officers
@logs_access
@require_GET
def property_detail(request, pk):
    today = timezone.localdate()
    property_ = found_or_404(selectors.property_get, user=request.user, pk=pk)
    calendars = selectors.occupancy_calendar(property_=property_, today=today)
    saw(
        people={
            day.placement.offender_id for c in calendars for week in c.weeks for day in week if day.placement
        }
    )
    return render(
        request,
        "placements/property_detail.html",
        {
            "property": property_,
            "today": today,
            "calendars": calendars,
            "can_manage_properties": can_user_manage_properties(request.user),
            "voids": VoidPeriod.objects.filter(bedspace__property=property_)
            .select_related("bedspace")
            .order_by("-starts_on")[:20],
        },
    )


def _placement_or_404(request, public_id) -> Placement:
    return found_or_404(selectors.placement_get, user=request.user, public_id=public_id)


@case_readers
@logs_access
@require_GET
def placement_detail(request, public_id):
    placement = _placement_or_404(request, public_id)
    terms = list(placement.licence_terms.all())
    today = timezone.localdate()
    return render(
        request,
        "placements/placement_detail.html",
        {
            "placement": placement,
            "history": history_for(request.user, placement),
            "terms": terms,
            "renewals": max(len(terms) - 1, 0),
            "total_days": (placement.ends_on - placement.starts_on).days,
            "today": today,
            "overrun": placement.is_overrun(today),
            "licence": selectors_licence.placement_licence(placement=placement),
            "ending_corrections": (
                list(placement.ending_corrections.select_related("corrected_by"))
                if placement.status == Placement.Status.ENDED
                else []
            ),
            "can_manage_licences": can_user_manage_licences(request.user),
            # What was said of the other residents' risks, and why: for the IOM team.
            "sharing_overrides": (
                list(placement.sharing_overrides.select_related("decided_by"))
                if can_user_manage_placements(request.user)
                else []
            ),
            "offender": placement.offender,
            "documents": list(
                casefiles_selectors.placement_document_list(user=request.user, placement=placement)
            ),
            "document_add_url": reverse("casefiles:placement-document-add", args=[placement.public_id]),
            "can_transfer": can_user_transfer_placements(request.user),
            "arrival_due": services.arrival_due(placement, today=today),
            "transfer_in": getattr(placement, "transfer_in", None),
            "transfer_out": getattr(placement, "transfer_out", None),
        },
    )


# Each step in a placement's life: its form, the service that takes it, the page title and the
# message once done. One view serves them all.
PLACEMENT_ACTIONS = {
    "confirm": (
        ConfirmForm,
        services.placement_confirm,
        _lazy("Confirm this booking"),
        _lazy("Booking confirmed"),
    ),
    "arrive": (
        ArriveForm,
        services.placement_arrive,
        _lazy("Record arrival"),
        _lazy("Arrival recorded: the placement is active"),
    ),
    "not-arrived": (
        NotArrivedForm,
        services.placement_not_arrived,
        _lazy("Record that they did not arrive"),
        _lazy("Non-arrival recorded: the bedspace is free"),
    ),
    "cancel": (
        CancelForm,
        services.placement_cancel,
        _lazy("Cancel this booking"),
        _lazy("Booking cancelled: the bedspace is free"),
    ),
    "renew": (RenewForm, services.licence_renew, _lazy("Renew the licence"), _lazy("Licence renewed")),
}


@officers
@logs_access
def placement_action(request, public_id, action: str):
    form_class, service, title, message = PLACEMENT_ACTIONS[action]
    placement = _placement_or_404(request, public_id)
    today = timezone.localdate()
    if (
        action == "arrive"
        and placement.status in Placement.BOOKED_STATUSES
        and not services.arrival_due(placement, today=today)
    ):
        # Nothing to record yet: say when it can be, rather than a form the service will refuse.
        return render(
            request,
            "placements/arrival_not_due.html",
            {"placement": placement, "title": title, "back_url": placement.get_absolute_url()},
        )
    can_override = action == "renew" and can_user_override_sharing(request.user)
    return based_form_page(
        request,
        form_class=form_class,
        record=placement,
        reload=lambda: _placement_or_404(request, public_id),
        form_kwargs=lambda placement: {"can_override": True} if can_override else {},
        action=lambda data, basis: service(
            placement_id=placement.pk, by=request.user, expected_version=basis, **data
        ),
        context=lambda placement: {
            "title": title,
            "caption": f"{placement.offender.full_name}, {placement.bedspace}",
            "back_url": placement.get_absolute_url(),
            "placement": placement,
            "can_transfer": can_user_transfer_placements(request.user),
        },
        success_url=placement.get_absolute_url(),
        success_message=message,
        template="placements/placement_action.html",
    )


@iom_officers
@logs_access
def placement_transfer(request, public_id):
    """Move the person to another bedspace (a repair, an incident, a risk), with the reason."""
    placement = _placement_or_404(request, public_id)
    today = timezone.localdate()
    remaining = (placement.ends_on - today).days
    initial_days = remaining if 1 <= remaining <= 28 else 28
    # The bedspaces that suit the person, each with the first day it is free for that term: free
    # today first. The service checks the chosen one again for the date and term asked for.
    free, _never = selectors.earliest_free_bedspaces(
        starts_on=today, days=initial_days, today=today, offender=placement.offender, moving_from=placement.pk
    )
    bedspaces = {
        row.bedspace.pk: (
            row.bedspace,
            (
                _("%(bedspace)s (free now)") % {"bedspace": row.bedspace}
                if not row.days_later
                else _("%(bedspace)s (free from %(day)s)")
                % {"bedspace": row.bedspace, "day": day(row.starts_on)}
            )
            + (_(": a sharing conflict") if row.conflicts else ""),
        )
        for row in free
    }
    return based_form_page(
        request,
        form_class=TransferForm,
        record=placement,
        reload=lambda: _placement_or_404(request, public_id),
        form_kwargs=lambda placement: {
            "bedspaces": bedspaces,
            "initial": {"days": initial_days},
            "can_override": can_user_override_sharing(request.user),
        },
        action=lambda data, basis: services.placement_transfer(
            placement_id=placement.pk, by=request.user, expected_version=basis, **data
        ),
        context=lambda placement: {
            "title": _("Move them to another bedspace"),
            "caption": f"{placement.offender.full_name}, {placement.bedspace}",
            "back_url": placement.get_absolute_url(),
            "placement": placement,
        },
        success_url=reverse("referrals:offender-detail", args=[placement.offender.public_id]),
        success_message=_("Moved to another bedspace: the new placement is active"),
        template="placements/placement_action.html",
    )


def _plan_of(placement: Placement):
    return getattr(placement, "support_plan", None)


def _plan_version(placement: Placement) -> int:
    """The basis of the support plan page: its plan's version, or 0 while it has none (so that a
    plan made meanwhile by someone else is a change too)."""
    plan = _plan_of(placement)
    return plan.version if plan is not None else 0


@officers
@logs_access
def support_plan_edit(request, public_id):
    """Which agencies support the placement, how often each visits, and the support tier."""
    placement = _placement_or_404(request, public_id)
    agencies = Agency.objects.filter(active=True).exclude(kind=Agency.Kind.COMMISSIONER).order_by("name")
    return based_form_page(
        request,
        form_class=SupportPlanForm,
        record=placement,
        reload=lambda: _placement_or_404(request, public_id),
        basis_of=_plan_version,
        form_kwargs=lambda placement: {"agencies": agencies, "plan": _plan_of(placement)},
        action=lambda data, basis: services.support_plan_set(
            placement_id=placement.pk,
            tier=data["tier"],
            agencies=data["visits"],
            notes=data["notes"],
            by=request.user,
            expected_version=basis,
        ),
        context=lambda placement: {
            "title": _("Support plan") if _plan_of(placement) is None else _("Change the support plan"),
            "caption": f"{placement.offender.full_name}, {placement.bedspace}",
            "back_url": placement.get_absolute_url(),
            "placement": placement,
        },
        success_url=placement.get_absolute_url(),
        success_message=_("Support plan saved"),
        template="placements/placement_action.html",
    )


# Finding a bedspace and booking it ----------------------------------------------------------


def _accepted_referral_or_404(request, public_id) -> Referral:
    return found_or_404(referral_get, user=request.user, public_id=public_id)


@officers
@logs_access
@require_GET
def find_bedspace(request, public_id):
    """Step 1 and 2 of placing someone: choose dates, then see each suitable bedspace with the
    earliest date on or after them that it is free for the whole stay."""
    referral = _accepted_referral_or_404(request, public_id)
    today = timezone.localdate()
    form = AvailabilityForm(request.GET or None, areas=selectors.areas(), today=today)
    bedspaces = None
    never_free = 0
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        bedspaces, never_free = selectors.earliest_free_bedspaces(
            starts_on=data["starts_on"],
            days=data["days"],
            today=today,
            area=data["area"],
            restriction=data["restriction"],
            accessible=data["accessible"],
            offender=referral.offender,
        )
    return render(
        request,
        "placements/find_bedspace.html",
        {
            "referral": referral,
            "form": form,
            "bedspaces": bedspaces,
            "never_free": never_free,
            "search": request.GET.urlencode(),
        },
    )


def _back_to_search(request, referral: Referral):
    """Find a bedspace again, with the search as it was typed (sent on with the booking)."""
    url = reverse("placements:find-bedspace", args=[referral.public_id])
    query = request.GET.urlencode()
    return redirect(f"{url}?{query}" if query else url)


def _sharing_check(referral: Referral, bedspace: Bedspace, data: dict) -> sharing.SharingCheck:
    return sharing.sharing_check(
        bedspace=bedspace,
        offender=referral.offender,
        starts_on=data["starts_on"],
        ends_on=data["starts_on"] + timedelta(days=data["days"]),
        today=timezone.localdate(),
    )


def _place_check_page(request, referral: Referral, bedspace: Bedspace, form: PlaceForm, check, search: str):
    data = form.cleaned_data
    saw(people=[referral])
    return render(
        request,
        "placements/place_check.html",
        {
            "referral": referral,
            "bedspace": bedspace,
            "form": form,
            "starts_on": data["starts_on"],
            "days": data["days"],
            "ends_on": data["starts_on"] + timedelta(days=data["days"]),
            "basis": data["basis"],
            "check": check,
            "seen": sharing.conflicts_digest(check.conflicts),
            "can_override": can_user_override_sharing(request.user),
            "override_field": sharing.OVERRIDE_FIELD,
            "override": form[sharing.OVERRIDE_FIELD] if sharing.OVERRIDE_FIELD in form.fields else None,
            "search": search,
            "back_url": _search_url(referral, search),
        },
    )


def _search_url(referral: Referral, search: str) -> str:
    url = reverse("placements:find-bedspace", args=[referral.public_id])
    return f"{url}?{search}" if search else url


@officers
@logs_access
@require_GET
def place_check(request, public_id):
    """Step 3 for a bedspace in a shared property: who else will be there over the dates
    (pseudonymously) and what conflicts, with the officer's override, before booking."""
    referral = _accepted_referral_or_404(request, public_id)
    search = request.GET.get("search", "")
    form = PlaceForm(request.GET, can_override=can_user_override_sharing(request.user))
    if not form.is_valid():
        return redirect(_search_url(referral, search))
    bedspace = get_object_or_404(
        Bedspace.objects.select_related("property"), pk=form.cleaned_data["bedspace"]
    )
    return _place_check_page(
        request, referral, bedspace, form, _sharing_check(referral, bedspace, form.cleaned_data), search
    )


@officers
@logs_access
@require_POST
def place(request, public_id):
    """Step 3: book the chosen bedspace (a provisional booking), then confirm it on its page.
    A bedspace with others in its property over the dates, or a sharing conflict, is shown first
    (`place_check`). A refusal goes back to the search as it was typed, with the reason."""
    referral = _accepted_referral_or_404(request, public_id)
    can_override = can_user_override_sharing(request.user)
    form = PlaceForm(request.POST, can_override=can_override)
    if not form.is_valid():
        messages.error(request, _("Choose the dates and a bedspace again."))
        return _back_to_search(request, referral)
    data = form.cleaned_data
    bedspace = get_object_or_404(Bedspace.objects.select_related("property"), pk=data["bedspace"])
    if not data["checked"]:
        check = _sharing_check(referral, bedspace, data)
        if check.residents or check.overridable:
            query = urlencode(
                {
                    "bedspace": bedspace.pk,
                    "starts_on": data["starts_on"].isoformat(),
                    "days": data["days"],
                    "basis": data["basis"],
                    "search": request.GET.urlencode(),
                }
            )
            return redirect(reverse("placements:place-check", args=[referral.public_id]) + "?" + query)
    try:
        placement = services.place_offender(
            referral_id=referral.pk,
            bedspace_id=bedspace.pk,
            starts_on=data["starts_on"],
            days=data["days"],
            by=request.user,
            expected_version=data["basis"],
            sharing_override_reason=data.get(sharing.OVERRIDE_FIELD, ""),
            sharing_seen=data["sharing_seen"],
        )
    except StaleBasis as stale:
        if not stale.already_done:
            messages.error(request, stale.messages[0])
            return _back_to_search(request, referral)
        messages.info(request, stale.messages[0])
        placement = referral.placements.exclude(status__in=Placement.RELEASED_STATUSES).get()
        return redirect(placement.get_absolute_url())
    except ValidationError as error:
        if data["checked"] and sharing.OVERRIDE_FIELD in getattr(error, "error_dict", {}):
            if sharing.override_params(error) is not None and can_override:
                # The page lists the conflicts already: say what to do.
                form.add_error(
                    sharing.OVERRIDE_FIELD,
                    _("Enter why it is safe to book it anyway, or choose another bedspace."),
                )
            else:
                form.add_service_error(error)
            check = _sharing_check(referral, bedspace, data)
            return _place_check_page(request, referral, bedspace, form, check, request.GET.urlencode())
        for text in error.messages:
            messages.error(request, text)
        return _back_to_search(request, referral)
    messages.success(request, _("Provisional booking made. Confirm it when the arrival is agreed."))
    return redirect(placement.get_absolute_url())


# Void periods ---------------------------------------------------------------------------------


@officers
def void_add(request, pk):
    bedspace = get_object_or_404(Bedspace.objects.select_related("property"), pk=pk)
    url = bedspace.property.get_absolute_url()
    return form_page(
        request,
        form_class=VoidForm,
        action=lambda data: services.void_add(bedspace_id=bedspace.pk, by=request.user, **data),
        context={"title": _("Take a bedspace out of use"), "caption": str(bedspace), "back_url": url},
        success_url=url,
        success_message=_("Void period added"),
    )


@officers
def void_end(request, pk):
    void = get_object_or_404(VoidPeriod.objects.select_related("bedspace__property"), pk=pk)
    url = void.bedspace.property.get_absolute_url()
    return based_form_page(
        request,
        form_class=VoidEndForm,
        record=void,
        reload=lambda: get_object_or_404(VoidPeriod.objects.select_related("bedspace__property"), pk=pk),
        action=lambda data, basis: services.void_end(
            void_id=void.pk, by=request.user, expected_version=basis, **data
        ),
        context=lambda void: {
            "title": _("Put the bedspace back in use"),
            "caption": str(void.bedspace),
            "back_url": url,
            "void": void,
        },
        success_url=url,
        success_message=_("Void period ended"),
        template="placements/void_end.html",
    )


@officers
@logs_access
def exclusion_add(request, public_id):
    """Mark a property unsuitable for a named person (near a victim or associates, for example)."""
    offender = found_or_404(offender_get, user=request.user, public_id=public_id)
    url = offender.get_absolute_url()
    return form_page(
        request,
        form_class=ExclusionForm,
        action=lambda data: services.property_exclusion_add(
            property_id=data["property"].pk, offender_id=offender.pk, reason=data["reason"], by=request.user
        ),
        context={"title": _("Mark a property as unsuitable"), "caption": offender.full_name, "back_url": url},
        success_url=url,
        success_message=_("Property marked as unsuitable for this person"),
    )
