"""The load: signed-in users of each role and an agency's case system drive the pages and the API
at a fixed concurrency, one endpoint at a time, through the same forms and calls as people do."""

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlencode

import httpx

from bench.figures import Sample, parse_server_timing, summarise
from bench.server import SERVED_BY
from bench.targets import AGENCY_WORKERS, MANAGER, OFFICER, Targets

API = "api"  # the session of the agency's case system (a bearer token), beside the usernames
# The answers an agency worker gives on the visit form; the date, time and staff are its own defaults.
VISIT_ANSWERS = {
    "kind": "home",
    "outcome": "seen",
    "property_in_good_order": "yes",
    "drug_test": "negative",
    "engagement": "good",
    "notes": "Recorded by the load benchmark.",
}
# The scopes the case system's token asks for: the referrals, and the move-on and follow-up lists.
API_SCOPES = "referrals:read referrals:write moveon:read followups:write"
UPSERT_CHANGE = " (updated)"  # every other upsert of a referral changes its reason, and back


class LoadError(Exception):
    pass


class FormFields(HTMLParser):
    """What a browser would send from a page's forms unless the user changed it: text and hidden
    inputs, checked boxes and radios, textareas (buttons are left out)."""

    def __init__(self, html: str):
        super().__init__()
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""
        elif tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields[name] = a.get("value") or ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


@dataclass(frozen=True)
class Call:
    session: str  # a username, or API
    method: str
    url: str
    expect: frozenset[int]
    data: dict | None = None
    json: dict | None = None


@dataclass(frozen=True)
class Endpoint:
    name: str
    who: str
    call: Callable[[int], Call]  # the i-th request
    targets: int = 1  # how many it chooses from; 0 skips the endpoint


PAGE = frozenset({200})


def endpoints(targets: Targets, visit_forms: list[tuple[str, str, dict]]) -> list[Endpoint]:
    t = targets

    def nth(items, i):
        return items[i % len(items)]

    def upsert(i: int) -> Call:
        ref, body = nth(t.upserts, i)
        reason = body["reason"].removesuffix(UPSERT_CHANGE)
        if (i // len(t.upserts)) % 2:
            reason += UPSERT_CHANGE
        url = f"/api/v1/referrals/by-ref/{ref}"
        return Call(API, "PUT", url, frozenset({200, 201}), json={**body, "reason": reason})

    def visit(i: int) -> Call:
        username, url, fields = nth(visit_forms, i)
        return Call(username, "POST", url, frozenset({302}), data={**fields, **VISIT_ANSWERS})

    return [
        Endpoint(
            "dashboard",
            "officer, manager",
            lambda i: Call(nth([OFFICER, MANAGER], i), "GET", "/dashboard/", PAGE),
        ),
        Endpoint(
            "offender search",
            "officer",
            lambda i: Call(OFFICER, "GET", "/offenders/?" + urlencode({"q": nth(t.search_terms, i)}), PAGE),
            len(t.search_terms),
        ),
        Endpoint(
            "offender page",
            "officer",
            lambda i: Call(OFFICER, "GET", f"/offenders/{nth(t.offenders, i)}/", PAGE),
            len(t.offenders),
        ),
        Endpoint(
            "occupancy calendar",
            "officer, manager",
            lambda i: Call(nth([OFFICER, MANAGER], i), "GET", f"/properties/{nth(t.properties, i)}/", PAGE),
            len(t.properties),
        ),
        Endpoint(
            "caseload", "agency worker", lambda i: Call(nth(AGENCY_WORKERS, i), "GET", "/caseload/", PAGE)
        ),
        Endpoint("record a visit", "agency worker", visit, len(visit_forms)),
        Endpoint(
            "alerts", "officer, manager", lambda i: Call(nth([OFFICER, MANAGER], i), "GET", "/alerts/", PAGE)
        ),
        Endpoint("API referral list", "API client", lambda i: Call(API, "GET", "/api/v1/referrals/", PAGE)),
        Endpoint("API referral upsert", "API client", upsert, len(t.upserts)),
        Endpoint(
            "placement page",
            "officer",
            lambda i: Call(OFFICER, "GET", f"/placements/{nth(t.placements, i)}/", PAGE),
            len(t.placements),
        ),
        Endpoint(
            "move-on action",
            "officer",
            lambda i: Call(OFFICER, "GET", f"/move-on/actions/{nth(t.move_on_actions, i)}/", PAGE),
            len(t.move_on_actions),
        ),
        Endpoint(
            "visits due",
            "officer, agency worker",
            lambda i: Call(nth([OFFICER, *AGENCY_WORKERS], i), "GET", "/visits/due/", PAGE),
        ),
        Endpoint(
            "follow-up checks",
            "officer, manager",
            lambda i: Call(nth([OFFICER, MANAGER], i), "GET", "/aftercare/follow-ups/", PAGE),
        ),
        Endpoint(
            "rent deposits",
            "officer, manager",
            lambda i: Call(nth([OFFICER, MANAGER], i), "GET", "/aftercare/deposits/", PAGE),
        ),
        Endpoint(
            "API move-on actions", "API client", lambda i: Call(API, "GET", "/api/v1/moveon/actions/", PAGE)
        ),
        Endpoint(
            "API follow-up checks",
            "API client",
            lambda i: Call(API, "GET", "/api/v1/aftercare/follow-ups/", PAGE),
        ),
    ]


async def sign_in(client: httpx.AsyncClient, username: str, password: str) -> None:
    """Through the sign-in form, with its CSRF token (two-factor is off on the benchmark's server)."""
    page = await client.get("/accounts/login/")
    fields = FormFields(page.text).fields
    response = await client.post(
        "/accounts/login/", data={**fields, "username": username, "password": password}
    )
    if response.status_code != 302:
        raise LoadError(f"{username} could not sign in: {response.status_code} {_error_detail(response)}")


async def api_token(client: httpx.AsyncClient, client_id: str, secret: str) -> str:
    response = await client.post(
        "/o/token/",
        data={"grant_type": "client_credentials", "scope": API_SCOPES},
        auth=(client_id, secret),
    )
    if response.status_code != 200:
        raise LoadError(
            f"The API client {client_id} got no token: {response.status_code} {response.text[:300]}"
        )
    return response.json()["access_token"]


async def visit_form(client: httpx.AsyncClient, placement_id: str) -> tuple[str, dict]:
    """The visit form's own defaults (date and time now, the worker's name, CSRF token)."""
    url = f"/placements/{placement_id}/visits/new/"
    response = await client.get(url)
    if response.status_code != 200:
        raise LoadError(f"The visit form {url} answered {response.status_code}")
    return url, FormFields(response.text).fields


async def send(clients: dict[str, httpx.AsyncClient], call: Call) -> Sample:
    started = time.perf_counter()
    try:
        response = await clients[call.session].request(call.method, call.url, data=call.data, json=call.json)
    except httpx.HTTPError as error:
        return Sample((time.perf_counter() - started) * 1000, 0, None, f"{call.url}: {error!r}")
    latency_ms = (time.perf_counter() - started) * 1000
    problem = (
        "" if response.status_code in call.expect else f"{call.method} {call.url}: {_error_detail(response)}"
    )
    return Sample(
        latency_ms,
        response.status_code,
        parse_server_timing(response.headers.get("Server-Timing")),
        problem,
        response.headers.get(SERVED_BY, ""),
    )


async def drive(clients, calls: list[Call], concurrency: int) -> tuple[list[Sample], float]:
    """Send `calls` with `concurrency` in flight at once; the samples and the seconds it took."""
    pending = iter(calls)
    samples: list[Sample] = []

    async def user():
        for call in pending:  # shared: each call is taken by one user
            samples.append(await send(clients, call))

    started = time.perf_counter()
    await asyncio.gather(*(user() for _ in range(concurrency)))
    return samples, time.perf_counter() - started


async def run(
    *,
    base_url: str,
    targets: Targets,
    password: str,
    api_client_id: str,
    concurrency: int,
    requests: int,
    warmup: int,
    report: Callable[[str], None] = print,
) -> dict:
    """Sign everyone in, then measure each endpoint: `warmup` requests untimed, then `requests`."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    clients = {
        name: httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits, follow_redirects=False)
        for name in (OFFICER, MANAGER, *AGENCY_WORKERS, API)
    }
    try:
        for username in (OFFICER, MANAGER, *AGENCY_WORKERS):
            await sign_in(clients[username], username, password)
        token = await api_token(clients[API], api_client_id, password)
        clients[API].headers["Authorization"] = f"Bearer {token}"
        static = await static_check(clients[OFFICER])
        forms = [
            (username, *await visit_form(clients[username], placement_id))
            for username, placement_id in targets.visits
        ]
        results = []
        for endpoint in endpoints(targets, forms):
            if not endpoint.targets:
                report(f"{endpoint.name}: skipped, nothing in the database to ask for")
                results.append({"endpoint": endpoint.name, "as": endpoint.who, "skipped": True})
                continue
            await drive(clients, [endpoint.call(i) for i in range(warmup)], concurrency)
            calls = [endpoint.call(i) for i in range(warmup, warmup + requests)]
            samples, seconds = await drive(clients, calls, concurrency)
            summary = summarise(endpoint.name, endpoint.who, samples, seconds)
            report(
                f"{endpoint.name}: {summary['requests_per_second']} req/s, p95 {summary['p95_ms']} ms, "
                f"{summary['errors']} errors"
            )
            results.append(summary)
        return {"static": static, "endpoints": results}
    finally:
        for client in clients.values():
            await client.aclose()


async def static_check(client: httpx.AsyncClient) -> dict:
    """The stylesheet the dashboard links to is served (by WhiteNoise, with DEBUG off)."""
    page = await client.get("/dashboard/")
    match = re.search(r'<link[^>]+href="([^"]+\.css)"', page.text)
    if not match:
        raise LoadError("The dashboard links to no stylesheet")
    response = await client.get(unescape(match[1]))
    if response.status_code != 200:
        raise LoadError(
            f"The stylesheet {match[1]} answered {response.status_code}: static files are not served"
        )
    return {"url": match[1], "status": response.status_code, "bytes": len(response.content)}


def _error_detail(response: httpx.Response) -> str:
    """A short reason: the GOV.UK error summary of a form, a problem's detail, or where it redirected."""
    if response.is_redirect:
        return f"{response.status_code} to {response.headers.get('Location')}"
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', response.text, re.S)
    if summary:
        return f"{response.status_code}: " + " ".join(re.sub(r"<[^>]+>", " ", summary[1]).split())
    return f"{response.status_code}: {' '.join(response.text[:200].split())}"


ANALYST = "opcc"


def _by(response: httpx.Response) -> str:
    return response.headers.get(SERVED_BY, "")


async def scale_out_check(*, base_url: str, password: str, end: date, days: int = 100) -> dict:
    """Behind the proxy, which shares requests out in turn with nothing sticky: that signing in
    (a CSRF token from one server posted to another), a session and a report file made in the
    background work whichever server answers. Each part lists the servers that took part; `ok`
    when every request succeeded and more than one server answered each part."""
    async with httpx.AsyncClient(base_url=base_url, timeout=300) as client:
        sign_ins = []
        for _ in range(4):
            client.cookies.clear()
            form = await client.get("/accounts/login/")
            answer = await client.post(
                "/accounts/login/",
                data={**FormFields(form.text).fields, "username": OFFICER, "password": password},
                follow_redirects=False,
            )
            sign_ins.append((answer.status_code == 302, _by(form), _by(answer)))
        pages = [await client.get("/dashboard/") for _ in range(6)]

        client.cookies.clear()
        await sign_in(client, ANALYST, password)
        start = end - timedelta(days=days - 1)
        query = {"format": "csv", "audience": "evaluation"}  # the analyst's default is the published one
        for name, day in (("start", start), ("end", end)):
            query |= {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}
        made = await client.get("/reports/download/", params=query, follow_redirects=False)
        detail = made.headers.get("Location", "")
        file_answers: list[httpx.Response] = []
        if made.status_code == 302 and "/reports/exports/" in detail:
            for _ in range(120):  # the task runs after the request commits: eagerly without Redis
                if "/file/" in (await client.get(detail)).text:
                    break
                await asyncio.sleep(1)
            file_answers = [await client.get(f"{detail}file/") for _ in range(4)]
    sign_in_servers = sorted({server for _ok, *pair in sign_ins for server in pair})
    crossed = sum(1 for _ok, form_by, post_by in sign_ins if form_by != post_by)
    parts: dict = {
        "sign_in": {
            "requests": len(sign_ins) * 2,
            "succeeded": sum(1 for ok, *_ in sign_ins if ok) * 2,
            "servers": sign_in_servers,
            "token_from_another_server": crossed,
        },
        "session": {
            "requests": len(pages),
            "succeeded": sum(1 for page in pages if page.status_code == 200),
            "servers": sorted({_by(page) for page in pages}),
        },
        "report_file": {
            "period_days": days,
            "requested_on": _by(made),
            "requests": len(file_answers),
            "succeeded": sum(1 for answer in file_answers if answer.status_code == 200 and answer.content),
            "servers": sorted({_by(answer) for answer in file_answers}),
        },
    }
    ok = all(
        part["requests"] and part["succeeded"] == part["requests"] and len(part["servers"]) > 1
        for part in parts.values()
    )
    parts["ok"] = ok
    return parts
