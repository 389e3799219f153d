"""A built report in each format: the page's HTML, a standalone HTML file, PDF, CSV (a zip of one
file a section) and XLSX. Every format shows each metric's definition under it and the same
cells, suppression and all, since they all read `reports.tables.display`."""

import io
import re
import zipfile
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils import get_column_letter

from iom_housing.dates import day, day_time
from iom_housing.spreadsheets import csv_writer, xlsx_append
from reports.charts import bar_chart, spark, trend_chart
from reports.metrics.summary import WITHHELD, figure_text
from reports.suppression import SECONDARY
from reports.tables import (
    COUNT,
    DAYS,
    MONEY,
    NUMBER,
    PERCENT,
    PROTECTION_NOTE,
    RATE,
    SUPPRESSION_NOTE,
    TEXT,
    Column,
    MetricResult,
    Report,
    Row,
    display,
    marker,
    plain_value,
    rounded,
)

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
    # The indexes of the text columns (a source, an assumption): aligned left, not as numbers.
    text_columns: tuple[int, ...] = ()
    # Too many columns for A4 upright: the PDF lays the table out on a landscape page.
    wide: bool = False


WIDE_COLUMNS = 10


def period_text(report: Report) -> str:
    return _("%(start)s to %(end)s") % {
        "start": day(report.start),
        "end": day(report.end),
    }


def area_text(report: Report) -> str:
    return report.area_name or report.area or _("All areas")


def release_text(report: Report) -> str:
    """The published version's release line: when it was first published and what its data is as
    at (reports/releases.py); empty for the other versions."""
    release = report.release
    if release is None:
        return ""
    return _(
        "First published on %(made)s, with figures as at %(as_at)s. Published figures are not "
        "revised: this report is served as first published whenever it is downloaded, and records "
        "added or corrected later are counted only in reports first published after them."
    ) % {"made": day_time(release.made_at), "as_at": day_time(release.data_as_at)}


def suppression_note(report: Report) -> str:
    """How the published version's figures are protected (the other versions are not suppressed)."""
    note = PROTECTION_NOTE if report.protected else SUPPRESSION_NOTE
    return str(note).format(threshold=report.threshold, top=report.threshold - 1)


# Each version as the report names it, and what it is for.
VERSION_TEXT = {
    "officer": gettext_lazy("Operational (named rows for case review; do not send outside the scheme)"),
    "evaluation": gettext_lazy(
        "Evaluation (pseudonymised: one row per person placed, for the OPCC's evaluators under the "
        "data-sharing agreement; not for publication)"
    ),
    "published": gettext_lazy("Published (figures protected for board papers and public reporting)"),
}


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
        chart=chart_for(metric, threshold),
        note=note,
        text_columns=tuple(i for i, c in enumerate(table.columns) if c.kind == TEXT),
        wide=len(table.columns) >= WIDE_COLUMNS,
    )


def report_context(report: Report) -> dict:
    return {
        "report": report,
        "summary": summary_view(report),
        "sections": [
            {"key": s.key, "title": s.title, "metrics": [metric_view(m, report.threshold) for m in s.metrics]}
            for s in report.sections
        ],
        "period": period_text(report),
        "area": area_text(report),
        "marking": MARKING,
        "suppression_note": suppression_note(report),
        "version": version_text(report),
        "generated": timezone.localtime(report.generated_at),
        "release_text": release_text(report),
    }


# Charts and the summary --------------------------------------------------------------------------


def chart_for(metric: MetricResult, threshold: int) -> str:
    """A monthly chart for a trend table (its key starts "trend_"), else a bar chart."""
    if not metric.chart_column:
        return ""
    if metric.key.startswith("trend_"):
        return trend_chart(metric, threshold)
    return bar_chart(metric, threshold)


def summary_view(report: Report) -> dict | None:
    summary = report.summary
    if summary is None:
        return None
    lines = []
    for line in summary.lines:
        headline = line.headline
        trend_text = ", ".join(f"{p.label} {p.text}" for p in line.trend)
        lines.append(
            {
                "key": line.key,
                "label": line.label,
                "value": figure_text(line.now, line.kind, report.threshold),
                "previous": figure_text(line.before, line.kind, report.threshold) if line.before else "–",
                "sentence": line.sentence,
                "spark": spark(line.trend, line.kind, line.key, str(headline.trend_label))
                if line.trend
                else "",
                "trend_label": str(headline.trend_label),
                "trend_text": trend_text,
            }
        )
    return {
        "previous_label": summary.previous_label,
        "previous_period": _("%(start)s to %(end)s")
        % {"start": day(summary.previous_start), "end": day(summary.previous_end)},
        "lines": lines,
        "definition": summary.definition,
    }


# Files ------------------------------------------------------------------------------------------------


def to_html(report: Report) -> str:
    """The report as one standalone HTML document (the same body as the page and the PDF)."""
    return render_to_string("reports/report_document.html", {**report_context(report), "for_pdf": False})


def to_pdf(report: Report) -> bytes:
    from iom_housing.pdf import html_to_pdf

    return html_to_pdf(
        render_to_string("reports/report_document.html", {**report_context(report), "for_pdf": True})
    )


def _about_rows(report: Report) -> list[list[str]]:
    return [
        [_("Report"), _("IOM housing scheme evaluation")],
        [_("Scheme"), report.scheme_name],
        [_("Period"), period_text(report)],
        [_("Area"), area_text(report)],
        [_("Version"), version_text(report)],
        [_("First published") if report.release else _("Made"), day_time(report.generated_at)],
        *([[_("Release"), release_text(report)]] if report.release else []),
        [_("Marking"), MARKING],
        *([[_("How figures are protected"), suppression_note(report)]] if report.protected else []),
    ]


def version_text(report: Report) -> str:
    return str(VERSION_TEXT[report.audience])


# Tidy CSV ---------------------------------------------------------------------------------------------

# The columns of data.csv: one observation (a cell of a table) a row.
DATA_COLUMNS = [
    "section",
    "metric",
    "row",
    "row_type",
    "column",
    "value",
    "unit",
    "status",
    "period_start",
    "period_end",
    "area",
    "version",
]
DICTIONARY_COLUMNS = ["section", "metric", "metric_title", "column", "column_title", "unit", "definition"]

# What a value is, for the data dictionary's `unit` and data.csv's.
UNITS = {
    COUNT: "count",
    NUMBER: "number (1 decimal)",
    PERCENT: "percent (0-100, 1 decimal)",
    MONEY: "GBP (2 decimals)",
    DAYS: "days (1 decimal)",
    RATE: "rate (2 decimals)",
    TEXT: "text",
}


def status_of(state: str | None, threshold: int) -> str:
    """The suppression marker of a withheld value ("<5" or "[c]"), or "" when shown."""
    return marker(state, threshold) if state else ""


def _tidy_value(column: Column, row: Row):
    """The value as data.csv holds it: a number rounded as shown (a percentage as 0–100), text, or
    "" when withheld or when there is no figure."""
    value = plain_value(column, row)
    return "" if value is None else value


def summary_cells(report: Report):
    """(headline, column key, value as shown in data, kind, state) of the summary."""
    summary = report.summary
    if summary is None:
        return
    for line in summary.lines:
        for key, figure in (("this_period", line.now), ("previous_period", line.before)):
            if figure is None:
                continue
            state = SECONDARY if figure.state == WITHHELD else figure.state
            row = Row(line.label, {"v": None if state else figure.value}, states={"v": state})
            yield line, key, Column("v", "", line.kind), row


def tidy_rows(report: Report) -> list[list]:
    """data.csv's rows: the summary's figures, then every cell of every table."""
    threshold = report.threshold
    common = [report.start.isoformat(), report.end.isoformat(), report.area or "", report.audience]
    rows = [list(DATA_COLUMNS)]
    for line, key, column, row in summary_cells(report):
        rows.append(
            [
                "summary",
                line.key,
                line.label,
                "headline",
                key,
                _tidy_value(column, row),
                UNITS[line.kind],
                status_of(row.states.get("v"), threshold),
                *common,
            ]
        )
    for section in report.sections:
        for metric in section.metrics:
            table = metric.table
            for row in table.all_rows():
                row_type = "total" if row is table.total else "row"
                for column in table.columns:
                    kind = row.kind or column.kind
                    rows.append(
                        [
                            section.key,
                            metric.key,
                            row.label,
                            row_type,
                            column.key,
                            _tidy_value(column, row),
                            UNITS.get(kind, kind),
                            status_of(row.states.get(column.key), threshold),
                            *common,
                        ]
                    )
    return rows


def _cell_words(report: Report, cell) -> str:
    metric = next((m for m in report.metrics() if m.key == cell.metric), None)
    if metric is None:
        return cell.metric
    table = metric.table
    row = table.total if cell.row == "total" else table.rows[cell.row]
    column = next(c for c in table.columns if c.key == cell.column)
    return _("“%(metric)s” (%(key)s), row “%(row)s”, column “%(column)s”") % {
        "metric": metric.title,
        "key": metric.key,
        "row": row.label,
        "column": column.label,
    }


def headline_definition(report: Report, headline) -> str:
    """Where a summary headline is read from, in words."""
    text = _("Read from %(cell)s") % {"cell": _cell_words(report, headline.cell)}
    if headline.divide_by:
        text += _(", divided by %(cell)s") % {"cell": _cell_words(report, headline.divide_by)}
    return text + "."


def dictionary_rows(report: Report) -> list[list]:
    """data-dictionary.csv: every metric's columns with their title, unit and the definition."""
    rows = [list(DICTIONARY_COLUMNS)]
    rows.append(
        [
            "summary",
            "",
            _("Summary"),
            "this_period",
            _("This period"),
            "",
            report.summary.definition if report.summary else "",
        ]
    )
    rows.append(
        [
            "summary",
            "",
            _("Summary"),
            "previous_period",
            _("Previous period"),
            "",
            _("The period of the same length just before this one."),
        ]
    )
    if report.summary:
        for line in report.summary.lines:
            rows.append(
                [
                    "summary",
                    line.key,
                    line.label,
                    "",
                    "",
                    UNITS[line.kind],
                    headline_definition(report, line.headline),
                ]
            )
    for section in report.sections:
        for metric in section.metrics:
            for column in metric.table.columns:
                rows.append(
                    [
                        section.key,
                        metric.key,
                        metric.title,
                        column.key,
                        str(column.label),
                        UNITS.get(column.kind, column.kind),
                        metric.definition,
                    ]
                )
    fields = [
        ("section", _("The report section (summary, trends, referrals, …).")),
        ("metric", _("The figure's key: the same across reports, for joining.")),
        ("row", _("The row's label (a month, an area, a group; “headline” rows are the summary's).")),
        ("row_type", _("“row”, “total” (the rows add up to it where the table is additive) or “headline”.")),
        ("column", _("The column's key: see this dictionary's rows for its title and unit.")),
        (
            "value",
            _(
                "The number (rounded as shown in the report) or text; empty when withheld or when there is no figure."
            ),
        ),
        ("unit", _("What the value is: count, percent (0–100), GBP, days, rate or text.")),
        (
            "status",
            _(
                "Empty when shown; “<5” for a count from 1 to 4 withheld; “[c]” for a value withheld so that another cannot be worked out. An empty value with an empty status means there is no figure (nothing to divide by)."
            ),
        ),
        ("period_start", _("The period's first day (ISO date).")),
        ("period_end", _("The period's last day, included (ISO date).")),
        (
            "area",
            _(
                "The GSS code of the local authority area chosen (W06000008 for Ceredigion), empty for all areas."
            ),
        ),
        (
            "version",
            _(
                "published (protected for publication), evaluation (pseudonymised, unsuppressed) or "
                "officer (operational, named)."
            ),
        ),
    ]
    rows.append([])
    rows += [["data.csv", "", "", key, key, "", str(text)] for key, text in fields]
    return rows


def to_csv_zip(report: Report) -> bytes:
    """A zip of three CSV files: 00-about.csv (the report, its period, area, version and marking),
    data.csv (tidy data: one observation a row, the summary's headlines first, then every cell of
    every table, a withheld value empty with its marker in `status`) and data-dictionary.csv
    (every metric and column: key, title, unit and definition). Text is quoted and never starts a
    formula (iom_housing.spreadsheets)."""
    buffer = io.BytesIO()
    files = [
        ("00-about.csv", _about_rows(report)),
        ("data.csv", tidy_rows(report)),
        ("data-dictionary.csv", dictionary_rows(report)),
    ]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in files:
            text = io.StringIO()
            csv_writer(text).writerows(rows)
            # With a byte-order mark, so Excel reads the £ and the Welsh letters right.
            archive.writestr(name, "\ufeff" + text.getvalue())
    return buffer.getvalue()


# XLSX -------------------------------------------------------------------------------------------------

NUMBER_FORMATS = {
    COUNT: "#,##0",
    PERCENT: "0.0%",
    MONEY: "£#,##0.00",
    RATE: "0.00",
    NUMBER: "#,##0.0",
    DAYS: "#,##0.0",
}
FORBIDDEN_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")


def sheet_name(title: str, taken: set[str]) -> str:
    """A sheet name Excel accepts: no []:*?/\\, at most 31 characters (cut at a word), not starting
    or ending with an apostrophe, and unique in the workbook (case-insensitive)."""
    name = FORBIDDEN_IN_SHEET_NAMES.sub(" ", str(title)).strip().strip("'").strip() or "Sheet"
    name = re.sub(r"\s+", " ", name)
    if len(name) > 31:
        cut = name[:31]
        name = cut[: cut.rfind(" ")] if " " in cut else cut
    base, number = name, 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f" ({number})"
        name = base[: 31 - len(suffix)].rstrip() + suffix
        number += 1
    taken.add(name)
    return name


def xlsx_value(column: Column, row: Row):
    """(value, number format): a number as a number (a percentage as its fraction, rounded as shown),
    or None when withheld or when there is no figure."""
    if row.states.get(column.key):
        return None, None
    value = row.values.get(column.key)
    kind = row.kind or column.kind
    if value is None:
        return None, None
    if kind == COUNT:
        return int(value), NUMBER_FORMATS[COUNT]
    if kind == PERCENT:
        return float(rounded(value, 3)), NUMBER_FORMATS[PERCENT]
    if kind in (MONEY, RATE):
        return float(rounded(value, 2)), NUMBER_FORMATS[kind]
    if kind in (NUMBER, DAYS):
        return float(rounded(value, 1)), NUMBER_FORMATS[kind]
    return str(value), None


def _xlsx_chart(ws, metric: MetricResult, first_row: int, last_row: int, anchor: str, data_column: int):
    """A native chart of the metric's charted column(s): a line for a share or rate by month,
    columns for monthly counts, horizontal bars for a table of groups. Its data are copied to
    hidden columns where a withheld cell is blank (a gap, not a zero)."""
    from openpyxl.chart import BarChart, LineChart, Reference

    table = metric.table
    chart_column = next(c for c in table.columns if c.key == metric.chart_column)
    trend = metric.key.startswith("trend_")
    series = table.count_columns() if trend and chart_column.kind == COUNT else [chart_column]
    for offset, column in enumerate(series):
        col = data_column + offset
        ws.cell(row=first_row - 1, column=col, value=str(column.label))
        for index, row in enumerate(table.rows):
            value, number_format = xlsx_value(column, row)
            cell = ws.cell(
                row=first_row + index, column=col, value=value if not isinstance(value, str) else None
            )
            if number_format:
                cell.number_format = number_format
        ws.column_dimensions[get_column_letter(col)].hidden = True
    if chart_column.kind in (PERCENT, RATE) and trend:
        chart = LineChart()
    else:
        chart = BarChart()
        chart.type = "col" if trend else "bar"
        if not trend:
            chart.y_axis.scaling.orientation = "minMax"
            chart.x_axis.scaling.orientation = "maxMin"  # the first row at the top, as in the table
    chart.title = metric.title
    chart.display_blanks = "gap"
    chart.visible_cells_only = False  # the data are in hidden columns
    data = Reference(
        ws,
        min_col=data_column,
        max_col=data_column + len(series) - 1,
        min_row=first_row - 1,
        max_row=last_row,
    )
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first_row, max_row=last_row))
    chart.y_axis.number_format = NUMBER_FORMATS.get(chart_column.kind, "General")
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    if len(series) == 1:
        chart.legend = None
    chart.width, chart.height = 16, max(6.5, min(14, 0.9 * len(table.rows) + 3))
    ws.add_chart(chart, anchor)


def _write_table(ws, metric: MetricResult, threshold: int, bold, charts: list):
    from openpyxl.styles import Alignment, Font

    table = metric.table
    xlsx_append(ws, [])
    xlsx_append(ws, [metric.title])[0].font = Font(bold=True, size=12)
    for cell in xlsx_append(ws, [table.row_header, *[str(c.label) for c in table.columns]]):
        cell.font = bold
    first = ws.max_row + 1
    for row in table.all_rows():
        values, formats = [], []
        for column in table.columns:
            value, number_format = xlsx_value(column, row)
            if value is None:
                value = display(column, row, threshold)
            values.append(value)
            formats.append(number_format)
        appended = xlsx_append(ws, [row.label, *values])
        for cell, number_format in zip(appended[1:], formats, strict=True):
            if number_format:
                cell.number_format = number_format
            if isinstance(cell.value, str) and len(cell.value) > 30:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            elif isinstance(cell.value, str):
                cell.alignment = Alignment(horizontal="right")
        if row is table.total:
            for cell in appended:
                cell.font = bold
    last_data = first + len(table.rows) - 1
    definition = xlsx_append(ws, [_("Definition: %(text)s") % {"text": metric.definition}])[0]
    definition.font = Font(italic=True)
    if metric.chart_column and table.rows:
        charts.append((metric, first, last_data))


def to_xlsx(report: Report) -> bytes:
    """Sheets: Summary (the headlines, this period and the previous), Definitions (the report and
    every metric's definition), then a sheet a section. Numbers are numbers with their format
    (counts whole, money £#,##0.00, percentages stored as fractions shown 0.0%); a withheld cell is
    its marker as text; text is never a formula. Each charted table has a native chart beside it."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    taken: set[str] = set()
    bold = Font(bold=True)
    heading = f"{report.scheme_name} · {period_text(report)} · {area_text(report)} · {MARKING}"

    ws = workbook.active
    ws.title = sheet_name(_("Summary"), taken)
    xlsx_append(ws, [_("Summary")])[0].font = Font(bold=True, size=14)
    xlsx_append(ws, [heading])
    summary = report.summary
    previous = summary.previous_label if summary else ""
    for cell in xlsx_append(
        ws,
        [
            _("Figure"),
            _("This period"),
            _("Previous period (%(previous)s)") % {"previous": previous},
            _("In words"),
            _("Last months"),
        ],
    ):
        cell.font = bold
    cells_of: dict[str, list] = {}
    for line, _key, column, row in summary_cells(report):
        value, number_format = xlsx_value(column, row)
        cells_of.setdefault(line.key, []).append(
            (display(column, row, report.threshold) if value is None else value, number_format)
        )
    for line in summary.lines if summary else []:
        figures = cells_of[line.key] + [("–", None)] * (2 - len(cells_of[line.key]))
        trend = ", ".join(f"{p.label} {p.text}" for p in line.trend)
        cells = xlsx_append(ws, [line.label, *[value for value, _f in figures], line.sentence, trend])
        for cell, (_v, number_format) in zip(cells[1:3], figures, strict=True):
            if number_format:
                cell.number_format = number_format
            elif isinstance(cell.value, str):
                cell.alignment = Alignment(horizontal="right")
        for cell in cells[3:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    if summary:
        xlsx_append(ws, [])
        xlsx_append(ws, [_("Definition: %(text)s") % {"text": summary.definition}])[0].font = Font(
            italic=True
        )
    ws.freeze_panes = "A4"
    for letter, width in zip("ABCDE", (40, 16, 22, 70, 50), strict=True):
        ws.column_dimensions[letter].width = width

    sheet = workbook.create_sheet(sheet_name(_("Definitions"), taken))
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
        ws = workbook.create_sheet(sheet_name(section.title, taken))
        xlsx_append(ws, [section.title])[0].font = Font(bold=True, size=14)
        xlsx_append(ws, [heading])
        ws.freeze_panes = "A3"
        charts: list = []
        for metric in section.metrics:
            _write_table(ws, metric, report.threshold, bold, charts)
        widest = max(
            (len(c.value) for c in ws["A"][2:] if isinstance(c.value, str) and len(c.value) < 60), default=20
        )
        ws.column_dimensions["A"].width = min(max(widest + 2, 24), 50)
        columns = max((len(m.table.columns) for m in section.metrics), default=1)
        for number in range(2, columns + 2):
            ws.column_dimensions[get_column_letter(number)].width = 16
        # Charts to the right of the tables, each at its table's first row; their data hidden
        # further right.
        anchor_column = get_column_letter(columns + 3)
        data_column = columns + 14
        for metric, first, last in charts:
            _xlsx_chart(ws, metric, first, last, f"{anchor_column}{first - 2}", data_column)
            data_column += len(metric.table.columns) + 1
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
    area = f"-{slugify(report.area_name or report.area)}" if report.area else ""
    version = {"officer": "operational"}.get(report.audience, report.audience)
    return f"iom-evaluation-{version}-{report.start}-to-{report.end}{area}.{FORMATS[fmt][1]}"
