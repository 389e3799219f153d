"""In-process timings (Django set up, DEBUG off): each alert sweep, and a one-year all-areas
evaluation report built once and rendered in each format, as the background download makes it."""

import time
from datetime import date, timedelta

from bench.figures import REPORT_SECONDS, SWEEP_SECONDS


def time_sweeps(*, today: date) -> list[dict]:
    """Each sweep once, as the hourly job runs it (on a seeded database its alerts are mostly up to date)."""
    from alerts import sweeps

    rows = []
    for name in sweeps.SWEEPS:
        started = time.perf_counter()
        result = sweeps.run_sweep(name, today=today)
        seconds = time.perf_counter() - started
        rows.append(
            {
                "sweep": name,
                "seconds": round(seconds, 3),
                "result": str(result),
                "budget_seconds": SWEEP_SECONDS,
                "within_budget": seconds <= SWEEP_SECONDS,
            }
        )
    return rows


def time_report(*, today: date) -> dict:
    """The evaluation version (the OPCC's, unsuppressed, with its person rows) for the year to
    yesterday, all areas: the published version is for fixed periods only. A format's time is the
    build's plus its own rendering: what one download of it costs."""
    from reports.builder import EVALUATION, build_report
    from reports.render import FORMATS, render_file

    end = today - timedelta(days=1)
    start = end - timedelta(days=364)
    started = time.perf_counter()
    report = build_report(start=start, end=end, audience=EVALUATION, today=today)
    build_seconds = time.perf_counter() - started
    formats = []
    for fmt in FORMATS:
        started = time.perf_counter()
        content = render_file(report, fmt)
        render_seconds = time.perf_counter() - started
        total = build_seconds + render_seconds
        budget = REPORT_SECONDS.get(fmt)
        formats.append(
            {
                "format": fmt,
                "render_seconds": round(render_seconds, 3),
                "seconds": round(total, 3),
                "bytes": len(content),
                "budget_seconds": budget,
                "within_budget": None if budget is None else total <= budget,
            }
        )
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "area": "all",
        "audience": EVALUATION,
        "build_seconds": round(build_seconds, 3),
        "formats": formats,
    }
