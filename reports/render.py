"""A built report in each format: the page's HTML, a standalone HTML file, PDF, CSV (a zip of one
file a section) and XLSX. Every format shows each metric's definition under it and the same
cells, suppression and all, since they all read `reports.tables.display`."""

import io
import zipfile
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from iom_housing.dates import day
from iom_housing.spreadsheets import csv_writer, xlsx_append
from reports.tables import PERCENT, SUPPRESSION_NOTE, MetricResult, Report, display, plain_value

MARKING = "OFFICIAL-SENSITIVE"
FORMATS = {
    "html": ("text/html; charset=utf-8", "html"),
    "csv": ("application/zip", "zip"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pdf": ("application/pdf", "pdf"),
}


@dataclass
class MetricView:
    key: str
    title: str
    definition: str
    row_header: str
    headers: list[str]
    rows: list[tuple[str, list[str]]]
    total: tuple[str, list[str]] | None
    chart: str
    note: str = ""


def period_text(report: Report) -> str:
    return _("%(start)s to %(end)s") % {
        "start": day(report.start),
        "end": day(report.end),
    }


def area_text(report: Report) -> str:
    return report.area or _("All areas")


def suppression_note(report: Report) -> str:
    return str(SUPPRESSION_NOTE).format(threshold=report.threshold, top=report.threshold - 1)


def metric_view(metric: MetricResult, threshold: int, *, whole: bool = False) -> MetricView:
    """The metric's cells as shown; a long list cut to its first rows unless `whole`."""
    table = metric.table
    rows, note = table.rows, ""
    if not whole and table.shown_rows is not None and len(rows) > table.shown_rows:
        rows = rows[: table.shown_rows]
        note = _(
            "The first %(shown)s of %(count)s rows are shown here. The spreadsheet (XLSX) and CSV "
            "downloads list them all."
        ) % {
            "shown": number_format(table.shown_rows, force_grouping=True),
            "count": number_format(len(table.rows), force_grouping=True),
        }
    shown = [(row.label, [display(c, row, threshold) for c in table.columns]) for row in rows]
    total = None
    if table.total is not None:
        total = (table.total.label, [display(c, table.total, threshold) for c in table.columns])
    return MetricView(
        key=metric.key,
        title=metric.title,
        definition=metric.definition,
        row_header=table.row_header,
        headers=[str(c.label) for c in table.columns],
        rows=shown,
        total=total,
        chart=bar_chart(metric, threshold) if metric.chart_column else "",
        note=note,
    )


def report_context(report: Report) -> dict:
    return {
        "report": report,
        "sections": [
            {"key": s.key, "title": s.title, "metrics": [metric_view(m, report.threshold) for m in s.metrics]}
            for s in report.sections
        ],
        "period": period_text(report),
        "area": area_text(report),
        "marking": MARKING,
        "suppression_note": suppression_note(report),
        "generated": timezone.localtime(report.generated_at),
    }


# Charts ----------------------------------------------------------------------------------------------

CHART_WIDTH, LABEL_WIDTH, BAR_WIDTH, ROW_HEIGHT = 640, 250, 300, 26


def _truncate(text: str, length: int = 38) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def bar_chart(metric: MetricResult, threshold: int) -> str:
    """A horizontal bar chart of one column, as inline SVG. A withheld value gets no bar, only its
    marker, so the chart reveals no more than the table beside it."""
    table = metric.table
    column = next(c for c in table.columns if c.key == metric.chart_column)
    rows = table.rows
    values = []
    for row in rows:
        value = None if row.states.get(column.key) else row.values.get(column.key)
        values.append(float(value) if value is not None else None)
    top = max([v for v in values if v is not None] + [0])
    if column.kind == PERCENT:
        top = max(top, 1.0)
    height = ROW_HEIGHT * len(rows) + 10
    title_id = f"chart-{metric.key}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" viewBox="0 0 {CHART_WIDTH} {height}" '
        f'width="{CHART_WIDTH}" height="{height}" role="img" aria-labelledby="{title_id}">',
        f'<title id="{title_id}">{escape(metric.title)}: {escape(_("the figures are in the table"))}</title>',
        f'<line x1="{LABEL_WIDTH}" y1="0" x2="{LABEL_WIDTH}" y2="{height - 6}" stroke="#0b0c0c" stroke-width="1"/>',
    ]
    for index, (row, value) in enumerate(zip(rows, values, strict=True)):
        y = 5 + index * ROW_HEIGHT
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 16}" text-anchor="end" font-size="13" '
            f'font-family="Arial, Helvetica, sans-serif" fill="#0b0c0c">{escape(_truncate(row.label))}</text>'
        )
        width = 0 if value is None or not top else round(BAR_WIDTH * value / top, 1)
        if width:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{width}" height="{ROW_HEIGHT - 8}" fill="#1d70b8"/>'
            )
        parts.append(
            f'<text x="{LABEL_WIDTH + width + 6}" y="{y + 16}" font-size="13" '
            f'font-family="Arial, Helvetica, sans-serif" fill="#0b0c0c">{escape(display(column, row, threshold))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in it is escaped above


# Files ------------------------------------------------------------------------------------------------


def to_html(report: Report) -> str:
    """The report as one standalone HTML document (the same body as the page and the PDF)."""
    return render_to_string("reports/report_document.html", {**report_context(report), "for_pdf": False})


def to_pdf(report: Report) -> bytes:
    from weasyprint import HTML

    html = render_to_string("reports/report_document.html", {**report_context(report), "for_pdf": True})
    return HTML(string=html).write_pdf()


def _about_rows(report: Report) -> list[list[str]]:
    return [
        [_("Report"), _("IOM housing scheme evaluation")],
        [_("Scheme"), report.scheme_name],
        [_("Period"), period_text(report)],
        [_("Area"), area_text(report)],
        [_("Version"), _("OPCC (pseudonymised)") if report.pseudonymised else _("Operational (named)")],
        [_("Made"), f"{timezone.localtime(report.generated_at):%d %B %Y %H:%M}"],
        [_("Marking"), MARKING],
        *([[_("Suppression"), suppression_note(report)]] if report.pseudonymised else []),
    ]


def _metric_rows(metric: MetricResult, threshold: int) -> list[list[str]]:
    view = metric_view(metric, threshold, whole=True)
    rows = [[view.title], [view.row_header, *view.headers]]
    rows += [[label, *cells] for label, cells in view.rows]
    if view.total:
        rows.append([view.total[0], *view.total[1]])
    rows.append([_("Definition: %(text)s") % {"text": view.definition}])
    rows.append([])
    return rows


def to_csv_zip(report: Report) -> bytes:
    """A zip of CSV files: an about file, then one a section; each metric is its title, its table
    (cells as shown, with the suppression markers) and its definition under it. Text is quoted and
    never starts a formula (iom_housing.spreadsheets)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        files = [("00-about.csv", _about_rows(report))]
        for number, section in enumerate(report.sections, start=1):
            rows = [[section.title], []]
            for metric in section.metrics:
                rows += _metric_rows(metric, report.threshold)
            files.append((f"{number:02d}-{section.key.replace('_', '-')}.csv", rows))
        for name, rows in files:
            text = io.StringIO()
            csv_writer(text).writerows(rows)
            # With a byte-order mark, so Excel reads the £ and the Welsh letters right.
            archive.writestr(name, "\ufeff" + text.getvalue())
    return buffer.getvalue()


def to_xlsx(report: Report) -> bytes:
    """One sheet a section, the definitions sheet first. Numbers are numbers (percentages as
    percentages); a withheld cell is its marker as text; text is never a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Definitions")[:31]
    bold = Font(bold=True)
    for row in _about_rows(report):
        xlsx_append(sheet, row)[0].font = bold
    xlsx_append(sheet, [])
    for cell in xlsx_append(sheet, [_("Section"), _("Metric"), _("Definition")]):
        cell.font = bold
    for section in report.sections:
        for metric in section.metrics:
            cells = xlsx_append(sheet, [section.title, metric.title, metric.definition])
            cells[2].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 50
    sheet.column_dimensions["C"].width = 100

    for section in report.sections:
        ws = workbook.create_sheet(section.title[:31])
        xlsx_append(ws, [section.title])[0].font = Font(bold=True, size=14)
        xlsx_append(ws, [f"{report.scheme_name} · {period_text(report)} · {area_text(report)} · {MARKING}"])
        for metric in section.metrics:
            table = metric.table
            xlsx_append(ws, [])
            xlsx_append(ws, [metric.title])[0].font = Font(bold=True, size=12)
            for cell in xlsx_append(ws, [table.row_header, *[str(c.label) for c in table.columns]]):
                cell.font = bold
            for row in table.all_rows():
                cells = []
                for column in table.columns:
                    value = plain_value(column, row)
                    cells.append(display(column, row, report.threshold) if value is None else value)
                appended = xlsx_append(ws, [row.label, *cells])
                if row is table.total:
                    for cell in appended:
                        cell.font = bold
            xlsx_append(ws, [_("Definition: %(text)s") % {"text": metric.definition}])[0].font = Font(
                italic=True
            )
        ws.column_dimensions["A"].width = 45
        for letter in "BCDEFGHI":
            ws.column_dimensions[letter].width = 18
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render_file(report: Report, fmt: str) -> bytes:
    if fmt == "html":
        return to_html(report).encode()
    if fmt == "pdf":
        return to_pdf(report)
    if fmt == "csv":
        return to_csv_zip(report)
    if fmt == "xlsx":
        return to_xlsx(report)
    raise ValueError(f"Unknown format {fmt!r}")


def file_name(report: Report, fmt: str) -> str:
    area = f"-{report.area.lower().replace(' ', '-')}" if report.area else ""
    version = "opcc" if report.pseudonymised else "operational"
    return f"iom-evaluation-{version}-{report.start}-to-{report.end}{area}.{FORMATS[fmt][1]}"
