"""Published releases: the published version's figures are made once and then kept.

The rule (one place for it):

1. **A published report is made once.** The first time the published version of a fixed period is
   asked for (for any area), every published report of that financial year that has ended and has
   not been published yet (each such month, quarter and the year, for all areas and each area) is
   made from one snapshot of the data, suppressed, and recorded as a `PublishedRelease`: its tables
   exactly as shown (counts and which are withheld), when it was made, and the time its data is "as
   at". Every later request for that period and area serves the release (page, PDF, XLSX, CSV):
   the same figures, however the data has changed since. Releases are never changed or deleted (a
   database trigger refuses both).

2. **Figures are not revised.** A record added or corrected after a period was published (a late
   arrest, a referral entered late) changes no release: it is counted in the reports first
   published after it that cover its day (the quarter or the year, when its month is already out),
   and each release says when its figures are as at.

3. **A new release is suppressed knowing every earlier one.** The year's members are computed from
   the data as it is now, and suppressed together (reports/family.py) with each released cell
   fixed at its released state: a count shown stays shown, one withheld stays withheld, and only
   the new reports' cells are withheld to protect them. A released count that has changed since
   (late data) is a cell of its own, tied to today's count by the hidden number of late records,
   which is protected like any small count: so a quarter published after its months cannot be
   set against them to reveal the one record that came late. Each earlier batch's own equations
   (its totals, its months into its quarter) are known to the reader too. What the union of the
   releases reveals is then what the joint suppression checks: nothing.

Who may make and see releases is who may see the published version
(`iom_housing.access.can_user_view_report_version`): the views call this module after that check.
"""

from __future__ import annotations

import uuid
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext

from reports.family import Member, protect_family, withheld_count
from reports.metrics.trends import month_label
from reports.periods import FixedPeriod, financial_year_start, year_members
from reports.tables import Column, Row, Table

# Table <-> JSON ---------------------------------------------------------------------------------


def _enc(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, int | float | str):
        return value
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, frozenset | set):
        return {"set": sorted(_enc(v) for v in value)}
    if isinstance(value, tuple):
        return {"tuple": [_enc(v) for v in value]}
    if isinstance(value, list):
        return [_enc(v) for v in value]
    if isinstance(value, dict):
        return {"dict": [[_enc(k), _enc(v)] for k, v in value.items()]}
    raise TypeError(f"A report cell cannot hold {value!r}")


def _dec(value: Any) -> Any:
    if isinstance(value, list):
        return [_dec(v) for v in value]
    if not isinstance(value, dict):
        return value
    ((kind, inner),) = value.items()
    if kind == "decimal":
        return Decimal(inner)
    if kind == "datetime":
        return datetime.fromisoformat(inner)
    if kind == "date":
        return date.fromisoformat(inner)
    if kind == "set":
        return frozenset(_dec(v) for v in inner)
    if kind == "tuple":
        return tuple(_dec(v) for v in inner)
    return {_dec(k): _dec(v) for k, v in inner}


def _dataclass_to_json(obj: Any) -> dict[str, Any]:
    return {f.name: _enc(getattr(obj, f.name)) for f in fields(obj)}


def table_to_json(table: Table) -> dict[str, Any]:
    return {
        "columns": [_dataclass_to_json(c) for c in table.columns],
        "rows": [_dataclass_to_json(r) for r in table.rows],
        "total": _dataclass_to_json(table.total) if table.total else None,
        "additive": _enc(table.additive),
        "row_header": _enc(table.row_header),
        "row_relations": [[k, list(parts)] for k, parts in table.row_relations],
        "shown_rows": table.shown_rows,
    }


def _text(value: Any, shown: bool) -> Any:
    """A label or text cell as released (written in the site's language, LANGUAGE_CODE, whose
    text is the catalogue's original) in the reader's language when shown. A label made from
    figures (a month, an area's name) is kept as it is, figures being the same in both."""
    return gettext(value) if shown and isinstance(value, str) and value else value


def _row(data: dict[str, Any], blank: bool) -> Row:
    row = Row(**{key: _dec(value) for key, value in data.items()})
    if blank:  # a withheld count's value never leaves the release
        row.values = {k: (None if row.states.get(k) else _text(v, True)) for k, v in row.values.items()}
        row.label = _text(row.label, True) if row.period is None else month_label(*row.period)
    return row


def table_from_json(data: dict[str, Any], *, blank: bool = False) -> Table:
    """The table as released; `blank`: as shown to a reader, the withheld cells' values removed and
    the text in the reader's language."""
    return Table(
        columns=[
            Column(**{k: _text(_dec(v), blank and k == "label") for k, v in c.items()})
            for c in data["columns"]
        ],
        rows=[_row(r, blank) for r in data["rows"]],
        total=_row(data["total"], blank) if data["total"] else None,
        additive=_dec(data["additive"]),
        row_header=_text(data["row_header"], blank),
        row_relations=[(k, list(parts)) for k, parts in data["row_relations"]],
        shown_rows=data["shown_rows"],
    )


def tables_to_json(tables: dict[str, Table]) -> dict[str, Any]:
    return {key: table_to_json(table) for key, table in tables.items()}


def tables_from_json(data: dict[str, Any], *, blank: bool = False) -> dict[str, Table]:
    return {key: table_from_json(table, blank=blank) for key, table in data.items()}


# Releases -----------------------------------------------------------------------------------------


def _member(release: Any) -> Member:
    return Member(FixedPeriod(release.start, release.end, release.kind), release.area)


def _first_year() -> date | None:
    from placements.models import Placement
    from referrals.models import Referral

    days = [
        d
        for d in (
            Placement.objects.order_by("starts_on").values_list("starts_on", flat=True).first(),
            Referral.objects.order_by("submitted_at").values_list("submitted_at", flat=True).first(),
        )
        if d is not None
    ]
    if not days:
        return None
    first = min(d if not isinstance(d, datetime) else timezone.localdate(d) for d in days)
    return financial_year_start(first)


def releases_for(
    periods: list[FixedPeriod],
    area: str,
    *,
    today: date,
    threshold: int,
    cache: dict[date, dict[Member, Any]] | None = None,
    progress: Any = None,
) -> dict[Member, Any]:
    """The releases of `periods` (ended fixed periods) for `area` ("" for all areas), made now for
    any not yet published (with the rest of their year's ended, unpublished reports: point 1 of
    the module's rule). Releases are read in one query; `cache` ({year: {member: release}}) keeps
    them for a caller making many reports."""
    from reports.models import PublishedRelease

    cache = {} if cache is None else cache
    years = sorted({financial_year_start(p.start) for p in periods} - set(cache))
    if years:
        for year in years:
            cache[year] = {}
        for release in PublishedRelease.objects.filter(year_start__in=years):
            cache[release.year_start][_member(release)] = release
    wanted = [Member(p, area) for p in periods]
    for member in wanted:
        year = financial_year_start(member.period.start)
        if member not in cache[year]:
            _release_year(year, today=today, threshold=threshold, cache=cache, progress=progress)
    return {m: cache[financial_year_start(m.period.start)][m] for m in wanted}


def releases_publish_due(*, today: date | None = None, threshold: int | None = None) -> int:
    """Publish every fixed period that has ended and is not published yet (each financial year
    from the first with data), as the nightly task does, so that nobody waits while a year's
    releases are made on their first request. Returns how many releases were made."""
    from reports.builder import areas
    from reports.models import PublishedRelease

    today = today or timezone.localdate()
    threshold = threshold or settings.REPORT_SUPPRESSION_THRESHOLD
    year = _first_year()
    if year is None:
        return 0
    before = PublishedRelease.objects.count()
    cache: dict[date, dict[Member, Any]] = {}
    every_area = ["", *areas()]
    while year < today:
        periods = year_members(year, today)
        for area in every_area if periods else []:
            releases_for(periods, area, today=today, threshold=threshold, cache=cache)
        year = date(year.year + 1, 4, 1)
    return PublishedRelease.objects.count() - before


def _release_year(
    year: date, *, today: date, threshold: int, cache: dict[date, dict[Member, Any]], progress: Any
) -> None:
    """Publish every ended, unpublished member of the financial year from `year` (the module's
    rule, points 1 and 3), and the previous year's first if the year's first month needs its
    previous month's figures."""
    from reports.builder import PUBLISHED, _compute, _repeatable_read, areas, published_scope, version_keys
    from reports.models import PublishedRelease

    existing = cache[year]
    with translation.override(settings.LANGUAGE_CODE):  # the same labels whoever asks first
        members = [Member(p, a) for p in year_members(year, today) for a in ["", *areas()]]
        new = [m for m in members if m not in existing]
        if not new:
            return
        # Each new report's comparison reads its previous period as published: the previous
        # year's are published first (back to the first year with data; before it, there is
        # nothing to publish, and the previous periods are made with this year's).
        first_year = _first_year()
        earlier = sorted(
            {Member(m.period.previous(), m.area) for m in new if m.period.previous().start < year},
            key=lambda m: (m.period, m.area),
        )
        unpublished = []
        for member in earlier:
            if first_year is not None and member.period.start >= first_year:
                releases_for([member.period], member.area, today=today, threshold=threshold, cache=cache)
            else:
                unpublished.append(member)
        keys = version_keys(PUBLISHED)
        family = {}
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if outermost:
                _repeatable_read()
            as_at = timezone.now()
            for done, member in enumerate([*members, *unpublished], start=1):
                family[member] = _compute(published_scope(member.period, member.area, today), keys)
                if progress:
                    progress(done * 90 // (len(members) + len(unpublished)))
        released = {m: tables_from_json(r.tables) for m, r in existing.items()}
        protect_family(
            family, threshold, released=released, batches={m: r.batch for m, r in existing.items()}
        )
        batch, made_at = uuid.uuid4(), timezone.now()
        rows = []
        for member in new:
            tables = family[member]
            prior_member = Member(member.period.previous(), member.area)
            prior_year = cache.get(financial_year_start(prior_member.period.start), {})
            if prior_member in prior_year:
                before = prior_year[prior_member].tables
            elif prior_member in family and prior_member not in existing:
                before = tables_to_json(family[prior_member])
            else:
                before = {}
            rows.append(
                PublishedRelease(
                    kind=member.period.kind,
                    start=member.period.start,
                    end=member.period.end,
                    area=member.area,
                    year_start=year,
                    batch=batch,
                    made_at=made_at,
                    data_as_at=as_at,
                    threshold=threshold,
                    tables=tables_to_json(tables),
                    previous=_previous_only(before),
                    withheld=withheld_count({member: tables}),
                )
            )
    try:
        with transaction.atomic():
            PublishedRelease.objects.bulk_create(rows)
    except IntegrityError:
        # Another request published the year first: its releases are the ones (re-read them).
        pass
    cache[year] = {_member(r): r for r in PublishedRelease.objects.filter(year_start=year)}


def _previous_only(tables: dict[str, Any]) -> dict[str, Any]:
    from reports.builder import PREVIOUS_METRICS

    return {key: tables[key] for key in PREVIOUS_METRICS if key in tables}


__all__ = ["releases_for", "releases_publish_due", "table_from_json", "table_to_json", "tables_from_json"]
