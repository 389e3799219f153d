"""The load benchmark's pieces (bench/): statistics, budgets, tables, the results file, form filling
and the driver's counting, against a fake transport. Nothing here is timed."""

import asyncio
import json
import math
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
import pytest

from bench import figures
from bench.figures import Sample, ServerTiming, parse_server_timing, percentile, summarise
from bench.load import API_SCOPES, UPSERT_CHANGE, Call, FormFields, drive, endpoints
from bench.server import SERVED_BY, nginx_config
from bench.targets import Targets, spread


def test_percentile_interpolates_between_ranks():
    values = [40, 10, 30, 20]  # unsorted on purpose

    assert percentile(values, 0) == 10
    assert percentile(values, 50) == 25
    assert percentile(values, 95) == pytest.approx(38.5)
    assert percentile(values, 100) == 40
    assert percentile([7], 99) == 7
    assert math.isnan(percentile([], 50))


def test_server_timing_header_is_read_and_anything_else_is_none():
    assert parse_server_timing('sql;dur=12.3;desc="7 queries", total;dur=40.1') == ServerTiming(12.3, 7, 40.1)
    assert parse_server_timing(None) is None
    assert parse_server_timing("cache;dur=1") is None


def test_summary_counts_errors_and_the_share_of_server_time_in_sql():
    samples = [
        Sample(10.0, 200, ServerTiming(2.0, 3, 8.0)),
        Sample(20.0, 200, ServerTiming(4.0, 5, 16.0)),
        Sample(300.0, 500, None, "GET /x/: 500: Server Error"),
    ]

    summary = summarise("dashboard", "officer", samples, seconds=2.0)

    assert summary["requests"] == 3
    assert summary["errors"] == 1
    assert summary["error_samples"] == [{"status": 500, "error": "GET /x/: 500: Server Error"}]
    assert summary["requests_per_second"] == 1.5
    assert summary["p50_ms"] == 20.0
    assert summary["queries_mean"] == 4.0
    assert summary["sql_ms_mean"] == 3.0
    assert summary["sql_share"] == 0.25
    assert summary["within_budget"] is False  # p95 is 272 ms


def test_tables_mark_each_figure_against_its_budget():
    endpoint = summarise("alerts", "officer", [Sample(12.0, 200, ServerTiming(1.0, 2, 4.0))], 1.0)
    sweeps = [
        {"sweep": "visit_missed", "seconds": 2.5, "result": "1 raised, 0 resolved", "within_budget": False}
    ]
    report = {
        "build_seconds": 1.0,
        "formats": [
            {"format": "html", "render_seconds": 0.5, "seconds": 1.5, "bytes": 1000, "budget_seconds": 5}
            | {"within_budget": True},
            {"format": "csv", "render_seconds": 0.1, "seconds": 1.1, "bytes": 10, "budget_seconds": None}
            | {"within_budget": None},
        ],
    }

    assert row_of(figures.endpoint_table([endpoint]), "alerts")[-2:] == ["25%", "pass"]
    assert row_of(figures.sweep_table(sweeps), "visit_missed")[-1] == "FAIL"
    assert row_of(figures.report_table(report), "html")[-1] == "pass"
    assert row_of(figures.report_table(report), "csv")[-2:] == ["-", "-"]
    results = {"endpoints": [endpoint, {"endpoint": "caseload", "skipped": True}], "sweeps": sweeps}
    assert figures.budget_count({**results, "report": report}) == (2, 3)


def row_of(table: str, name: str) -> list[str]:
    return next(line for line in table.splitlines() if line.startswith(name)).split()


def test_results_are_written_as_json_named_by_utc_time(tmp_path):
    at = datetime(2026, 11, 23, 14, 30, 5, tzinfo=UTC)

    path = figures.write_results({"endpoints": [], "measured_at": at}, at=at, folder=tmp_path)

    assert path.name == "20261123T143005Z.json"
    assert json.loads(path.read_text())["measured_at"] == "2026-11-23 14:30:05+00:00"


def test_form_fields_are_what_a_browser_would_send():
    html = """
        <form><input type="hidden" name="csrfmiddlewaretoken" value="abc">
        <input type="text" name="staff_names" value="Gethin Pryce">
        <input type="radio" name="kind" value="home"><input type="radio" name="kind" value="phone" checked>
        <input type="checkbox" name="concern_raised" value="on">
        <textarea name="notes">Seen &amp; well</textarea>
        <input type="submit" name="submit" value="Save visit"></form>"""

    assert FormFields(html).fields == {
        "csrfmiddlewaretoken": "abc",
        "staff_names": "Gethin Pryce",
        "kind": "phone",
        "notes": "Seen & well",
    }


def test_targets_are_spread_evenly_and_all_kept_when_few():
    assert spread(list(range(10)), 4) == [0, 2, 5, 7]
    assert spread([1, 2], 4) == [1, 2]


def test_upserts_alternate_between_the_referral_as_it_is_and_a_change():
    body = {"reason": "Released without an address" + UPSERT_CHANGE, "urgency": "routine"}
    targets = Targets([], [], [], [], upserts=[("REF-1", body), ("REF-2", body)])
    upsert = next(e for e in endpoints(targets, []) if e.name == "API referral upsert")

    calls = [upsert.call(i) for i in range(4)]

    assert [call.url for call in calls] == [
        "/api/v1/referrals/by-ref/REF-1",
        "/api/v1/referrals/by-ref/REF-2",
    ] * 2
    assert [call.json["reason"].endswith(UPSERT_CHANGE) for call in calls] == [False, False, True, True]
    assert calls[0].method == "PUT" and calls[0].expect == {200, 201}


def test_an_endpoint_with_nothing_to_ask_for_is_marked_so():
    empty = Targets([], [], [], [], [])

    chosen = {e.name: e.targets for e in endpoints(empty, [])}

    assert chosen["record a visit"] == 0
    assert chosen["placement page"] == chosen["move-on action"] == 0
    assert chosen["dashboard"] == 1
    assert chosen["visits due"] == chosen["follow-up checks"] == chosen["rent deposits"] == 1
    assert chosen["API move-on actions"] == chosen["API follow-up checks"] == 1


def test_the_api_token_asks_for_scopes_that_exist(settings):
    assert set(API_SCOPES.split()) <= set(settings.API_SCOPES)
    assert {"moveon:read", "followups:write"} <= set(API_SCOPES.split())


def test_the_new_pages_are_asked_for_at_their_addresses():
    targets = Targets([], [], [], [], [], placements=["p-1"], move_on_actions=["a-1"])
    new = ["placement page", "move-on action", "visits due", "follow-up checks", "rent deposits"]
    new += ["API move-on actions", "API follow-up checks"]
    calls = {e.name: e.call(0) for e in endpoints(targets, []) if e.name in new}

    assert calls["placement page"].url == "/placements/p-1/"
    assert calls["move-on action"].url == "/move-on/actions/a-1/"
    assert calls["visits due"].url == "/visits/due/"
    assert calls["follow-up checks"].url == "/aftercare/follow-ups/"
    assert calls["rent deposits"].url == "/aftercare/deposits/"
    assert calls["API move-on actions"].url == "/api/v1/moveon/actions/"
    assert calls["API follow-up checks"].url == "/api/v1/aftercare/follow-ups/"
    assert all(call.method == "GET" and call.expect == {200} for call in calls.values())
    assert calls["API follow-up checks"].session == "api" and calls["visits due"].session == "officer"


def test_drive_sends_every_call_and_counts_unexpected_answers_as_errors():
    def answer(request):
        if request.url.path == "/broken/":
            return httpx.Response(500, text="Server Error")
        return httpx.Response(200, headers={"Server-Timing": 'sql;dur=1.0;desc="2 queries", total;dur=5.0'})

    async def go():
        async with httpx.AsyncClient(
            transport=httpx.MockTransport(answer), base_url="http://bench"
        ) as client:
            calls = [Call("officer", "GET", path, frozenset({200})) for path in ["/ok/"] * 9 + ["/broken/"]]
            return await drive({"officer": client}, calls, concurrency=3)

    # In a thread of its own: a browser test earlier in the run may leave an event loop running here.
    with ThreadPoolExecutor(1) as thread:
        samples, seconds = thread.submit(asyncio.run, go()).result()

    assert len(samples) == 10 and seconds > 0
    [failed] = [sample for sample in samples if sample.error]
    assert failed.status == 500 and failed.error == "GET /broken/: 500: Server Error"
    assert all(sample.timing == ServerTiming(1.0, 2, 5.0) for sample in samples if not sample.error)


def test_the_proxy_shares_requests_between_the_servers_in_turn_and_says_which_answered(tmp_path):
    config = nginx_config(
        port=8029,
        upstreams=["http://127.0.0.1:8030", "http://127.0.0.1:8031"],
        folder=tmp_path,
        as_root=False,
    )
    upstream = config.split("upstream iom_housing {")[1].split("}")[0]
    assert "server 127.0.0.1:8030;" in upstream and "server 127.0.0.1:8031;" in upstream
    assert "ip_hash" not in upstream and "sticky" not in config  # nothing ties a user to one server
    assert "listen 127.0.0.1:8029;" in config and "user root" not in config
    assert f"add_header {SERVED_BY} $upstream_addr always;" in config
    assert "proxy_set_header Host $http_host;" in config  # Django checks the host it was asked for


def test_samples_count_the_servers_that_answered_and_the_scale_out_table_says_why_it_fails():
    samples = [Sample(10.0, 200, None, server=server) for server in ("a:1", "b:2", "a:1")]
    assert summarise("dashboard", "officer", samples, 1.0)["servers"] == {"a:1": 2, "b:2": 1}
    check = {
        "sign_in": {"requests": 8, "succeeded": 8, "servers": ["a:1", "b:2"]},
        "session": {"requests": 6, "succeeded": 5, "servers": ["a:1", "b:2"]},
        "report_file": {"requests": 4, "succeeded": 4, "servers": ["a:1"]},
    }
    table = figures.scale_out_table(check)
    assert row_of(table, "sign in")[-1] == "pass"
    assert row_of(table, "signed-in pages")[-1] == "FAIL"  # one request failed
    assert row_of(table, "report file")[-1] == "FAIL"  # only one server answered
