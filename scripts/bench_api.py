"""Benchmark: a sync client against 10,000 referrals, through the API in-process (no network).

    .venv/bin/python scripts/bench_api.py [--referrals 10000]

Uses its own database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/iom_bench_api),
made afresh each run. Prints seconds for: a full sync by cursor pages of 500, an incremental sync
after 100 changes, reading the whole events feed in pages of 500, and 100 unchanged upserts by
reference. Figures are printed, not asserted.

Measured on the 2-core development machine, 23 November 2026 (10,000 referrals):
    seeding                                      8.6 s
    full sync, 20 cursor pages of 500            2.5 s   (p50 page 85 ms)
    incremental sync after 100 changes           0.02 s
    events feed from the start, 21 pages of 500  1.5 s
    100 unchanged upserts by reference           2.0 s   (20 ms each)
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iom_bench_api")
os.environ["DATABASE_URL"] = URL
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iom_housing.settings")
os.environ.setdefault("API_THROTTLE_RATE", "1000000/minute")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")


def fresh_database() -> None:
    import psycopg2

    parts = urlparse(URL)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def seed(count: int):
    from django.utils import timezone

    from agencies.models import Agency
    from referrals.models import Ethnicity, Gender, Offender, Referral, ReferralEvent
    from tests.helpers import api_client_with_scopes

    agency = Agency.objects.create(name="Probation", code="probation", kind=Agency.Kind.PROBATION)
    people = Offender.objects.bulk_create(
        [
            Offender(
                first_name=f"Person{i}",
                last_name=f"Bench{i}",
                date_of_birth=date(1980, 1, 1) + timedelta(days=i % 7000),
                gender=Gender.values[i % len(Gender.values)],
                ethnicity=Ethnicity.values[i % len(Ethnicity.values)],
                pnc_id=f"2020/{i:07d}A",
                crn=f"B{i:06d}",
                iom_category=Offender.IomCategory.values[0],
                risk_of_serious_harm=Offender.RiskOfSeriousHarm.values[0],
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    now = timezone.now()
    referrals = Referral.objects.bulk_create(
        [
            Referral(
                offender=person,
                referring_agency=agency,
                external_ref=f"REF-{i:06d}",
                urgency=Referral.Urgency.ROUTINE,
                risk_summary="None known.",
                reason="Released without an address.",
                submitted_at=now - timedelta(minutes=count - i),
            )
            for i, person in enumerate(people)
        ],
        batch_size=2000,
    )
    ReferralEvent.objects.bulk_create(
        [
            ReferralEvent(
                referral=r, kind="submitted", occurred_at=r.submitted_at, data={"status": "submitted"}
            )
            for r in referrals
        ],
        batch_size=2000,
    )
    return api_client_with_scopes(agency), referrals


def timed(label: str, action) -> None:
    started = time.perf_counter()
    detail = action()
    print(f"{label:<58} {time.perf_counter() - started:7.2f} s   {detail}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--referrals", type=int, default=10_000)
    count = parser.parse_args().referrals

    fresh_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from bench.targets import upsert_body
    from referrals.models import Referral
    from tests.conftest import fetch_token

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    api_client, referrals = seed(count)
    print(f"seeded {count:,} referrals with their people and events in {time.perf_counter() - started:.1f} s")
    http = Client()
    token = fetch_token(http, api_client, "referrals:read referrals:write")
    http.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token['access_token']}"
    page_times: list[float] = []

    def sync(cursor=None) -> tuple[int, str | None]:
        seen = 0
        url = "/api/v1/referrals/?page_size=500" + (f"&cursor={cursor}" if cursor else "")
        while True:
            began = time.perf_counter()
            body = http.get(url).json()
            page_times.append(time.perf_counter() - began)
            seen += len(body["results"])
            cursor = body["cursor"]
            if not body["next"]:
                return seen, cursor
            url = body["next"]

    state = {}

    def full_sync():
        state["seen"], state["cursor"] = sync()
        return f"{state['seen']:,} referrals, {len(page_times)} pages, p50 page {statistics.median(page_times) * 1000:.0f} ms"

    timed("full sync, cursor pages of 500", full_sync)
    assert state["seen"] == count, state

    changed = [r.pk for r in referrals[:: max(1, count // 100)]][:100]
    Referral.objects.filter(pk__in=changed).update(updated_at=timezone.now())
    page_times.clear()

    def incremental():
        seen, _ = sync(state["cursor"])
        return f"{seen} changed referrals read back"

    timed("incremental sync after 100 changes", incremental)

    def feed():
        seen, after, pages = 0, None, 0
        from referrals import api

        api.EVENT_FEED_HORIZON = timedelta(0)
        while True:
            body = http.get(
                "/api/v1/referrals/events/", {"limit": 500, **({"after": after} if after else {})}
            ).json()
            pages += 1
            if not body["results"]:
                return f"{seen:,} events, {pages} pages"
            seen += len(body["results"])
            after = body["next_cursor"]

    timed("events feed from the start, pages of 500", feed)

    def upserts():
        answers = set()
        for referral in Referral.objects.select_related("offender")[:100]:
            body = upsert_body(referral)  # the referral as the case system holds it
            response = http.put(
                f"/api/v1/referrals/by-ref/{referral.external_ref}", body, content_type="application/json"
            )
            answers.add(response.status_code)
            if response.status_code != 200:
                raise SystemExit(response.content)
        return f"answers {sorted(answers)}"

    timed("100 unchanged upserts by reference", upserts)


if __name__ == "__main__":
    main()
