"""Partner agencies' pages: the caseload, recording a visit (phone first), a placement's visits,
a visit and its corrections. Thin: selectors read, services write, `iom_housing.access` says who may."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from agencies import selectors, services
from agencies.forms import VisitCorrectForm, VisitForm, VisitsDueFilterForm
from agencies.models import HomeVisit
from audit.access import logs_access, saw
from audit.list_exports import list_csv_response
from iom_housing.access import (
    agency_of,
    can_user_correct_visit,
    can_user_follow_every_agency,
    can_user_record_visits,
    can_user_view_cases,
    require,
)
from iom_housing.basis import StaleBasis
from iom_housing.pages import found_or_404, paginate
from moveon.selectors import caseload_actions
from placements.models import Placement

case_readers = require(can_user_view_cases)
visitors = require(can_user_record_visits)

# The IOM team of a large scheme has thousands of visits due: fifty to a page.
VISITS_DUE_PAGE = 50


@case_readers
@logs_access
@require_GET
def caseload(request):
    today = timezone.localdate()
    placements = list(selectors.caseload(user=request.user, today=today))
    saw(people=placements)
    # The move-on actions the agency owns on each, to see and update from here (one query).
    actions = caseload_actions(agency=agency_of(request.user), placement_ids=[p.pk for p in placements])
    for placement in placements:
        placement.move_on_actions = actions.get(placement.pk, [])
    counts = {state: 0 for state in ("overdue", "due", "visited", "arriving")}
    for placement in placements:
        counts[placement.visit_state] += 1
    return render(
        request,
        "agencies/caseload.html",
        {
            "placements": placements,
            "counts": counts,
            "agency": agency_of(request.user),
            "today": today,
            "can_record": can_user_record_visits(request.user),
        },
    )


@case_readers
@require_GET
def caseload_csv(request):
    """The caseload as CSV, for the agency's own records: an export in the access log."""
    states = {
        selectors.VisitState.OVERDUE: _("Visit overdue"),
        selectors.VisitState.DUE: _("Visit due this week"),
        selectors.VisitState.VISITED: _("Visited"),
        selectors.VisitState.ARRIVING: _("Arriving"),
    }
    return list_csv_response(
        request,
        name="caseload",
        header=[
            _("Person"),
            _("Property"),
            _("Bedspace"),
            _("Town"),
            _("Arrived or arriving"),
            _("Last visit by us"),
            _("Next visit due"),
            _("Visits"),
            _("Licence ends"),
        ],
        rows=(
            (
                [
                    p.offender.full_name,
                    p.bedspace.property.name,
                    p.bedspace.label,
                    p.bedspace.property.town,
                    (p.arrived_on or p.starts_on).isoformat(),
                    timezone.localdate(p.last_visit_at).isoformat() if p.last_visit_at else "",
                    p.visit_due_on.isoformat(),
                    str(states[p.visit_state]),
                    p.ends_on.isoformat(),
                ],
                p.offender_id,
            )
            for p in selectors.caseload(user=request.user, today=timezone.localdate())
        ),
        model="placements.Placement",
    )


@case_readers
@logs_access
@require_GET
def visits_due(request):
    """The visits due this week and next, by day: an agency's own, or every agency's for the IOM
    team, with who planned each."""
    today = timezone.localdate()
    every_agency = can_user_follow_every_agency(request.user)
    own = None if every_agency else agency_of(request.user)
    filters = VisitsDueFilterForm(request.GET or None, every_agency=every_agency, own_agency=own)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    due = selectors.visits_due(
        user=request.user, today=today, agency_id=cleaned.get("agency"), worker_id=cleaned.get("worker")
    )
    page = paginate(request, due, per_page=VISITS_DUE_PAGE)
    saw(people=[visit.placement for visit in page])
    this_week_ends = today + timedelta(days=6 - today.weekday())
    after_this_week = this_week_ends + timedelta(days=1)
    groups = [
        (title, total, [v for v in page if first <= v.due_on <= last])
        for title, total, first, last in (
            (_("Overdue"), due.count_before(today), date.min, today - timedelta(days=1)),
            (_("Due this week"), due.count_between(today, this_week_ends), today, this_week_ends),
            (_("Due next week"), len(due) - due.count_before(after_this_week), after_this_week, date.max),
        )
    ]
    return render(
        request,
        "agencies/visits_due.html",
        {
            "filters": filters,
            # A group is shown on the pages that list some of it, and on every page when it has none.
            "groups": [(title, total, visits) for title, total, visits in groups if visits or not total],
            "page": page,
            "count": len(due),
            "agency": None if every_agency else own,
            "today": today,
            "can_record": can_user_record_visits(request.user),
        },
    )


def _placement_or_404(request, public_id) -> Placement:
    return found_or_404(selectors.visit_placement_get, user=request.user, public_id=public_id)


@visitors
@logs_access
def visit_record(request, public_id):
    placement = _placement_or_404(request, public_id)
    agency = agency_of(request.user)
    now = timezone.localtime()
    context = {
        "title": _("Record a visit"),
        "caption": f"{placement.offender.full_name}, {placement.bedspace}",
        "back_url": placement.get_absolute_url(),
        "placement": placement,
        "agency": agency,
    }
    try:
        # Any time on the plan will do here; the service checks the visit's own date.
        services.ensure_may_record(placement=placement, agency=agency, by=request.user, on=None)
    except ValidationError as error:
        # Visible (their agency referred the person, say) but not theirs to visit: say why.
        return render(request, "agencies/cannot_record.html", {**context, "error": error}, status=403)

    form_kwargs = {"agency": agency}
    if request.method == "POST":
        form = VisitForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                visit = services.visit_record(
                    placement_id=placement.pk, by=request.user, **form.service_kwargs()
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                if visit.concern_raised:
                    messages.success(
                        request, _("Visit recorded. Your concern has been sent to the IOM team.")
                    )
                else:
                    messages.success(request, _("Visit recorded"))
                return redirect(placement.get_absolute_url())
    else:
        form = VisitForm(
            initial={
                "visited_on": now.date(),
                "visited_time": now.time().replace(second=0, microsecond=0),
                "staff_names": request.user.get_full_name(),
                "support_hours": "0",
            },
            **form_kwargs,
        )
    return render(request, "agencies/visit_form.html", {**context, "form": form})


@case_readers
@logs_access
@require_GET
def placement_visits(request, public_id):
    """Every visit to a placement, newest first: its page shows each agency's latest few."""
    placement = _placement_or_404(request, public_id)
    visits = selectors.placement_visits(user=request.user, placement=placement)
    return render(
        request, "agencies/placement_visits.html", {"placement": placement, "page": paginate(request, visits)}
    )


def _visit_or_404(request, pk) -> HomeVisit:
    return found_or_404(selectors.visit_get, user=request.user, pk=pk)


@case_readers
@logs_access
@require_GET
def visit_detail(request, pk):
    visit = _visit_or_404(request, pk)
    return render(
        request,
        "agencies/visit_detail.html",
        {
            "visit": visit,
            "placement": visit.placement,
            "corrections": list(visit.corrections.all()),
            "can_correct": can_user_correct_visit(request.user, visit),
        },
    )


@case_readers
@logs_access
def visit_correct(request, pk):
    visit = _visit_or_404(request, pk)
    if not can_user_correct_visit(request.user, visit):
        raise PermissionDenied
    placement = visit.placement
    context = {
        "title": _("Correct this visit"),
        "caption": f"{placement.offender.full_name}, {visit.agency}",
        "back_url": visit.get_absolute_url(),
        "placement": placement,
        "visit": visit,
    }
    form_kwargs = {"agency": visit.agency}
    if request.method == "POST":
        form = VisitCorrectForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                services.visit_correct(visit_id=visit.pk, by=request.user, **form.service_kwargs())
            except StaleBasis as stale:
                if stale.already_done:
                    messages.info(request, stale.messages[0])
                    return redirect(visit.get_absolute_url())
                # Shown with the visit as it is now; sent again, it is a decision on this version.
                form.add_error(None, stale)
                form.data = form.data.copy()
                form.data["basis"] = str(VisitCorrectForm.basis_of(visit))
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Visit corrected. The change is kept with the visit."))
                return redirect(visit.get_absolute_url())
    else:
        initial = {**VisitForm.initial_for(visit), "basis": VisitCorrectForm.basis_of(visit)}
        form = VisitCorrectForm(initial=initial, **form_kwargs)
    return render(request, "agencies/visit_form.html", {**context, "form": form})
