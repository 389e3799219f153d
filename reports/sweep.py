"""Every fixed period × area × version × format of the report, made over the data there is: the
"never fail" check (`manage.py check_reports`, and a sample of it in the tests)."""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Min
from django.template.loader import render_to_string

from reports import periods
from reports.builder import AUDIENCES, areas, build_report
from reports.render import render_file, report_context

FORMATS = ("html", "csv", "xlsx", "pdf-html")


@dataclass
class Sweep:
    reports: int = 0
    files: int = 0
    pdfs: int = 0
    seconds: float = 0.0
    failed: list[str] = field(default_factory=list)


def first_day() -> date | None:
    from placements.models import Placement

    first: date | None = Placement.objects.aggregate(first=Min("starts_on"))["first"]
    return first


def sweep(
    today: date,
    *,
    audiences: Sequence[str] = AUDIENCES,
    real_pdf: bool | set[tuple[str, str]] = True,
    keep: Callable[[periods.FixedPeriod], bool] = lambda p: True,
) -> Sweep:
    """Make each report and each of its formats (the PDF's HTML without its layout, and one real
    PDF for a period of each kind and each version), listing every failure rather than stopping."""
    from reports.render import to_pdf

    result = Sweep()
    started = time.monotonic()
    first = first_day() or today
    releases: dict[date, Any] = {}  # the published reports' years, read (or made) once each
    pdf_done: set[tuple[str, str]] = set()
    for period in sorted(periods.ended_periods(first, today), key=lambda p: (p.start, p.kind)):
        if not keep(period):
            continue
        for area in ["", *areas()]:
            for audience in audiences:
                name = f"{audience} {period.label} {area or 'all areas'}"
                try:
                    report = build_report(
                        start=period.start,
                        end=period.end,
                        area=area,
                        audience=audience,
                        today=today,
                        releases=releases,
                    )
                except Exception as error:  # noqa: BLE001 - every failure is listed
                    result.failed.append(f"{name}: {error!r}")
                    continue
                result.reports += 1
                for fmt in FORMATS:
                    try:
                        if fmt == "pdf-html":
                            render_to_string(
                                "reports/report_document.html", {**report_context(report), "for_pdf": True}
                            )
                        else:
                            render_file(report, fmt)
                        result.files += 1
                    except Exception as error:  # noqa: BLE001
                        result.failed.append(f"{name} {fmt}: {error!r}")
                wanted = real_pdf is True or (real_pdf and (period.kind, audience) in real_pdf)
                if wanted and (period.kind, audience) not in pdf_done and not area:
                    pdf_done.add((period.kind, audience))
                    try:
                        to_pdf(report)
                        result.pdfs += 1
                    except Exception as error:  # noqa: BLE001
                        result.failed.append(f"{name} pdf: {error!r}")
    result.seconds = time.monotonic() - started
    return result
