"""The one-page summary (reports/metrics/summary.py) against the hand-built scheme of
tests/reports/scenario.py, March 2026, made on 23 November 2026.

Worked by hand (the scenario's docstring has the sums):
  People housed 3 (Ann, Bea, Col); the previous 31 days (29 Jan – 28 Feb) 2 (Col, Ann) → 1 more.
  Nights occupied 47; previous 37 (S4 28 + S1 9) → 10 more.
  Occupancy 47/58 = 81.0%; previous 37/62 = 59.7% → up.
  Moved on to settled: 1 (S1, social rent); previous 0 (nothing ended) → 1 more.
  Offences per person-month (leavers Ann and Col): before 2/24 = 0.0833 → 0.08; during 2 in
    51 days = 1.6756 person-months → 1.19; after 0.0585 → 0.06. The previous period had no
    leavers: no figure.
  Cost per person: property cost £930 ÷ 3 = £310.00; previous £930 ÷ 2 = £465.00 → down.
  Cost per move to settled accommodation: £930 ÷ 1 = £930.00; previous: no settled move-on, no figure.
In the published (OPCC) version the people (3) and the settled move-ons (1) are from 1 to 4:
  "<5", so the costs per person and per move-on, worked out from them, are withheld too; with
  fewer than 5 residents the nights (47) and occupancy are withheld as well.
"""

from datetime import date

import pytest

from reports.builder import build_report
from reports.metrics import summary as summary_module
from reports.metrics.summary import WITHHELD, Cell, Headline, previous_dates, previous_label
from reports.render import report_context
from reports.tables import DAYS
from tests.reports import scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    return scenario.build()


def _report(audience="officer", start=scenario.START, end=scenario.END):
    return build_report(start=start, end=end, audience=audience, today=scenario.TODAY)


def _lines(report) -> dict:
    context = report_context(report)
    return {line["key"]: line for line in context["summary"]["lines"]}


def test_the_previous_period_is_named_by_its_days_and_dates():
    assert previous_label(date(2026, 3, 1), date(2026, 3, 31)) == "the previous 31 days"
    assert previous_dates(date(2026, 3, 1), date(2026, 3, 31)) == (date(2026, 1, 29), date(2026, 2, 28))
    assert previous_label(date(2026, 3, 1), date(2026, 3, 1)) == "the previous day"
    # A leap year's quarter: 1 Jan – 31 Mar 2024 is 91 days; the 91 before end on 31 Dec 2023.
    assert previous_dates(date(2024, 1, 1), date(2024, 3, 31)) == (date(2023, 10, 2), date(2023, 12, 31))


def test_the_officers_summary_figures_and_sentences(data):
    lines = _lines(_report())
    shown = {key: (line["value"], line["previous"]) for key, line in lines.items()}
    assert shown == {
        "people_housed": ("3", "2"),
        "nights": ("47", "37"),
        "occupancy": ("81.0%", "59.7%"),
        "settled": ("1", "0"),
        # Time at risk (tests/reports/scenario.py): before, 2 offences in 607 days at risk (Col's
        # custody from his recall of 1 Oct 2025 left out) = 2 / (607 / 30.4375) = 0.1003; after,
        # Col's 1 May in 263 days at risk (Ann placed again the day she left) = 0.1157.
        "offending_before": ("0.10", "–"),
        "offending_during": ("1.19", "–"),
        "offending_after": ("0.12", "–"),
        "cost_per_person": ("£310.00", "£465.00"),
        "cost_per_move_on": ("£930.00", "–"),
    }
    sentences = {key: line["sentence"] for key, line in lines.items()}
    assert sentences["people_housed"] == "3 people were housed, 1 more than in the previous 31 days."
    assert sentences["nights"] == "47 bedspace-nights were occupied, 10 more than in the previous 31 days."
    assert sentences["occupancy"] == (
        "Bedspaces were occupied 81.0% of the available nights, up from 59.7% in the previous 31 days."
    )
    assert sentences["settled"] == (
        "1 placement ended with a move to settled accommodation, 1 more than in the previous 31 days."
    )
    assert sentences["offending_during"] == (
        "During their placement, leavers committed 1.19 offences per person-month; "
        "there is no figure for the previous 31 days."
    )
    assert sentences["cost_per_person"] == (
        "The property costs came to £310.00 for each person housed, down from £465.00 in the previous 31 days."
    )


def test_the_published_summary_withholds_what_the_tables_withhold_and_says_so(data):
    report = _report("published")
    lines = _lines(report)
    assert (lines["people_housed"]["value"], lines["people_housed"]["previous"]) == ("<5", "<5")
    assert (
        lines["people_housed"]["sentence"] == "The number of people housed is withheld: it is fewer than 5."
    )
    assert lines["cost_per_person"]["value"] == "[c]"
    assert lines["cost_per_person"]["sentence"] == (
        "The cost per person is withheld: it is worked out from a figure that is withheld."
    )
    assert lines["cost_per_move_on"]["value"] == "[c]"
    # 3 residents in the whole scheme (fewer than 5): their nights (47) and the occupancy would
    # describe them, so both are withheld in the published version (issue 16).
    assert (lines["nights"]["value"], lines["occupancy"]["value"]) == ("[c]", "[c]")
    # No withheld number reaches the page: the people, the settled move-on and the costs from them.
    text = " ".join(line["sentence"] for line in lines.values())
    assert "£310" not in text and "£930" not in text and " 3 people" not in text


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 3, 1), date(2026, 3, 31)),
        (date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 6, 30)),
        (date(2025, 4, 1), date(2026, 3, 31)),
    ],
)
def test_a_shown_headline_is_only_read_from_shown_cells(data, start, end):
    """Whatever the (fixed) period, a headline shown in the published version comes from a cell its table
    shows (and so does its divisor): the summary never reveals what a table hides."""
    report = _report("published", start, end)
    tables = {m.key: m.table for m in report.metrics()}
    for line in report.summary.lines:
        headline = line.headline
        value, state = headline.cell.read(tables)
        if line.now.state is None and line.now.value is not None:
            assert state is None, headline.key
            if headline.divide_by:
                assert headline.divide_by.read(tables)[1] is None, headline.key
        if state or (headline.divide_by and headline.divide_by.read(tables)[1]):
            assert line.now.state, headline.key
        if line.now.state == WITHHELD:
            assert line.now.value is None  # not kept, so no format can show it


def test_the_small_trend_is_the_last_six_months_of_the_trend_table(data):
    """March's trend window is April 2025 – March 2026: the last six months of occupied nights are
    October to March, 0, 0, 0, 0, 37 and 47."""
    line = _lines(_report())["nights"]
    assert line["trend_text"] == "Oct 2025 0, Nov 2025 0, Dec 2025 0, Jan 2026 0, Feb 2026 37, Mar 2026 47"
    assert "<svg" in line["spark"] and "<title" in line["spark"] and "Mar 2026: 47" in line["spark"]


def test_a_headline_is_added_from_a_table_by_key_with_one_line(data, monkeypatch):
    """The median length of stay of the placements ended (S1 19 nights, S4 32 → 25.5)."""
    extra = Headline(
        "median_stay",
        "Median stay",
        Cell("length_of_stay", 0, "median"),
        DAYS,
        ("The median stay was %(value)s nights",) * 2,
        "the median stay",
    )
    monkeypatch.setattr(summary_module, "HEADLINES", [*summary_module.HEADLINES, extra])
    line = _lines(_report())["median_stay"]
    assert line["value"] == "25.5"
    assert line["sentence"].startswith("The median stay was 25.5 nights")
