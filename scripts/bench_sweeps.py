"""Benchmark the alert sweeps on 100,000 placements.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iom_bench .venv/bin/python scripts/bench_sweeps.py

It needs a database of its own: the name must contain "bench" (it is created if missing, migrated,
and its tables emptied before seeding). It seeds 5,000 bedspaces with 20 placements each (a
history of ended and cancelled stays, then a current one: active, some overrun or ending soon,
or booked), support plans and weekly visits for the active ones, two visits for each past stay,
and open referrals; then it times each sweep twice: the first run raises the alerts, the second
finds nothing to do (a sweep is idempotent). Options: --placements N (a multiple of 20).
"""

import argparse
import os
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iom_housing.settings")
os.environ.setdefault("DEBUG", "1")

PER_BEDSPACE = 20


def ensure_database(url: str) -> None:
    import psycopg2

    name = urlparse(url).path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"DATABASE_URL names {name!r}: use a database of its own with 'bench' in its name.")
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def seed(n_placements: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from agencies.models import Agency, HomeVisit
    from placements.models import Bedspace, Placement, Property, SupportAgency, SupportPlan
    from referrals.models import Offender, Referral

    S = Placement.Status
    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE placements_alertnotice, placements_alert, placements_jobrun, "
            "agencies_homevisit_other_agencies, agencies_homevisit, placements_supportagency, "
            "placements_supportplan, placements_licenceterm, placements_placement, placements_bedspace, "
            "placements_property, referrals_referral, referrals_offender, agencies_agency CASCADE"
        )
    with transaction.atomic():
        agencies = Agency.objects.bulk_create(
            [Agency(name=f"Agency {i}", code=f"A{i}", kind="probation") for i in range(4)]
        )
        user, _ = get_user_model().objects.get_or_create(username="bench")
        n_bedspaces = n_placements // PER_BEDSPACE
        properties = Property.objects.bulk_create(
            [
                Property(
                    name=f"Property {i}",
                    address_line_1=f"{i} High Street",
                    town="Aberystwyth",
                    postcode="SY23 1AA",
                    local_authority="Ceredigion",
                    provider="Housing association",
                    weekly_cost=200,
                )
                for i in range(n_bedspaces // 10)
            ]
        )
        bedspaces = Bedspace.objects.bulk_create(
            [Bedspace(property=properties[i // 10], label=f"Flat {i % 10}") for i in range(n_bedspaces)]
        )
        offenders = Offender.objects.bulk_create(
            [
                Offender(
                    first_name="Person",
                    last_name=f"{i}",
                    date_of_birth=date(1980, 1, 1) + timedelta(days=i % 9000),
                    gender="male",
                    ethnicity="white_british",
                    iom_category="fixed",
                    risk_of_serious_harm="medium",
                    licence_ends_on=today + timedelta(days=(i % 400) - 200),
                )
                for i in range(n_placements)
            ],
            batch_size=5000,
        )
        placements = []
        for b, bedspace in enumerate(bedspaces):
            kind = b % 20
            if kind < 12:  # active: arrived 1 to 40 days ago, so some overrun and some end soon
                current = ("active", today - timedelta(days=1 + b % 40))
            elif kind < 14:
                current = ("confirmed", today + timedelta(days=(b // 20) % 5 - 2))
            elif kind == 14:
                current = ("provisional", today + timedelta(days=1 - (b % 3)))
            else:
                current = ("ended", today - timedelta(days=5))
            for j in range(PER_BEDSPACE):
                back = PER_BEDSPACE - 1 - j
                starts_on = current[1] - timedelta(days=30 * back)
                ends_on = starts_on + timedelta(days=28)
                status = current[0] if back == 0 else (S.CANCELLED if j % 7 == 3 else S.ENDED)
                fields = {}
                if status in (S.ACTIVE, S.ENDED):
                    fields["arrived_on"] = starts_on
                if status == S.ENDED:
                    ends_on = starts_on + timedelta(days=27)
                    fields.update(
                        departed_on=ends_on, departure_reason="planned_move_on", destination="family"
                    )
                if status == S.CANCELLED:
                    fields["cancellation_reason"] = "Did not need it"
                placements.append(
                    Placement(
                        offender=offenders[b * PER_BEDSPACE + j],
                        bedspace=bedspace,
                        status=status,
                        starts_on=starts_on,
                        ends_on=ends_on,
                        free_from=ends_on + timedelta(days=2),
                        **fields,
                    )
                )
        placements = Placement.objects.bulk_create(placements, batch_size=5000)
        active = [p for p in placements if p.status == S.ACTIVE]
        plans = SupportPlan.objects.bulk_create([SupportPlan(placement=p) for p in active], batch_size=5000)
        SupportAgency.objects.bulk_create(
            [
                SupportAgency(support_plan=plan, agency=agencies[(i + k) % 4])
                for i, plan in enumerate(plans)
                for k in range(2)
            ],
            batch_size=5000,
        )
        visits = []
        for i, placement in enumerate(placements):
            if placement.status == S.ACTIVE:
                stop = today - timedelta(days=i % 12)  # some agencies stopped visiting: missed visits
                for k in range(2):
                    day = placement.arrived_on + timedelta(days=2 + k)
                    while day < stop:
                        visits.append((placement, agencies[(i // PER_BEDSPACE + k) % 4], day))
                        day += timedelta(days=7)
            elif placement.status == S.ENDED:
                for k in range(2):
                    visits.append((placement, agencies[k], placement.starts_on + timedelta(days=3 + 10 * k)))
        HomeVisit.objects.bulk_create(
            [
                HomeVisit(
                    placement=placement,
                    agency=agency,
                    recorded_by=user,
                    visited_at=timezone.make_aware(
                        datetime.combine(day, datetime.min.time()) + timedelta(hours=11)
                    ),
                    staff_names="Bench",
                    outcome="seen",
                )
                for placement, agency, day in visits
            ],
            batch_size=5000,
        )
        now = timezone.now()
        Referral.objects.bulk_create(
            [
                Referral(
                    offender=offenders[i * 30],
                    referring_agency=agencies[i % 4],
                    submitted_at=now - timedelta(hours=7 * i % 240),
                    status="submitted" if i % 2 else "in_review",
                )
                for i in range(n_placements // 30)
            ],
            batch_size=5000,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "placements": len(placements),
        "active": len(active),
        "visits": len(visits),
        "referrals": n_placements // 30,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--placements", type=int, default=100_000)
    parser.add_argument("--no-seed", action="store_true", help="Time the sweeps on the data already there.")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit("Set DATABASE_URL to a database for the benchmark, e.g. postgres://…/iom_bench")
    ensure_database(url)

    import django

    django.setup()
    from django.core.management import call_command

    from placements import sweeps
    from placements.models import Alert

    call_command("migrate", verbosity=0)
    if not args.no_seed:
        started = time.perf_counter()
        counts = seed(args.placements)
        print(f"Seeded {counts} in {time.perf_counter() - started:.1f} s")
    print(f"{'sweep':<22} {'first run':>10} {'second run':>11}  result")
    for name in sweeps.SWEEPS:
        timings = []
        for _ in range(2):
            started = time.perf_counter()
            result = sweeps.run_sweep(name)
            timings.append(time.perf_counter() - started)
            if len(timings) == 1:
                first = result
        print(f"{name:<22} {timings[0]:>9.2f}s {timings[1]:>10.2f}s  {first}; then {result}")
    print(f"Open alerts: {Alert.objects.filter(status=Alert.Status.OPEN).count()}")


if __name__ == "__main__":
    main()
