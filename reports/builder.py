"""Builds a report: the registered metrics of its version for the period; the published version
suppressed together with the other published reports of its financial year (reports/family.py).

The page, the downloads, the background task and `manage.py evaluation_report` all call
`build_report`, so each produces exactly the same figures.
"""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from iom_housing.i18n import scheme_name
from reports.family import Member, protect_family
from reports.metrics import COMPARISON_METRICS, REGISTRY, SECTIONS, Facts, Scope, comparison
from reports.metrics.summary import SUMMARY_METRICS, build_summary
from reports.models import Audience
from reports.periods import FixedPeriod, financial_year_start, fixed_period, year_members
from reports.tables import MetricResult, Report, Section, Table

# The versions (reports.models.Audience), as plain strings for the code that names them.
OFFICER, EVALUATION, PUBLISHED = Audience.OFFICER.value, Audience.EVALUATION.value, Audience.PUBLISHED.value
AUDIENCES = (OFFICER, EVALUATION, PUBLISHED)


# Computed on a second database connection while the rest are computed on the first, so that a
# long report uses both of PostgreSQL's cores: the sections whose costliest facts (a period's
# visits, the people's descriptions) no other section needs, and the previous period.
SECOND_CONNECTION_SECTIONS = {"engagement", "people"}
# The previous period's tables: those the comparison and the summary read.
PREVIOUS_METRICS = sorted(set(COMPARISON_METRICS) | set(SUMMARY_METRICS))


def _compute(scope: Scope, keys, progress: Callable[[], None] | None = None) -> dict[str, Table]:
    """The metrics `keys` for `scope`, inside the caller's transaction (Facts' temporary table
    lives and is dropped within it)."""
    tables = {}
    with Facts(scope) as facts:
        for key in keys:
            tables[key] = REGISTRY[key].compute(scope, facts)
            if progress:
                progress()
    return tables


def _repeatable_read(snapshot: str | None = None) -> str | None:
    """Make the current transaction see one snapshot throughout: `snapshot` (exported by another
    transaction), or its own, exported and returned for a second connection to share."""
    with connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        if snapshot:
            cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
            return None
        cursor.execute("SELECT pg_export_snapshot()")
        return cursor.fetchone()[0]


def _on_second_connection(snapshot: str, jobs: list[tuple[Scope, list[str]]]) -> list[dict[str, Table]]:
    try:
        with transaction.atomic():
            _repeatable_read(snapshot)
            return [_compute(scope, keys) for scope, keys in jobs]
    finally:
        connection.close()  # this thread's own connection


def _all_tables(scope: Scope, keys: list[str], previous: Scope, progress) -> tuple[dict, dict]:
    """The period's tables and the previous period's (for the comparison), from one snapshot of
    the database. Split over two connections, unless the caller holds a transaction open (a test's):
    a second connection could not see what it has not committed (docs/adr/009)."""
    done, total = 0, len(keys) + len(COMPARISON_METRICS)

    def step() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done * 100 // total)

    if connection.in_atomic_block:
        with transaction.atomic():
            return _compute(scope, keys, step), _compute(previous, PREVIOUS_METRICS, step)
    second = [key for key in keys if REGISTRY[key].section in SECOND_CONNECTION_SECTIONS]
    first = [key for key in keys if key not in second]
    with transaction.atomic():
        snapshot = _repeatable_read()
        with ThreadPoolExecutor(max_workers=1) as pool:
            later = pool.submit(
                _on_second_connection, snapshot, [(scope, second), (previous, PREVIOUS_METRICS)]
            )
            tables = _compute(scope, first, step)
            # Waited for inside this transaction: its snapshot is only there while it is open.
            more, before = later.result()
    tables |= more
    return {key: tables[key] for key in keys}, before  # in the registry's order, as computed alone


def version_keys(audience: str) -> list[str]:
    """The metrics a version carries, in the registry's order (the comparison is put together
    from the others)."""
    return [key for key, m in REGISTRY.items() if key != "comparison" and m.in_version(audience)]


def areas() -> list[str]:
    """The codes of the areas with a property, each a member of the published family."""
    from placements.models import Property

    return list(
        Property.objects.order_by("local_authority_id")
        .values_list("local_authority_id", flat=True)
        .distinct()
    )


def area_name(code: str) -> str:
    """The name of the area `code` in the current language ("" for all areas, or the code itself
    if it is not on the list)."""
    from placements.models import LocalAuthority

    if not code:
        return ""
    area = LocalAuthority.objects.filter(pk=code).first()
    return area.display_name if area is not None else code


def published_scope(period: FixedPeriod, area: str, today: date) -> Scope:
    return Scope(
        start=period.start,
        end=period.end + timedelta(days=1),
        area=area or None,
        today=today,
        earliest=financial_year_start(period.start),
    )


def build_family(
    year_start: date, today: date, threshold: int, progress: Callable[[int], None] | None = None
) -> dict[Member, dict[str, Table]]:
    """Every published report of the financial year from `year_start` that has ended, in all
    areas and each area, from one snapshot of the database, suppressed together."""
    keys = version_keys(PUBLISHED)
    members = [Member(p, a) for p in year_members(year_start, today) for a in ["", *areas()]]
    family = {}
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:
            _repeatable_read()  # one snapshot for every member
        for done, member in enumerate(members, start=1):
            family[member] = _compute(published_scope(member.period, member.area, today), keys)
            if progress:
                progress(done * 90 // len(members))
    protect_family(family, threshold)
    return family


def _published_tables(
    start: date, end: date, area: str, today: date, threshold: int, progress, releases: dict | None
) -> tuple[dict, dict, Any]:
    """The member's tables and its previous period's, as first published (reports/releases.py):
    made and recorded now if this is the first time. `releases`: the years' releases already read
    ({year's first day: {member: release}}, filled in here), for a caller making many reports."""
    from reports.releases import releases_for, tables_from_json

    period = fixed_period(start, end)
    if period is None or period.end >= today:
        raise ValueError(
            "The published version is made for a month, quarter or financial year that has ended."
        )
    release = releases_for(
        [period], area, today=today, threshold=threshold, cache=releases, progress=progress
    )[Member(period, area)]
    tables = tables_from_json(release.tables, blank=True)
    before = tables_from_json(release.previous, blank=True)
    return tables, before, release


def build_report(
    *,
    start: date,
    end: date,
    area: str = "",
    audience: str = PUBLISHED,
    today: date | None = None,
    threshold: int | None = None,
    progress: Callable[[int], None] | None = None,
    releases: dict | None = None,
) -> Report:
    """The report for the days `start` to `end` inclusive (`end` before `today`). The published
    version is for fixed periods only (a ValueError otherwise: the form and the command refuse
    other dates first)."""
    if audience not in AUDIENCES:
        raise ValueError(f"Unknown audience {audience!r}")
    today = today or timezone.localdate()
    threshold = threshold or settings.REPORT_SUPPRESSION_THRESHOLD
    previous_period = None
    release = None
    if audience == PUBLISHED:
        tables, before, release = _published_tables(start, end, area, today, threshold, progress, releases)
        threshold = release.threshold  # as released, whatever the setting is now
        prior = FixedPeriod(release.start, release.end, release.kind).previous()
        previous_period = (prior.start, prior.end, str(prior.label))
    else:
        scope = Scope(start=start, end=end + timedelta(days=1), area=area or None, today=today)
        previous = Scope(start=start - timedelta(days=scope.days), end=start, area=area or None, today=today)
        tables, before = _all_tables(scope, version_keys(audience), previous, progress)
    tables["comparison"] = comparison(tables, before)
    summary = build_summary(
        tables, before, start=start, end=end, threshold=threshold, previous_period=previous_period
    )

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
        scheme_name=str(scheme_name()),
        start=start,
        end=end,
        area=area,
        audience=audience,
        generated_at=release.made_at if release else timezone.now(),
        threshold=threshold,
        sections=sections,
        summary=summary,
        release=release,
        area_name=area_name(area),
    )
