"""The benchmark's figures: latency statistics, the budgets, the printed tables and the JSON file."""

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

# Budgets at national scale on the 2-core machine, under 8 concurrent users (issue 9).
ENDPOINT_P95_MS = 150
SWEEP_SECONDS = 2
REPORT_SECONDS = {"html": 5, "pdf": 15}  # CSV and XLSX have none

RESULTS_DIR = Path(__file__).resolve().parent / "results"
SERVER_TIMING = re.compile(r'(?P<name>\w+);dur=(?P<dur>[\d.]+)(?:;desc="(?P<queries>\d+) queries")?')


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0 to 100) by linear interpolation between the closest ranks, as numpy's
    default does; nan for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class ServerTiming:
    sql_ms: float
    queries: int
    total_ms: float


def parse_server_timing(header: str | None) -> ServerTiming | None:
    """`sql;dur=12.3;desc="7 queries", total;dur=40.1` (iom_housing.timing) or None."""
    if not header:
        return None
    parts = {match["name"]: match for match in SERVER_TIMING.finditer(header)}
    if "sql" not in parts or "total" not in parts:
        return None
    return ServerTiming(
        sql_ms=float(parts["sql"]["dur"]),
        queries=int(parts["sql"]["queries"] or 0),
        total_ms=float(parts["total"]["dur"]),
    )


@dataclass(frozen=True)
class Sample:
    """One timed request: its latency seen by the client, and what went wrong if it failed."""

    latency_ms: float
    status: int
    timing: ServerTiming | None
    error: str = ""
    server: str = ""  # which server answered, behind the proxy (bench.server.SERVED_BY)


def summarise(name: str, who: str, samples: list[Sample], seconds: float) -> dict:
    """An endpoint's figures from its timed requests, run for `seconds` in all."""
    latencies = [sample.latency_ms for sample in samples]
    timings = [sample.timing for sample in samples if sample.timing]
    sql_ms = sum(timing.sql_ms for timing in timings)
    server_ms = sum(timing.total_ms for timing in timings)
    p95 = percentile(latencies, 95)
    return {
        "endpoint": name,
        "as": who,
        "requests": len(samples),
        "errors": sum(1 for sample in samples if sample.error),
        "error_samples": [
            {"status": sample.status, "error": sample.error} for sample in samples if sample.error
        ][:5],
        "seconds": round(seconds, 3),
        "requests_per_second": round(len(samples) / seconds, 1) if seconds else math.nan,
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(p95, 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "queries_mean": round(sum(timing.queries for timing in timings) / len(timings), 1)
        if timings
        else None,
        "sql_ms_mean": round(sql_ms / len(timings), 1) if timings else None,
        "server_ms_mean": round(server_ms / len(timings), 1) if timings else None,
        "sql_share": round(sql_ms / server_ms, 3) if server_ms else None,
        "budget_p95_ms": ENDPOINT_P95_MS,
        "within_budget": p95 <= ENDPOINT_P95_MS,
        # Behind the proxy: how many requests each server answered.
        "servers": dict(sorted(Counter(sample.server for sample in samples if sample.server).items())),
    }


def verdict(within: bool | None) -> str:
    return "-" if within is None else ("pass" if within else "FAIL")


def _number(value, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.{digits}f}"


def table(headers: list[str], rows: list[list[str]], *, text_columns: int = 1) -> str:
    """A plain text table: the first `text_columns` columns left-aligned, the figures right-aligned."""
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]

    def line(cells):
        return "  ".join(
            str(cell).ljust(width) if i < text_columns else str(cell).rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join([line(headers), line(["-" * width for width in widths]), *map(line, rows)])


def endpoint_table(endpoints: list[dict]) -> str:
    headers = ["endpoint", "as", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "queries"]
    headers += ["SQL ms", "SQL share", f"p95 ≤ {ENDPOINT_P95_MS} ms"]
    rows = [
        [
            e["endpoint"],
            e["as"],
            _number(e["requests_per_second"]),
            _number(e["p50_ms"]),
            _number(e["p95_ms"]),
            _number(e["p99_ms"]),
            f"{e['errors']}/{e['requests']}",
            _number(e["queries_mean"]),
            _number(e["sql_ms_mean"]),
            "-" if e["sql_share"] is None else f"{e['sql_share']:.0%}",
            verdict(e["within_budget"]),
        ]
        for e in endpoints
    ]
    return table(headers, rows, text_columns=2)


def scale_out_table(check: dict) -> str:
    """The scale-out check (bench.load.scale_out_check): each part, its servers, its verdict."""
    rows = []
    for name, label in (("sign_in", "sign in (CSRF token from the form)"), ("session", "signed-in pages"),
                        ("report_file", "report file made in the background")):  # fmt: skip
        part = check[name]
        ok = part["requests"] and part["succeeded"] == part["requests"] and len(part["servers"]) > 1
        rows.append(
            [
                label,
                f"{part['succeeded']} of {part['requests']}",
                ", ".join(part["servers"]),
                verdict(bool(ok)),
            ]
        )
    return table(["check", "succeeded", "answered by", "verdict"], rows)


def sweep_table(sweeps: list[dict]) -> str:
    rows = [[s["sweep"], _number(s["seconds"], 2), s["result"], verdict(s["within_budget"])] for s in sweeps]
    return table(["sweep", "seconds", "result", f"≤ {SWEEP_SECONDS} s"], rows)


def report_table(report: dict) -> str:
    rows = [
        [
            f["format"],
            _number(report["build_seconds"], 2),
            _number(f["render_seconds"], 2),
            _number(f["seconds"], 2),
            f"{f['bytes']:,}",
            "-" if f["budget_seconds"] is None else f"≤ {f['budget_seconds']} s",
            verdict(f["within_budget"]),
        ]
        for f in report["formats"]
    ]
    return table(["format", "build s", "render s", "total s", "bytes", "budget", "verdict"], rows)


def error_lines(endpoints: list[dict]) -> list[str]:
    """Every endpoint's failed requests, a few examples each: never silently ignored."""
    lines = []
    for e in endpoints:
        if e["errors"]:
            lines.append(f"{e['endpoint']}: {e['errors']} of {e['requests']} requests failed, for example:")
            lines += [f"  {sample['status']} {sample['error']}" for sample in e["error_samples"]]
    return lines


def budget_count(results: dict) -> tuple[int, int]:
    """How many figures with a budget are within it, of how many."""
    verdicts = [e["within_budget"] for e in results["endpoints"] if not e.get("skipped")]
    verdicts += [s["within_budget"] for s in results["sweeps"]]
    verdicts += [f["within_budget"] for f in results["report"]["formats"] if f["within_budget"] is not None]
    return sum(verdicts), len(verdicts)


def write_results(results: dict, *, at: datetime, folder: Path = RESULTS_DIR) -> Path:
    """bench/results/<UTC time>.json, e.g. 20261123T143000Z.json."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{at:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    return path
