"""Builds a report: every registered metric for the period, suppressed for the OPCC audience.

The page, the downloads, the background task and `manage.py evaluation_report` all call
`build_report`, so each produces exactly the same figures.
"""

from collections.abc import Callable
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from reports.metrics import COMPARISON_METRICS, REGISTRY, SECTIONS, Facts, Scope, comparison
from reports.tables import MetricResult, Report, Section, Table, apply_suppression

OPCC, OFFICER = "opcc", "officer"
AUDIENCES = (OPCC, OFFICER)


def _tables(scope: Scope, keys, progress: Callable[[int], None] | None = None) -> dict[str, Table]:
    tables = {}
    keys = list(keys)
    # One transaction: the facts' temporary table lives and is dropped within it.
    with transaction.atomic(), Facts(scope) as facts:
        for done, key in enumerate(keys, start=1):
            tables[key] = REGISTRY[key].compute(scope, facts)
            if progress:
                progress(done * 100 // (len(keys) + len(COMPARISON_METRICS)))
    return tables


def _suppress(tables: dict[str, Table], threshold: int) -> None:
    """Suppression across a set of tables (a fact withheld in one is withheld in all)."""
    holder = Report("", date.min, date.min, "", OPCC, timezone.now(), threshold, [])
    holder.sections = [
        Section("all", "", [MetricResult(key, "", "", table) for key, table in tables.items()])
    ]
    apply_suppression(holder)


def build_report(
    *,
    start: date,
    end: date,
    area: str = "",
    audience: str = OPCC,
    today: date | None = None,
    threshold: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """The report for the days `start` to `end` inclusive (`end` before `today`)."""
    if audience not in AUDIENCES:
        raise ValueError(f"Unknown audience {audience!r}")
    today = today or timezone.localdate()
    threshold = threshold or settings.REPORT_SUPPRESSION_THRESHOLD
    scope = Scope(start=start, end=end + timedelta(days=1), area=area or None, today=today)
    previous = Scope(start=start - timedelta(days=scope.days), end=start, area=area or None, today=today)
    suppressed = audience == OPCC

    keys = [
        key
        for key, m in REGISTRY.items()
        if key != "comparison" and (m.audience == "all" or audience == OFFICER)
    ]
    tables = _tables(scope, keys, progress)
    before = _tables(previous, COMPARISON_METRICS)
    if suppressed:
        _suppress(tables, threshold)
        _suppress(before, threshold)
    tables["comparison"] = comparison(tables, before)

    sections = []
    for section_key, title in SECTIONS.items():
        results = [
            MetricResult(
                key=m.key,
                title=str(m.area_title if area and m.area_title else m.title),
                definition=str(m.definition),
                table=tables[m.key],
                chart_column=m.chart,
            )
            for m in REGISTRY.values()
            if m.section == section_key and m.key in tables
        ]
        if results:
            sections.append(Section(section_key, str(title), results))
    if progress:
        progress(100)
    return Report(
        scheme_name=settings.SCHEME_NAME,
        start=start,
        end=end,
        area=area,
        audience=audience,
        generated_at=timezone.now(),
        threshold=threshold,
        sections=sections,
    )
