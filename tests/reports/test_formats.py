"""The report's files laid out for their readers: the XLSX (native charts, number formats, sheet
names), the tidy CSV with its data dictionary, the PDF (summary first, sections flowing) and the
charts (scaling SVG, no mark for a withheld value). Figures from tests/reports/scenario.py, March
2026: occupancy 47/58 = 0.8103 (shown 81.0%, stored 0.81 with the format 0.0%), total cost
£930.00, 3 people placed, 47 nights.
"""

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart, LineChart
from pypdf import PdfReader

from reports.builder import build_report
from reports.charts import nice_top, trend_chart
from reports.render import DATA_COLUMNS, sheet_name, to_csv_zip, to_html, to_pdf, to_xlsx
from reports.suppression import PRIMARY
from reports.tables import COUNT, PERCENT, Column, MetricResult, Row, Table
from tests.reports import scenario


@pytest.fixture
def data(db):
    return scenario.build()


def _report(audience="officer"):
    return build_report(start=scenario.START, end=scenario.END, audience=audience, today=scenario.TODAY)


def _row_of(sheet, label):
    """The table row labelled `label` (not a title line of the same words)."""
    for row in sheet.iter_rows():
        if row[0].value == label and len(row) > 1 and row[1].value is not None:
            return row
    raise AssertionError(f"no row {label!r} in {sheet.title}")


def test_sheet_names_fit_excel():
    taken: set[str] = set()
    assert sheet_name("Comparison with the previous period", taken) == "Comparison with the previous"
    assert sheet_name("Cost: per [night] / per person?", taken) == "Cost per night per person"
    assert sheet_name("Cost  per night  per person", taken) == "Cost per night per person (2)"
    assert sheet_name("'Quoted'", taken) == "Quoted"
    assert sheet_name("A" * 40, taken) == "A" * 31
    assert sheet_name("A" * 40, taken) == "A" * 27 + " (2)"
    assert all(len(name) <= 31 for name in taken)


def test_xlsx_formats_charts_and_frozen_headers(data):
    book = load_workbook(io.BytesIO(to_xlsx(_report())))
    assert book.sheetnames[:3] == ["Summary", "Definitions", "Trends"]
    assert len(book.sheetnames) == len({name.lower() for name in book.sheetnames})
    assert all(len(name) <= 31 and not set(name) & set("[]:*?/\\") for name in book.sheetnames)

    summary = book["Summary"]
    people = _row_of(summary, "People housed")
    assert (people[1].value, people[1].number_format, people[2].value) == (3, "#,##0", 2)
    occupancy = _row_of(summary, "Occupancy")
    assert (occupancy[1].value, occupancy[1].number_format) == (0.81, "0.0%")  # the fraction
    cost = _row_of(summary, "Cost per person housed")
    assert (cost[1].value, cost[1].number_format) == (310.0, "£#,##0.00")
    assert summary.freeze_panes == "A4"

    placements = book["Placements and occupancy"]
    total = _row_of(placements, "All properties")
    assert [c.value for c in total[1:4]] == [58, 47, 0.81]
    assert [c.number_format for c in total[1:4]] == ["#,##0", "#,##0", "0.0%"]
    assert placements.freeze_panes == "A3"
    assert placements.column_dimensions["A"].width >= 24

    money = _row_of(book["Cost"], "Total cost")
    assert (money[1].value, money[1].number_format) == (930.0, "£#,##0.00")

    trends = book["Trends"]
    kinds = [type(chart) for chart in trends._charts]
    assert kinds == [BarChart, LineChart, BarChart, BarChart]  # referrals, occupancy, placements, offences
    assert all(chart.display_blanks == "gap" for chart in trends._charts)
    assert book["Move-on"]._charts and isinstance(book["Move-on"]._charts[0], BarChart)


def test_the_published_xlsx_shows_a_withheld_cell_as_its_marker_and_charts_a_gap(data):
    book = load_workbook(io.BytesIO(to_xlsx(_report("published"))))
    people = _row_of(book["Summary"], "People housed")
    assert people[1].value == "<5"
    trends = book["Trends"]
    march = [row for row in trends.iter_rows() if row[0].value == "Mar 2026"]
    # Placements started in March 2026: 2, withheld ("<5", or "[c]" where the year's "<5" cells
    # alone would pin it); its chart data cell (hidden) is blank.
    started = march[2]
    assert started[1].value in {"<5", "[c]"}
    hidden = [cell for cell in started if trends.column_dimensions[cell.column_letter].hidden]
    assert hidden and all(cell.value is None for cell in hidden)


def _csv(content: bytes, name: str) -> list[dict]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def test_the_csv_is_tidy_data_with_a_dictionary(data):
    report = _report("published")
    content = to_csv_zip(report)
    assert zipfile.ZipFile(io.BytesIO(content)).namelist() == [
        "00-about.csv",
        "data.csv",
        "data-dictionary.csv",
    ]
    rows = _csv(content, "data.csv")
    assert list(rows[0]) == DATA_COLUMNS
    assert {(r["period_start"], r["period_end"], r["area"], r["version"]) for r in rows} == {
        ("2026-03-01", "2026-03-31", "", "published")
    }

    def cell(metric, row, column):
        (found,) = [r for r in rows if (r["metric"], r["row"], r["column"]) == (metric, row, column)]
        return found

    rate = cell("occupancy", "All properties", "rate")
    # 3 residents in March (fewer than 5): the nights and occupancy are withheld (issue 16).
    assert (rate["value"], rate["unit"], rate["status"], rate["row_type"]) == (
        "",
        "percent (0-100, 1 decimal)",
        "[c]",
        "total",
    )
    placed = cell("placement_activity", "People placed", "count")
    assert (placed["value"], placed["status"]) == ("", "<5")
    headline = cell("people_housed", "People housed", "this_period")
    assert (headline["section"], headline["value"], headline["status"]) == ("summary", "", "<5")
    cost = cell("cost_per_person", "Cost per person housed", "this_period")
    assert (cost["value"], cost["status"]) == ("", "[c]")
    # Every metric and column in the data is in the dictionary.
    dictionary = _csv(content, "data-dictionary.csv")
    described = {(d["metric"], d["column"]) for d in dictionary if d["section"] != "summary"}
    used = {(r["metric"], r["column"]) for r in rows if r["section"] != "summary"}
    assert used <= described
    assert {r["metric"] for r in rows if r["section"] == "summary"} <= {d["metric"] for d in dictionary}
    assert all(d["definition"] for d in dictionary if d["section"])


def test_the_pdf_has_the_summary_on_page_1_then_contents_and_flowing_sections(data):
    report = _report("published")
    reader = PdfReader(io.BytesIO(to_pdf(report)))
    pages = [page.extract_text() for page in reader.pages]
    assert "Summary" in pages[0] and "People housed" in pages[0] and "Cost per person housed" in pages[0]
    assert "Page 1 of" in pages[0] and "OFFICIAL-SENSITIVE" in pages[0]
    assert "Contents" in pages[1] and "Trends" in pages[1]
    # Sections flow on (the old layout gave each section its own pages: 16 for this month; the
    # cost-effectiveness, move-on destinations and support tables of issue 16 add about one, the
    # licence and move-on plan sections of issue 17 one more).
    assert len(pages) <= 15
    html = to_html(report)
    assert "page-break-before: always" not in html and "break-inside: avoid" in html


def _monthly(states: dict[int, str | None]) -> MetricResult:
    rows = [
        Row(f"{month} 2026", {"n": n, "share": n / 10}, states={"n": states.get(i), "share": states.get(i)})
        for i, (month, n) in enumerate([("Jan", 6), ("Feb", 3), ("Mar", 8)])
    ]
    table = Table([Column("n", "Placements"), Column("share", "Share", PERCENT)], rows)
    return MetricResult("trend_test", "A test trend", "", table, chart_column="n")


def test_a_chart_scales_to_a_phone_has_a_title_and_description_and_no_mark_for_a_withheld_month():
    svg = str(trend_chart(_monthly({1: PRIMARY}), 5))
    assert 'viewBox="0 0 400 ' in svg and 'class="app-chart"' in svg and 'role="img"' in svg
    assert "<title" in svg and "<desc" in svg and "Feb 2026: &lt;5" in svg
    # Jan and Mar have columns; February only its marker.
    assert svg.count("<rect") == 2 and ">&lt;5</text>" in svg
    line = MetricResult("trend_test", "A share", "", _monthly({1: PRIMARY}).table, chart_column="share")
    svg = str(trend_chart(line, 5))
    # The line breaks at the withheld month: two points, no line joining them through February.
    assert svg.count("<circle") == 2 and "<polyline" not in svg


def test_the_value_axis_ends_at_a_round_number():
    assert nice_top(47, COUNT) == 50
    assert nice_top(3, COUNT) == 4
    assert nice_top(0.81, PERCENT) == 1.0
    assert nice_top(5, COUNT) == 6
    assert nice_top(1.19, "rate") == 2
