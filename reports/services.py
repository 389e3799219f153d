"""Report files: asking for one made in the background, making it, logging views and downloads
(in the DPA access log too), deleting old files."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.access import access_record
from audit.models import AccessLogEntry
from iom_housing.access import Requester, Staff
from iom_housing.i18n import written_for
from iom_housing.services import integrity_errors_as, locked
from outbox.services import outbox_add
from reports.builder import EVALUATION, OFFICER, PUBLISHED, build_report
from reports.models import Funding, ReportDownload, ReportExport, UnitCost
from reports.render import file_name, render_file
from reports.tables import Report

logger = logging.getLogger(__name__)

# How a report is named in the access log, and why it was made: the OPCC's versions (evaluation and
# published) for evaluating the scheme, the officers' (named) version for reviewing cases.
REPORT_RECORD = "reports.Report"
REPORT_REASONS = {PUBLISHED: "evaluation", EVALUATION: "evaluation", OFFICER: "case_management"}


def export_request(
    *, user: Staff, start: date, end: date, area: str, audience: str, fmt: str
) -> ReportExport:
    """Queue a report file for a long period; the task runs once the request is committed."""
    from reports.tasks import make_report_export

    with transaction.atomic():
        export = ReportExport.objects.create(
            requested_by=user,
            start=start,
            end=end,
            area=area,
            audience=audience,
            format=fmt,
            expires_at=timezone.now() + timedelta(hours=settings.REPORT_FILES_KEEP_HOURS),
        )
        # Written with the request (outbox): made when the broker answers, whenever that is.
        outbox_add(task=make_report_export, args=[str(export.pk)])
    return export


def _written_at_once(write: Callable[[], Any]) -> None:
    """Run `write` on a connection of its own (a short-lived thread's), committed as it ends: the
    build holds one transaction open for its snapshot, and a write inside it would be seen by the
    page polling the file's progress only when the build is over."""

    def run() -> None:
        try:
            write()
        except Exception:  # noqa: BLE001 - progress is a courtesy: the file is made without it
            logger.exception("Could not record a report file's progress")
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()


def export_make(*, export_id: UUID | str) -> ReportExport:
    """Build the report and write its file, reporting progress on the way."""
    export = ReportExport.objects.get(pk=export_id)
    # "Being made" is made again: the task's outbox claim lets only one worker at a time in, so
    # this one is left by a worker killed mid-build. Ready or failed files are left alone.
    if export.status not in (ReportExport.Status.QUEUED, ReportExport.Status.RUNNING):
        return export  # a redelivered task: the first run finished it
    ReportExport.objects.filter(pk=export.pk).update(status=ReportExport.Status.RUNNING)

    def progress(percent: int) -> None:
        # Building is most of the work; writing the file is the last tenth.
        _written_at_once(
            lambda: ReportExport.objects.filter(pk=export.pk).update(progress=min(percent * 9 // 10, 90))
        )

    try:
        # Made in the background, so in the language of whoever asked for it, not the worker's.
        with written_for(export.requested_by):
            report = build_report(
                start=export.start,
                end=export.end,
                area=export.area,
                audience=export.audience,
                progress=progress,
            )
            content = render_file(report, export.format)
        name = f"{export.pk}-{file_name(report, export.format)}"
        directory = settings.REPORT_FILES_DIR
        directory.mkdir(parents=True, exist_ok=True)
        (directory / name).write_bytes(content)
    except Exception:  # noqa: BLE001 - any failure is shown to the user as a failed file
        logger.exception("Report export %s failed", export.pk)
        ReportExport.objects.filter(pk=export.pk).update(
            status=ReportExport.Status.FAILED, error="The report could not be made."
        )
        return ReportExport.objects.get(pk=export.pk)
    ReportExport.objects.filter(pk=export.pk).update(
        status=ReportExport.Status.READY, progress=100, file_name=name, offender_ids=report.people
    )
    export.refresh_from_db()
    return export


def report_access_log(
    *,
    user: Requester,
    action: str,
    audience: str,
    start: date,
    end: date,
    area: str,
    fmt: str,
    people: Iterable[int],
    url: str,
    method: str = "GET",
) -> AccessLogEntry:
    """The access-log row for a report seen or taken away. The officers' version names the people
    in its case-review list (their ids, so each shows in that person's access history); the
    evaluation and published versions name no one. The record is the report itself: version,
    format, period and area."""
    return access_record(
        user=user,
        action=action,
        offender_ids=people,
        model=REPORT_RECORD,
        object_ref=f"{audience} {fmt} {start:%Y-%m-%d}/{end:%Y-%m-%d} {area}".strip(),
        url=url,
        method=method,
        reason=REPORT_REASONS[audience],
    )


def view_log(*, user: Requester, report: Report, url: str) -> AccessLogEntry:
    """The report page was shown: a consultation of the people it names."""
    return report_access_log(
        user=user,
        action=AccessLogEntry.Action.CONSULT,
        audience=report.audience,
        start=report.start,
        end=report.end,
        area=report.area,
        fmt="html",
        people=report.people,
        url=url,
    )


def download_log(
    *,
    user: Staff,
    start: date,
    end: date,
    area: str,
    audience: str,
    fmt: str,
    people: Iterable[int],
    url: str,
    export: ReportExport | None = None,
) -> ReportDownload:
    """A file of the report was handed over: a report download, and an export in the access log."""
    with transaction.atomic():
        report_access_log(
            user=user,
            action=AccessLogEntry.Action.EXPORT,
            audience=audience,
            start=start,
            end=end,
            area=area,
            fmt=fmt,
            people=people,
            url=url,
        )
        return ReportDownload.objects.create(
            user=user, start=start, end=end, area=area, audience=audience, format=fmt, export=export
        )


def exports_delete_expired(*, now: datetime | None = None) -> int:
    """Delete report files (and their records) past their time; returns how many."""
    now = now or timezone.now()
    expired = list(ReportExport.objects.filter(expires_at__lte=now))
    for export in expired:
        if export.file_name:
            export.path.unlink(missing_ok=True)
    ReportExport.objects.filter(pk__in=[e.pk for e in expired]).delete()
    return len(expired)


def unit_cost_update(
    *,
    unit_cost_id: int,
    low: Decimal,
    central: Decimal,
    high: Decimal,
    source: str,
    source_date: date,
    notes: str = "",
    by: Staff,
) -> UnitCost:
    """Change one of the report's assumptions (a scheme manager, on the assumptions page). The
    change history (audit.UnitCostHistory) records who changed it from what; every report made
    afterwards prices with the new figures and lists them under "Assumptions used"."""
    errors = {}
    if low < 0:
        errors["low"] = _("The low figure must be £0 or more.")
    if central < low:
        errors["central"] = _("The central figure must be at least the low figure.")
    if high < central:
        errors["high"] = _("The high figure must be at least the central figure.")
    if not source.strip():
        errors["source"] = _("Enter where the figure comes from.")
    if errors:
        raise ValidationError(errors)
    ordered = ValidationError({"central": _("The figures must be in order: low, then central, then high.")})
    with (
        integrity_errors_as(
            {"unitcost_low_not_negative": ordered, "unitcost_low_central_high_in_order": ordered}
        ),
        transaction.atomic(),
        # Who changed it, in the change history, also when called outside a request.
        pghistory.context(user=getattr(by, "pk", None)),
    ):
        cost = locked(UnitCost.objects, unit_cost_id, str(_("unit cost")))
        cost.low, cost.central, cost.high = low, central, high
        cost.source, cost.source_date, cost.notes = source.strip(), source_date, notes
        cost.save(update_fields=["low", "central", "high", "source", "source_date", "notes", "updated_at"])
    logger.info("unit cost %s changed by user %s", cost.key, getattr(by, "pk", None))
    return cost


FUNDING_FIELDS = ("name", "funder", "kind", "amount", "starts_on", "ends_on", "notes")


def _funding_errors(
    *, name: str, funder: str, kind: str, amount: Decimal, starts_on: date, ends_on: date | None
) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    if not name.strip():
        errors["name"] = _("Enter the funding's name")
    if not funder.strip():
        errors["funder"] = _("Enter who gives the funding")
    if kind not in Funding.Kind.values:
        errors["kind"] = _("Select the kind of funding")
    if amount is None or amount < 0:
        errors["amount"] = _("The amount must be £0 or more")
    if ends_on is not None and starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The end date must be the same as or after the start date")
    return errors


def _funding_constraints() -> Any:
    return integrity_errors_as(
        {
            "funding_amount_not_negative": ValidationError({"amount": _("The amount must be £0 or more")}),
            "funding_dates_in_order": ValidationError(
                {"ends_on": _("The end date must be the same as or after the start date")}
            ),
        }
    )


def funding_add(
    *,
    name: str,
    funder: str,
    kind: str,
    amount: Decimal,
    starts_on: date,
    ends_on: date | None = None,
    notes: str = "",
    by: Staff,
) -> Funding:
    """Add a funding line (a scheme manager, on the funding pages); the report's "Funding received"
    counts it from its first day. Its change history is kept (audit.FundingHistory)."""
    errors = _funding_errors(
        name=name, funder=funder, kind=kind, amount=amount, starts_on=starts_on, ends_on=ends_on
    )
    if errors:
        raise ValidationError(errors)
    with _funding_constraints(), transaction.atomic(), pghistory.context(user=getattr(by, "pk", None)):
        funding = Funding.objects.create(
            name=name.strip(),
            funder=funder.strip(),
            kind=kind,
            amount=amount,
            starts_on=starts_on,
            ends_on=ends_on,
            notes=notes.strip(),
        )
    logger.info("funding %s added by user %s", funding.pk, getattr(by, "pk", None))
    return funding


def funding_update(
    *,
    funding_id: int,
    name: str,
    funder: str,
    kind: str,
    amount: Decimal,
    starts_on: date,
    ends_on: date | None = None,
    notes: str = "",
    by: Staff,
) -> Funding:
    """Change a funding line; reports made from now on count the new figures."""
    errors = _funding_errors(
        name=name, funder=funder, kind=kind, amount=amount, starts_on=starts_on, ends_on=ends_on
    )
    if errors:
        raise ValidationError(errors)
    with _funding_constraints(), transaction.atomic(), pghistory.context(user=getattr(by, "pk", None)):
        funding = locked(Funding.objects, funding_id, str(_("funding")))
        funding.name, funding.funder, funding.kind = name.strip(), funder.strip(), kind
        funding.amount, funding.starts_on, funding.ends_on, funding.notes = (
            amount,
            starts_on,
            ends_on,
            notes.strip(),
        )
        funding.save(update_fields=[*FUNDING_FIELDS, "updated_at"])
    logger.info("funding %s changed by user %s", funding.pk, getattr(by, "pk", None))
    return funding
