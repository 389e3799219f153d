"""The report's charts as inline SVG, drawn on the server from a table's cells as shown.

Each chart has a fixed `viewBox` and scales to its container (`.app-chart`: `max-width: 100%`),
so its text stays readable at a phone's width (390 px: the 400-unit-wide drawing is shown at
about 360 px, 13-unit text at about 12 px). Each has a title and a description that lists its
numbers, and its table is printed with it. A withheld value gets no bar and no point, only its
marker, so a chart never shows more than its table.
"""

import math

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from reports.tables import COUNT, PERCENT, RATE, Column, MetricResult, Row, display

WIDTH = 400  # viewBox units
SHOWN_WIDTH = 560  # px on a wide screen (scaled down to fit a narrow one)
FONT = 'font-family="Arial, Helvetica, sans-serif"'
INK, BLUE, ORANGE, GREY = "#0b0c0c", "#1d70b8", "#d4351c", "#b1b4b6"
SERIES_COLOURS = (BLUE, "#f47738", "#00703c", "#4c2c92")


def _svg_open(
    key: str, width: int, height: int, title: str, desc: str, shown_width: int = SHOWN_WIDTH
) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" viewBox="0 0 {width} {height}" '
        f'width="{shown_width}" height="{round(height * shown_width / width)}" role="img" '
        f'aria-labelledby="chart-{key}-title chart-{key}-desc">'
        f'<title id="chart-{key}-title">{escape(title)}</title>'
        f'<desc id="chart-{key}-desc">{escape(desc)}</desc>'
    )


def _values(rows: list[Row], column: Column) -> list[float | None]:
    values = []
    for row in rows:
        value = None if row.states.get(column.key) else row.values.get(column.key)
        values.append(None if value is None else float(value))
    return values


def _describe(rows: list[Row], column: Column, threshold: int) -> str:
    items = "; ".join(f"{row.label}: {display(column, row, threshold)}" for row in rows)
    return _("%(column)s. %(items)s. The figures are in the table with the chart.") % {
        "column": column.label,
        "items": items,
    }


def nice_top(value: float, kind: str) -> float:
    """The top of the value axis: 100% for a share, else the first of 1, 2, 2.5, 4, 5, 6, 8 or 10
    times a power of ten at or above the largest value (for counts, a whole even number, so the
    middle line is whole too)."""
    if kind == PERCENT:
        return 1.0
    if value <= 0:
        return 2.0 if kind == COUNT else 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 4, 5, 6, 8, 10):
        top = step * power
        if top >= value and (kind != COUNT or (top >= 2 and top % 2 == 0)):
            return top
    return 10 * power


def _axis_text(value: float, kind: str) -> str:
    if kind == PERCENT:
        return f"{round(value * 100)}%"
    if kind == RATE:
        return f"{value:.2f}"
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def bar_chart(metric: MetricResult, threshold: int) -> str:
    """A horizontal bar chart of one column, a row's label above its bar (so long labels fit a
    phone's width without being cut)."""
    table = metric.table
    column = next(c for c in table.columns if c.key == metric.chart_column)
    rows = table.rows
    values = _values(rows, column)
    top = max([v for v in values if v is not None] + [0])
    if column.kind == PERCENT:
        top = max(top, 1.0)
    row_height, bar_room = 40, WIDTH - 70
    height = row_height * len(rows) + 6
    parts = [
        _svg_open(metric.key, WIDTH, height, metric.title, _describe(rows, column, threshold)),
        f'<line x1="0" y1="0" x2="0" y2="{height - 4}" stroke="{INK}" stroke-width="1"/>',
    ]
    for index, (row, value) in enumerate(zip(rows, values, strict=True)):
        y = 4 + index * row_height
        label = row.label if len(row.label) <= 58 else row.label[:57] + "…"
        parts.append(f'<text x="4" y="{y + 13}" font-size="13" {FONT} fill="{INK}">{escape(label)}</text>')
        width = 0 if value is None or not top else round(bar_room * value / top, 1)
        if width:
            parts.append(f'<rect x="0" y="{y + 18}" width="{width}" height="14" fill="{BLUE}"/>')
        parts.append(
            f'<text x="{width + 5}" y="{y + 30}" font-size="13" {FONT} fill="{INK}">'
            f"{escape(display(column, row, threshold))}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in it is escaped above


def _month_labels(rows: list[Row]) -> list[tuple[str, str]]:
    """(month, year) for the axis: the year under the first month and each January."""
    labels = []
    for index, row in enumerate(rows):
        words = row.label.split(" ")
        month, year = words[0], words[1] if len(words) > 1 else ""
        labels.append((month, year if index == 0 or month in ("Jan", "Ion") else ""))
    return labels


def trend_chart(metric: MetricResult, threshold: int) -> str:
    """A monthly chart: columns for counts (one series a count column: started and ended side by
    side), a line with its points for a share or a rate. The value axis has lines at 0, half and
    the top; a withheld month shows its marker at the foot of its place and nothing else."""
    table = metric.table
    chart_column = next(c for c in table.columns if c.key == metric.chart_column)
    series = table.count_columns() if chart_column.kind == COUNT else [chart_column]
    rows = table.rows
    kind = chart_column.kind
    height, left, right, top_margin, bottom = 210, 40, 6, 24 if len(series) > 1 else 10, 34
    plot_w, plot_h = WIDTH - left - right, height - top_margin - bottom
    base = top_margin + plot_h
    all_values = [v for column in series for v in _values(rows, column) if v is not None]
    top = nice_top(max(all_values + [0]), kind)
    desc = " ".join(_describe(rows, column, threshold) for column in series)
    parts = [_svg_open(metric.key, WIDTH, height, metric.title, desc)]
    for fraction in (0, 0.5, 1):
        y = round(base - plot_h * fraction, 1)
        parts.append(
            f'<line x1="{left}" y1="{y}" x2="{WIDTH - right}" y2="{y}" stroke="{GREY if fraction else INK}" '
            f'stroke-width="1"/>'
            f'<text x="{left - 4}" y="{y + 4}" text-anchor="end" font-size="12" {FONT} fill="{INK}">'
            f"{escape(_axis_text(top * fraction, kind))}</text>"
        )
    n = max(len(rows), 1)
    slot = plot_w / n
    every = math.ceil(n / 12)
    for index, (month, year) in enumerate(_month_labels(rows)):
        if index % every:
            continue
        x = round(left + slot * (index + 0.5), 1)
        parts.append(
            f'<text x="{x}" y="{base + 14}" text-anchor="middle" font-size="12" {FONT} fill="{INK}">{escape(month)}</text>'
        )
        if year:
            parts.append(
                f'<text x="{x}" y="{base + 28}" text-anchor="middle" font-size="11" {FONT} fill="{INK}">{escape(year)}</text>'
            )
    if len(series) > 1:
        x = left
        for number, column in enumerate(series):
            colour = SERIES_COLOURS[number % len(SERIES_COLOURS)]
            parts.append(
                f'<rect x="{x}" y="4" width="10" height="10" fill="{colour}"/>'
                f'<text x="{x + 14}" y="13" font-size="12" {FONT} fill="{INK}">{escape(str(column.label))}</text>'
            )
            x += 24 + 7 * len(str(column.label))
    if kind == COUNT:
        bar_w = slot * 0.76 / len(series)
        for number, column in enumerate(series):
            colour = SERIES_COLOURS[number % len(SERIES_COLOURS)]
            for index, (row, value) in enumerate(zip(rows, _values(rows, column), strict=True)):
                x = left + slot * index + slot * 0.12 + bar_w * number
                if value is None:
                    if row.states.get(column.key):
                        # One above another for side-by-side series, so they do not overlap.
                        parts.append(_marker(x + bar_w / 2, base - 11 * number, column, row, threshold))
                    continue
                h = round(plot_h * value / top, 1) if top else 0
                if h:
                    parts.append(
                        f'<rect x="{round(x, 1)}" y="{round(base - h, 1)}" width="{round(bar_w, 1)}" '
                        f'height="{h}" fill="{colour}"/>'
                    )
    else:
        points: list[list[tuple[float, float]]] = [[]]
        for index, (row, value) in enumerate(zip(rows, _values(rows, chart_column), strict=True)):
            x = round(left + slot * (index + 0.5), 1)
            if value is None:
                if row.states.get(chart_column.key):
                    parts.append(_marker(x, base, chart_column, row, threshold))
                points.append([])  # the line breaks at a month with no value
                continue
            points[-1].append((x, round(base - plot_h * min(value, top) / top, 1)))
        for run in points:
            if len(run) > 1:
                path = " ".join(f"{x},{y}" for x, y in run)
                parts.append(f'<polyline points="{path}" fill="none" stroke="{BLUE}" stroke-width="2.5"/>')
            for x, y in run:
                parts.append(f'<circle cx="{x}" cy="{y}" r="3.5" fill="{BLUE}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in it is escaped above


def _marker(x: float, base: float, column: Column, row: Row, threshold: int) -> str:
    return (
        f'<text x="{round(x, 1)}" y="{base - 4}" text-anchor="middle" font-size="10" {FONT} '
        f'fill="{ORANGE}">{escape(display(column, row, threshold))}</text>'
    )


def spark(points, kind: str, key: str, label: str) -> str:
    """A small chart of a headline's last months (columns for counts, a line otherwise), its
    numbers in its description (and printed beside it)."""
    if not points:
        return ""
    width, height = 120, 34
    values = [p.value for p in points]
    top = nice_top(max([v for v in values if v is not None] + [0]), kind)
    slot = width / len(points)
    desc = "; ".join(f"{p.label}: {p.text}" for p in points)
    parts = [_svg_open(f"spark-{key}", width, height, label, desc, shown_width=width)]
    parts.append(
        f'<line x1="0" y1="{height - 1}" x2="{width}" y2="{height - 1}" stroke="{GREY}" stroke-width="1"/>'
    )
    if kind == COUNT:
        for index, value in enumerate(values):
            if value is None or not top:
                continue
            h = round((height - 3) * value / top, 1)
            if h:
                parts.append(
                    f'<rect x="{round(slot * index + slot * 0.15, 1)}" y="{round(height - 1 - h, 1)}" '
                    f'width="{round(slot * 0.7, 1)}" height="{h}" fill="{BLUE}"/>'
                )
    else:
        runs: list[list[str]] = [[]]
        for index, value in enumerate(values):
            if value is None:
                runs.append([])
                continue
            y = round(height - 2 - (height - 5) * min(value, top) / top, 1)
            runs[-1].append(f"{round(slot * (index + 0.5), 1)},{y}")
        for run in runs:
            if len(run) > 1:
                parts.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{BLUE}" stroke-width="2"/>'
                )
            for point in run:
                x, y = point.split(",")
                parts.append(f'<circle cx="{x}" cy="{y}" r="2" fill="{BLUE}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in it is escaped above
