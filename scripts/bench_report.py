"""Benchmark (not a test): a year's evaluation report over 100,000 placements and 1,000,000 visits,
seeded into a database of its own, timing each format.

    .venv/bin/python scripts/bench_report.py postgres://postgres@127.0.0.1:5432/iom_bench

The database is created (and migrated and seeded) when missing; an existing one is reused, so a
second run times the report only. Seeding uses INSERT … SELECT generate_series: no Python loop.
"""

import os
import sys
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PROPERTIES, BEDSPACES_EACH, PLACEMENTS_EACH = 250, 4, 100  # 1,000 bedspaces × 100 = 100,000 stays
STAY_DAYS, GAP_DAYS, VISITS_EACH = 9, 2, 10  # 100,000 × 10 = 1,000,000 visits
FIRST_DAY = date(2023, 1, 2)


def ensure_database(url: str) -> bool:
    """Create the database if missing; True when it was created (so it needs seeding)."""
    import psycopg2

    parts = urlparse(url)
    admin = psycopg2.connect(url.replace(parts.path, "/postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [parts.path.lstrip("/")])
        if cursor.fetchone():
            return False
        cursor.execute(f'CREATE DATABASE "{parts.path.lstrip("/")}"')
    return True


SEED = f"""
INSERT INTO agencies_agency (name, code, kind, email, phone, active, created_at, updated_at)
SELECT 'Agency ' || i, 'agency-' || i, 'probation', '', '', true, now(), now() FROM generate_series(1, 5) i;

INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
VALUES ('!', false, 'bench', '', '', '', false, true, now());

INSERT INTO placements_property (name, address_line_1, address_line_2, town, postcode, local_authority, provider,
  weekly_cost, restriction, accessible, turnaround_days, notes, active, created_at, updated_at)
SELECT 'Property ' || i, i || ' High Street', '', 'Town', 'SY23 1AA',
  (ARRAY['Ceredigion', 'Powys', 'Carmarthenshire', 'Pembrokeshire'])[1 + i % 4], 'Provider',
  150, 'none', false, 0, '', true, now(), now()
FROM generate_series(1, {PROPERTIES}) i;

INSERT INTO placements_bedspace (property_id, label, active, created_at, updated_at)
SELECT p.id, 'Flat ' || j, true, now(), now() FROM placements_property p, generate_series(1, {BEDSPACES_EACH}) j;

INSERT INTO referrals_offender (public_id, first_name, last_name, aliases, date_of_birth, gender, ethnicity, pnc_id,
  crn, prison_number, iom_category, risk_of_serious_harm, licence_conditions, needs, safety_warnings,
  created_at, updated_at)
SELECT gen_random_uuid(), 'First' || i, 'Last' || i, '{{}}', DATE '1970-01-01' + (i % 12000),
  (ARRAY['male', 'female'])[1 + i % 2], (ARRAY['white_british', 'asian_indian', 'not_stated'])[1 + i % 3],
  '', '', '', 'fixed', 'medium', '', ARRAY['accommodation', 'drugs'], '', now(), now()
FROM generate_series(1, {PROPERTIES * BEDSPACES_EACH * PLACEMENTS_EACH}) i;

-- Stay k on bedspace b: arrives FIRST_DAY + k × (stay + gap) days; one person per stay.
INSERT INTO placements_placement (public_id, offender_id, bedspace_id, status, starts_on, ends_on, free_from,
  arrived_on, departed_on, departure_reason, destination, cancellation_reason, notes, created_at, updated_at)
SELECT gen_random_uuid(), o.id, b.id, 'ended', d, d + {STAY_DAYS}, d + {STAY_DAYS}, d, d + {STAY_DAYS},
  'planned_move_on', (ARRAY['social_rent', 'temporary', 'custody', 'unknown'])[1 + k % 4], '', '', now(), now()
FROM (SELECT b.id, row_number() OVER (ORDER BY b.id) - 1 AS n FROM placements_bedspace b) b,
     generate_series(0, {PLACEMENTS_EACH} - 1) k,
     LATERAL (SELECT DATE '{FIRST_DAY}' + k * {STAY_DAYS + GAP_DAYS} AS d) dd,
     LATERAL (SELECT id FROM referrals_offender WHERE id = (SELECT MIN(id) FROM referrals_offender) + b.n * {PLACEMENTS_EACH} + k) o;

INSERT INTO placements_licenceterm (placement_id, number, starts_on, ends_on, reason, created_at)
SELECT id, 1, starts_on, starts_on + 28, '', now() FROM placements_placement;

INSERT INTO placements_supportplan (placement_id, tier, notes, created_at, updated_at)
SELECT id, 't1', '', now(), now() FROM placements_placement;

INSERT INTO agencies_homevisit (placement_id, agency_id, recorded_by_id, visited_at, kind, staff_names, outcome,
  drug_test, engagement, support_hours, concern_raised, concern, notes, created_at, updated_at)
SELECT p.id, (SELECT MIN(id) FROM agencies_agency) + j % 5, (SELECT MIN(id) FROM auth_user),
  (p.arrived_on + (j % {STAY_DAYS}))::timestamp + interval '10 hours', 'home', 'Staff', 'seen', '', 'good', 1, false,
  '', '', now(), now()
FROM placements_placement p, generate_series(1, {VISITS_EACH}) j;

INSERT INTO referrals_offenderevent (offender_id, kind, occurred_on, offence_category, notes, created_at, updated_at)
SELECT p.offender_id, 'arrest', p.arrived_on - 100 + (p.id % 200)::int, 'theft', '', now(), now()
FROM placements_placement p WHERE p.id % 3 = 0;
ANALYZE;
"""


def main(url: str) -> None:
    created = ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iom_housing.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if created:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(SEED)
        print(f"Seeded in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT COUNT(*) FROM placements_placement), (SELECT COUNT(*) FROM agencies_homevisit)"
        )
        placements, visits = cursor.fetchone()
    print(f"{placements:,} placements, {visits:,} visits")

    from reports.builder import build_report
    from reports.render import render_file

    start, end = date(2024, 1, 1), date(2024, 12, 31)
    today = date(2026, 1, 1)
    for audience in ("opcc", "officer"):
        began = time.perf_counter()
        report = build_report(start=start, end=end, audience=audience, today=today)
        built = time.perf_counter() - began
        print(f"{audience}: building the figures for {start} to {end}: {built:.2f} s")
        for fmt in ("html", "csv", "xlsx", "pdf"):
            began = time.perf_counter()
            content = render_file(report, fmt)
            print(
                f"  {fmt}: {time.perf_counter() - began:.2f} s to render ({len(content):,} bytes); "
                f"{built + time.perf_counter() - began:.2f} s in all"
            )
        if audience == "officer":
            break


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "postgres://postgres@127.0.0.1:5432/iom_wt7_bench")
