"""The evaluation report page, its downloads, and files made in the background."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Min
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from iom_housing.access import can_user_view_report_version, can_user_view_reports, require
from iom_housing.security.log import security_event
from reports import services
from reports.builder import AUDIENCES, OFFICER, PUBLISHED, area_name, build_report
from reports.forms import ReportForm
from reports.models import ReportExport
from reports.render import FORMATS, file_name, render_file, report_context

DOWNLOADS = [("pdf", _("PDF")), ("xlsx", _("Spreadsheet (XLSX)")), ("csv", _("CSV files (zip)"))]


def audiences_for(user) -> list[str]:
    """The versions `user` may see, the default first: the named one for those who may see it,
    else the published one."""
    allowed = [a for a in AUDIENCES if can_user_view_report_version(user, a)]
    order = [OFFICER, PUBLISHED]
    return sorted(allowed, key=lambda a: (a not in order, order.index(a) if a in order else 0))


def _first_day():
    from placements.models import Placement

    return Placement.objects.aggregate(first=Min("starts_on"))["first"]


def _form(request) -> ReportForm:
    return ReportForm(request.GET or None, audiences=audiences_for(request.user), first_day=_first_day())


def _is_large(data) -> bool:
    """Made in the background: a long period, or any published report (its whole financial year's
    reports are built to suppress it, reports/family.py)."""
    if data["audience"] == PUBLISHED and settings.REPORT_PUBLISHED_IN_BACKGROUND:
        return True
    return (data["end"] - data["start"]).days + 1 > settings.REPORT_SYNC_MAX_DAYS


@require_GET
@require(can_user_view_reports)
def report(request):
    form = _form(request)
    context = {"form": form, "downloads": DOWNLOADS}
    if form.is_valid():
        data = form.cleaned_data
        built = build_report(
            start=data["start"], end=data["end"], area=data["area"], audience=data["audience"]
        )
        query = request.GET.copy()
        query.pop("format", None)
        context |= report_context(built) | {"query": query.urlencode(), "large": _is_large(data)}
        services.view_log(user=request.user, report=built, url=request.path)
    return render(request, "reports/report.html", context, status=400 if form.errors else 200)


@require_GET
@require(can_user_view_reports)
def download(request):
    """A file of the report: made now for a short period, or in the background for a long one."""
    form = _form(request)
    fmt = request.GET.get("format", "")
    if not form.is_valid() or fmt not in FORMATS:
        return report(request)
    data = form.cleaned_data
    args = {"start": data["start"], "end": data["end"], "area": data["area"], "audience": data["audience"]}
    if _is_large(data):
        export = services.export_request(user=request.user, fmt=fmt, **args)
        return redirect("reports:export-detail", export.pk)
    built = build_report(**args)
    content = render_file(built, fmt)
    services.download_log(user=request.user, fmt=fmt, people=built.people, url=request.path, **args)
    response = HttpResponse(content, content_type=FORMATS[fmt][0])
    response["Content-Disposition"] = f'attachment; filename="{file_name(built, fmt)}"'
    return response


def _own_export(request, pk) -> ReportExport:
    """The requester's own file (someone else's does not exist for you: a 404, not a 403), while
    their role still allows its version: the right is the one they hold now, not when they asked."""
    export = get_object_or_404(ReportExport, pk=pk, requested_by=request.user)
    if not can_user_view_report_version(request.user, export.audience):
        security_event("access_refused", request=request, status=403, rule="can_user_view_report_version")
        raise PermissionDenied
    return export


@require_GET
@require(can_user_view_reports)
def export_detail(request, pk):
    export = _own_export(request, pk)
    return render(request, "reports/export.html", {"export": export, "area_name": area_name(export.area)})


@require_GET
@require(can_user_view_reports)
def export_download(request, pk):
    export = _own_export(request, pk)
    if export.status != ReportExport.Status.READY or not export.path.exists():
        raise Http404
    services.download_log(
        user=request.user,
        start=export.start,
        end=export.end,
        area=export.area,
        audience=export.audience,
        fmt=export.format,
        people=export.offender_ids,
        url=request.path,
        export=export,
    )
    name = export.file_name.split("-", 5)[-1]  # without the export's id
    return FileResponse(
        export.path.open("rb"), as_attachment=True, filename=name, content_type=FORMATS[export.format][0]
    )
