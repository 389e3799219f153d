"""Lists downloaded as CSV (people, referrals, a caseload): the data leaves the service, so each
download is an export in the access log naming everyone in it."""

from collections.abc import Iterable

from django.http import HttpResponse
from django.utils import timezone

from audit.access import access_record
from audit.models import AccessLogEntry
from iom_housing.spreadsheets import csv_writer


def list_csv_response(
    request, *, name: str, header: list[str], rows: Iterable[tuple[list, int]], model: str
) -> HttpResponse:
    """`rows` (each row's cells and its person's id) as a CSV download named `name` and today's
    date, logged as one export naming every person in it."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate().isoformat()}.csv"'
    writer = csv_writer(response)
    writer.writerow(header)
    people: dict[int, None] = {}
    for cells, offender_id in rows:
        writer.writerow(cells)
        people[offender_id] = None
    access_record(
        user=request.user,
        action=AccessLogEntry.Action.EXPORT,
        offender_ids=list(people),
        model=model,
        url=request.path,
        method=request.method,
    )
    return response
