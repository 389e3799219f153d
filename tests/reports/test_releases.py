"""Published releases (reports/releases.py): a published report is made once and served unchanged;
a new release is suppressed knowing every earlier one, late data and all.

The attack over releases made at different times uses the attacker of test_differencing_attack.py,
given more than a real reader has: it knows exactly which of the history's counts had records
added late, and when. Each count is then the sum of its first value and its late additions (one
unknown each), a release made at time s shows sums of the counts as they were at s, and the
attacker solves (span) and bounds (every unknown 0 or more, "<5" 1 to 4) over every release at
once. No withheld count of 1 or more, and no late addition of 1 to 4, may come out exact.
"""

import io
import random
import zipfile
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.test import Client

from reports.builder import PUBLISHED, build_report
from reports.family import Member, protect_family
from reports.models import PublishedRelease
from reports.periods import MONTH, QUARTER, period_of, year_members
from reports.releases import table_from_json, tables_from_json, tables_to_json
from reports.render import render_file
from reports.suppression import PRIMARY, SECONDARY
from reports.tables import Column, Row, Table
from tests.reports.test_differencing_attack import (
    AREAS,
    KINDS,
    THRESHOLD,
    YEAR,
    attack,
    kinds_table,
    months_of,
    random_history,
    shown_small,
)

# Three releases of the financial year 2025/26: April to June and the first quarter (made on 1 July),
# July to September and the second quarter (1 October), and the rest with the year (1 April 2026),
# with records added late to months already published between each.
RELEASED_ON = (date(2025, 7, 1), date(2025, 10, 1), date(2026, 4, 1))


def _late_additions(seed: int, history: dict) -> dict:
    """{(count, release number it is first in): records added}: late records in months already
    published, a few of 1 (the dangerous kind: one late arrest)."""
    rng = random.Random(seed * 7)
    late = {}
    for number in range(1, len(RELEASED_ON)):
        published = [c for c in history if c[0] < RELEASED_ON[number - 1]]
        for count in rng.sample(published, 6):
            late[(count, number)] = rng.choice([1, 1, 2, 5])
    return late


def _at(history: dict, late: dict, number: int) -> dict:
    return {
        c: v + sum(n for (count, when), n in late.items() if count == c and when <= number)
        for c, v in history.items()
    }


def _release_in_turn(history: dict, late: dict, *, knowing: bool) -> list[dict]:
    """The three releases, each suppressed with the earlier ones known (or, `knowing` false, as
    each would be on its own: the year's ended members suppressed afresh)."""
    releases: list[dict] = []
    published: dict = {}
    batches: dict = {}
    for number, day in enumerate(RELEASED_ON):
        counts = _at(history, late, number)
        periods = year_members(YEAR, day)
        family = {Member(p, a): {"kinds": kinds_table(counts, p, a)} for p in periods for a in ("", *AREAS)}
        if knowing:
            protect_family(family, THRESHOLD, released=published, batches=batches)
        else:
            protect_family(family, THRESHOLD)
        new = {m: t for m, t in family.items() if m not in published}
        # As a release keeps them: through JSON and back.
        kept = {m: tables_from_json(tables_to_json(t)) for m, t in new.items()}
        releases.append(kept)
        published |= kept
        batches |= dict.fromkeys(kept, number)
    return releases


def _cells(releases: list[dict], late: dict) -> list:
    """(vector over first values and late additions, value, state) of every released count."""
    cells = []
    for number, release in enumerate(releases):
        for member, tables in release.items():
            table = tables["kinds"]
            areas = AREAS if not member.area else (member.area,)
            for row in table.all_rows():
                kinds = KINDS if row is table.total else [row.label]
                counts = {(m, a, k) for m in months_of(member.period) for a in areas for k in kinds}
                late_ones = {(*c, "late", w) for (c, w) in late if c in counts and w <= number}
                cells.append((frozenset(counts | late_ones), row.values["count"], row.states.get("count")))
    # The late additions themselves, as cells the attacker must not work out.
    for (count, when), n in late.items():
        cells.append((frozenset({(*count, "late", when)}), n, SECONDARY))
    return cells


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_attack_works_out_nothing_from_releases_made_over_a_year_with_late_data(seed):
    history = random_history(seed, months_of(period_of("year", YEAR)))
    late = _late_additions(seed, history)
    releases = _release_in_turn(history, late, knowing=True)
    assert [len(r) for r in releases] == [4 * 3, 4 * 3, 9 * 3]  # 51 reports in all
    cells = _cells(releases, late)
    assert not shown_small(cells)
    worked_out = [(vector, value) for vector, value in attack(cells) if value]
    assert not worked_out, worked_out[:3]


def test_remade_afresh_a_published_month_would_withhold_other_cells():
    # Without releases, April remade on 1 October (late records in the year's months) is
    # suppressed differently from April made on 1 July: two downloads to difference. Kept, it is not.
    changed = 0
    for seed in (1, 2, 3, 4):
        history = random_history(seed, months_of(period_of("year", YEAR)))
        late = _late_additions(seed, history)
        made = []
        for number in (0, 1):
            family = family_of_counts(_at(history, late, number), year_members(YEAR, RELEASED_ON[number]))
            protect_family(family, THRESHOLD)
            made.append(family)
        first_release = [m for m in made[0]]
        changed += sum(
            1
            for m in first_release
            for old, new in zip(made[0][m]["kinds"].all_rows(), made[1][m]["kinds"].all_rows(), strict=True)
            if old.states.get("count") != new.states.get("count")
        )
        releases = _release_in_turn(history, late, knowing=True)
        assert all(m not in releases[1] for m in releases[0])  # never made twice
    assert changed


def family_of_counts(counts: dict, periods) -> dict:
    return {Member(p, a): {"kinds": kinds_table(counts, p, a)} for p in periods for a in ("", *AREAS)}


def test_a_released_cell_keeps_its_state_and_a_new_one_that_would_pin_it_is_withheld():
    # April: North accepted 1 ("<5"), declined 7 → 7 withheld as "[c]" (total 8 shown). Released.
    # Then May ends with nothing in it and late records added to April (+0): the first quarter is
    # published with April, May and June. Were the quarter's North accepted shown, 1 would follow
    # (quarter − May − June); it stays withheld, and April's cells keep their states.
    april, may, june = (period_of(MONTH, date(2025, m, 1)) for m in (4, 5, 6))
    quarter = period_of(QUARTER, YEAR)
    counts = {(m, a, k): 0 for m in months_of(quarter) for a in AREAS for k in KINDS}
    counts |= {(april.start, "North", "accepted"): 1, (april.start, "North", "declined"): 7}
    counts |= {(april.start, "South", "accepted"): 9, (april.start, "South", "declined"): 9}
    first = {Member(april, a): {"kinds": kinds_table(counts, april, a)} for a in ("", *AREAS)}
    protect_family(first, THRESHOLD)
    north = first[Member(april, "North")]["kinds"]
    assert north.rows[0].states["count"] == PRIMARY
    released = {m: tables_from_json(tables_to_json(t)) for m, t in first.items()}
    everything = {
        Member(p, a): {"kinds": kinds_table(counts, p, a)}
        for p in (april, may, june, quarter)
        for a in ("", *AREAS)
    }
    protect_family(everything, THRESHOLD, released=released, batches=dict.fromkeys(released, 0))
    for member, tables in released.items():
        for old, now in zip(tables["kinds"].all_rows(), everything[member]["kinds"].all_rows(), strict=True):
            assert old.states.get("count") == now.states.get("count")
    quarter_north = everything[Member(quarter, "North")]["kinds"]
    assert quarter_north.rows[0].states["count"]  # accepted: 1, as April
    assert quarter_north.rows[1].states["count"]  # declined: 7 would give accepted from the total


def test_a_late_record_in_a_published_month_is_not_revealed_by_its_quarter():
    # April shows South accepted 9 (released). One referral of April is entered late: the
    # quarter's South accepted is now 10; shown, 10 − 9 would reveal the one late record.
    april, quarter = period_of(MONTH, YEAR), period_of(QUARTER, YEAR)
    counts = {(m, a, k): 0 for m in months_of(quarter) for a in AREAS for k in KINDS}
    counts |= {(april.start, "South", "accepted"): 9, (april.start, "South", "declined"): 9}
    counts |= {(april.start, "North", "accepted"): 8, (april.start, "North", "declined"): 8}
    first = {Member(april, a): {"kinds": kinds_table(counts, april, a)} for a in ("", *AREAS)}
    protect_family(first, THRESHOLD)
    assert not any(r.states.get("count") for t in first.values() for r in t["kinds"].all_rows())
    released = {m: tables_from_json(tables_to_json(t)) for m, t in first.items()}
    counts[(april.start, "South", "accepted")] += 1
    months = [period_of(MONTH, date(2025, m, 1)) for m in (4, 5, 6)]
    everything = {
        Member(p, a): {"kinds": kinds_table(counts, p, a)} for p in (*months, quarter) for a in ("", *AREAS)
    }
    protect_family(everything, THRESHOLD, released=released, batches=dict.fromkeys(released, 0))
    south = everything[Member(quarter, "South")]["kinds"]
    total = everything[Member(quarter, "")]["kinds"]
    assert south.rows[0].states.get("count") or total.rows[0].states.get("count")
    new = {m: t for m, t in everything.items() if m not in released}
    late = {((april.start, "South", "accepted"), 1): 1}
    assert not [v for v, value in attack(_cells([released, new], late)) if value]


# The property table: void and turnaround nights go with the occupied nights ---------------------


def _places(occupied_b: int) -> Table:
    columns = [
        Column("people", "People", additive_over=frozenset()),
        Column("occupied", "Occupied nights", basis="people"),
        Column("void", "Void nights", basis="people", withheld_with="occupied"),
        Column("turnaround", "Turnaround nights", basis="people", withheld_with="occupied"),
    ]
    rows = [
        Row("A", {"people": 1, "occupied": 80, "void": 4, "turnaround": 8}),
        Row("B", {"people": 6, "occupied": occupied_b, "void": 10, "turnaround": 12}),
        Row("C", {"people": 7, "occupied": 300, "void": 20, "turnaround": 6}),
    ]
    sums = {k: sum(r.values[k] for r in rows) for k in ("occupied", "void", "turnaround")}
    total = Row("All", {"people": 14, **sums})
    return Table(columns, rows, total=total, additive={"occupied", "void", "turnaround"})


def test_a_place_with_one_resident_has_its_void_and_turnaround_nights_withheld_with_its_nights():
    member = Member(period_of(MONTH, date(2025, 5, 1)), "North")
    family = {member: {"per_property": _places(200)}}
    protect_family(family, THRESHOLD)
    a, b, c = family[member]["per_property"].rows
    assert a.states.get("occupied") and a.states.get("void") and a.states.get("turnaround")
    # Place A's nights withheld: another place's are withheld too, or the total gives them; and
    # that place's void and turnaround nights go with them.
    for row in (b, c):
        if row.states.get("occupied"):
            assert row.states.get("void") and row.states.get("turnaround")
    assert any(row.states.get("occupied") for row in (b, c))


def test_void_nights_are_withheld_with_occupied_nights_withheld_for_another_cell():
    # B's occupied nights are withheld only to protect A's (the smallest shown): B's void and
    # turnaround nights must go with them, or the bedspaces' nights less them give B's.
    member = Member(period_of(MONTH, date(2025, 5, 1)), "North")
    family = {member: {"per_property": _places(90)}}
    protect_family(family, THRESHOLD)
    _a, b, _c = family[member]["per_property"].rows
    assert b.states.get("occupied") == SECONDARY
    assert b.states.get("void") and b.states.get("turnaround")


# Releases in the database ------------------------------------------------------------------------

TODAY = date(2025, 7, 10)
MAY = (date(2025, 5, 1), date(2025, 5, 31))
# The areas of the database's histories, by GSS code (Ceredigion, Powys).
DB_AREAS = ("W06000008", "W06000023")


def _history():
    from referrals.models import Referral
    from tests.factories import BedspaceFactory, OffenderFactory, PropertyFactory, ReferralFactory
    from tests.reports import scenario

    for area in DB_AREAS:
        place = PropertyFactory(local_authority=area, turnaround_days=1)
        for n in range(6):
            scenario._stay(OffenderFactory(), BedspaceFactory(property=place), date(2025, 4, 2 + 3 * n))
    for n in range(7):
        day = date(2025, 5, 2 + 3 * n)
        ReferralFactory(
            status=Referral.Status.ACCEPTED,
            submitted_at=scenario.at(day),
            decided_at=scenario.at(day + timedelta(days=1)),
        )


def _late_referral():
    from referrals.models import Referral
    from tests.factories import ReferralFactory
    from tests.reports import scenario

    ReferralFactory(
        status=Referral.Status.DECLINED,
        decline_reason=Referral.DeclineReason.NO_SUITABLE_PROPERTY,
        submitted_at=scenario.at(date(2025, 5, 20)),
        decided_at=scenario.at(date(2025, 5, 21)),
    )


def _figures(report) -> list:
    return [
        (m.key, row.label, k, row.values.get(k), row.states.get(k))
        for m in report.metrics()
        for row in m.table.all_rows()
        for k in row.values
    ]


def _csv_data(report) -> str:
    with zipfile.ZipFile(io.BytesIO(render_file(report, "csv"))) as archive:
        return next(archive.read(n).decode() for n in archive.namelist() if n.endswith("data.csv"))


def _xlsx_cells(report) -> list:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(render_file(report, "xlsx")))
    return [[cell.value for cell in row] for sheet in book.worksheets for row in sheet.iter_rows()]


@pytest.mark.django_db
def test_two_downloads_of_a_published_report_with_data_changed_between_are_the_same(
    django_assert_num_queries,
):
    from reports.builder import build_family

    _history()
    first = build_report(start=MAY[0], end=MAY[1], area="", audience=PUBLISHED, today=TODAY)
    made = PublishedRelease.objects.count()
    assert made == 4 * 3  # April, May, June and the first quarter, all areas and each: one batch
    assert PublishedRelease.objects.order_by().values("batch").distinct().count() == 1
    _late_referral()
    # Made afresh, May's figures are now different...
    fresh = build_family(YEAR, TODAY, THRESHOLD)[Member(period_of(MONTH, MAY[0]), "")]
    assert tables_to_json(fresh) != first.release.tables
    # ...but the report, a week later, is served as released: one query, the same figures.
    with django_assert_num_queries(1):
        second = build_report(
            start=MAY[0], end=MAY[1], area="", audience=PUBLISHED, today=TODAY + timedelta(days=7)
        )
    assert PublishedRelease.objects.count() == made
    assert second.release.pk == first.release.pk and second.generated_at == first.generated_at
    assert _figures(second) == _figures(first)
    assert _csv_data(second) == _csv_data(first)
    assert _xlsx_cells(second) == _xlsx_cells(first)


@pytest.mark.django_db
def test_every_format_serves_the_release_with_its_as_at_line():
    from django.template.loader import render_to_string

    from reports.render import report_context

    _history()
    report = build_report(start=MAY[0], end=MAY[1], area=DB_AREAS[0], audience=PUBLISHED, today=TODAY)
    release = report.release
    # Each table as released, withheld counts blanked (they never leave the release).
    for metric in report.metrics():
        if metric.key == "comparison":
            continue
        kept = table_from_json(release.tables[metric.key])
        for row, shown in zip(kept.all_rows(), metric.table.all_rows(), strict=True):
            for key, value in row.values.items():
                assert shown.values[key] == (None if row.states.get(key) else value)
    line = "figures as at"
    page = render_to_string("reports/report_document.html", report_context(report))
    assert line in page and "not revised" in page
    assert line in _csv_data(report) or line in _about_csv(report)
    assert any(line in str(v) for row in _xlsx_cells(report) for v in row if v)
    html = render_file(report, "html").decode()
    assert line in html


def _about_csv(report) -> str:
    with zipfile.ZipFile(io.BytesIO(render_file(report, "csv"))) as archive:
        return next(archive.read(n).decode() for n in archive.namelist() if n.endswith("about.csv"))


@pytest.mark.django_db
def test_a_later_release_is_suppressed_with_the_earlier_one_known_in_the_database():
    _history()
    build_report(start=MAY[0], end=MAY[1], audience=PUBLISHED, today=TODAY)
    first = {(r.kind, r.start, r.area): r for r in PublishedRelease.objects.all()}
    _late_referral()
    july = build_report(
        start=date(2025, 7, 1), end=date(2025, 7, 31), audience=PUBLISHED, today=date(2025, 8, 2)
    )
    batches = set(PublishedRelease.objects.values_list("batch", flat=True))
    assert len(batches) == 2 and july.release.batch != next(iter(first.values())).batch
    # The earlier releases are as they were.
    for key, release in first.items():
        assert PublishedRelease.objects.get(kind=key[0], start=key[1], area=key[2]).tables == release.tables


@pytest.mark.django_db
def test_a_release_cannot_be_changed_or_deleted():
    _history()
    build_report(start=MAY[0], end=MAY[1], audience=PUBLISHED, today=TODAY)
    release = PublishedRelease.objects.first()
    for change in (
        lambda: PublishedRelease.objects.filter(pk=release.pk).update(withheld=0),
        lambda: PublishedRelease.objects.filter(pk=release.pk).delete(),
    ):
        with pytest.raises(Exception, match="Cannot|protect"), transaction.atomic():
            change()
    assert PublishedRelease.objects.get(pk=release.pk).tables == release.tables


@pytest.mark.django_db
def test_checking_every_report_twice_makes_the_releases_once():
    from reports.sweep import sweep

    _history()
    first = sweep(TODAY, audiences=[PUBLISHED], real_pdf=False)
    assert not first.failed and first.reports == 4 * 3
    made = list(PublishedRelease.objects.order_by("pk").values_list("pk", "tables"))
    again = sweep(TODAY + timedelta(days=3), audiences=[PUBLISHED], real_pdf=False)
    assert not again.failed and again.reports == first.reports
    assert list(PublishedRelease.objects.order_by("pk").values_list("pk", "tables")) == made


@pytest.mark.django_db
def test_the_nightly_task_publishes_each_ended_period_once_and_the_page_then_reads_it(
    django_assert_max_num_queries,
):
    from iom_housing.celery import app
    from reports.releases import releases_publish_due

    assert app.conf.beat_schedule["publish-due-releases"]["task"] == "reports.publish_due_releases"
    _history()
    # 10 July 2025: April, May, June and the first quarter have ended, for all areas and each.
    assert releases_publish_due(today=TODAY) == 4 * 3
    assert releases_publish_due(today=TODAY) == 0
    made = set(PublishedRelease.objects.values_list("pk", flat=True))
    # The next night nothing new has ended; on 1 August, July has (all areas and each).
    assert releases_publish_due(today=date(2025, 7, 11)) == 0
    assert releases_publish_due(today=date(2025, 8, 1)) == 3
    # A reader of May's published report is served the release the night made: nothing is built.
    with django_assert_max_num_queries(2):
        report = build_report(start=MAY[0], end=MAY[1], audience=PUBLISHED, today=date(2025, 8, 1))
    assert report.release.pk in made


@pytest.mark.django_db
def test_with_no_data_the_nightly_task_publishes_nothing():
    from reports.releases import releases_publish_due

    assert releases_publish_due(today=TODAY) == 0
    assert not PublishedRelease.objects.exists()


# Who makes a release: whoever may see the published version (iom_housing.access) ----------------

MAY_QUERY = {"period": "month:2025-05-01", "area": "", "audience": "published"}
MAY_ALLOWED = {"iom_officer": True, "scheme_manager": True, "opcc_analyst": True, "agency_worker": False}


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*MAY_ALLOWED, "anonymous"])
def test_only_a_role_that_may_see_the_published_version_makes_a_release(role, request):
    _history()
    client = (
        Client()
        if role == "anonymous"
        else request.getfixturevalue(
            {
                "iom_officer": "iom_officer_client",
                "scheme_manager": "scheme_manager_client",
                "opcc_analyst": "opcc_client",
                "agency_worker": "agency_worker_client",
            }[role]
        )
    )
    response = client.get("/reports/", MAY_QUERY)
    if MAY_ALLOWED.get(role):
        assert response.status_code == 200, response.content[:300]
        assert response.context["report"].release is not None
        assert 'id="release"' in response.content.decode()
        assert PublishedRelease.objects.exists()
    else:
        assert response.status_code in (302, 403)
        assert not PublishedRelease.objects.exists()
