"""`python -m bench` (what `make bench` runs): prepare the benchmark database, serve the app with
gunicorn, drive it, time the sweeps and the report, print the figures against their budgets and
write them to bench/results/<UTC time>.json. See bench/README.md."""

import argparse
import asyncio
import os
import shlex
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

from bench import figures
from bench.database import PROJECT_DIR, DatabaseError, database_url
from bench.facts import machine_facts
from bench.load import LoadError, run, scale_out_check
from bench.server import ServerError, serve
from bench.targets import TargetError, pick_targets
from bench.timings import time_report, time_sweeps

API_CLIENT_ID = "demo-probation"  # made by seed_demo and seed_scale, with the demo password as secret


def arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--seed",
        default="seed_scale --offenders 100000",
        help="The manage.py command (with its options) that loads the data, run with DEBUG on; "
        "a second run on a loaded database does nothing. Default: %(default)s",
    )
    parser.add_argument("--concurrency", type=int, default=8, help="Requests in flight at once (default 8).")
    parser.add_argument(
        "--requests", type=int, default=200, help="Timed requests per endpoint (default 200)."
    )
    parser.add_argument("--warmup", type=int, default=20, help="Untimed requests first (default 20).")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (default 3).")
    parser.add_argument(
        "--threads", type=int, default=1, help="Threads per worker (default 1: sync workers)."
    )
    parser.add_argument(
        "--servers",
        type=int,
        default=1,
        help="gunicorn servers, each with --workers workers (default 1). More than one are served on "
        "the ports after --port, behind nginx on --port sharing requests out in turn, and the "
        "sign-in, a session and a report file are checked to work whichever server answers.",
    )
    parser.add_argument("--port", type=int, default=8029, help="Loopback port for gunicorn (default 8029).")
    args = parser.parse_args(argv)
    for name in ("concurrency", "requests", "workers", "threads", "servers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be 1 or more")
    return args


def server_environment(url: str) -> dict:
    """Production settings except where plain HTTP on loopback, and one client making thousands of
    calls, need otherwise; Server-Timing on; two-factor off, as for `make demo`."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SERVER_TIMING": "1",
        "REQUIRE_2FA": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "API_THROTTLE_RATE": "1000000/minute",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "iom_housing.settings",
    }
    env.setdefault("SECRET_KEY", "benchmark-only-key-for-a-loopback-server")
    env.setdefault("DB_CONN_MAX_AGE", "60")  # one connection a gunicorn worker, as docker-compose has
    return env


def manage(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=PROJECT_DIR, env=env, check=True)  # noqa: S603


def _stop(signum, frame):
    raise SystemExit(128 + signum)  # unwinds through `finally`, so gunicorn is stopped


def main(argv=None) -> int:
    args = arguments(argv)
    signal.signal(signal.SIGTERM, _stop)
    try:
        return benchmark(args)
    except (DatabaseError, TargetError, ServerError, LoadError) as error:
        print(f"make bench: {error}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as error:
        print(f"make bench: {shlex.join(error.cmd)} failed (exit {error.returncode})", file=sys.stderr)
        return 2


def benchmark(args: argparse.Namespace) -> int:
    started = datetime.now(UTC)
    url = database_url()
    env = server_environment(url)
    where = urlparse(url)
    print(f"Benchmark database: {where.path.lstrip('/')} on {where.hostname or 'the embedded server'}")
    manage("migrate", "--no-input", "--verbosity", "0", env=env)
    manage("collectstatic", "--no-input", "--verbosity", "0", env=env)
    print(f"Loading the data: manage.py {args.seed}")
    manage(*shlex.split(args.seed), env={**env, "DEBUG": "1"})

    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.utils import timezone

    today = timezone.localdate()
    targets = pick_targets(today=today, api_client_id=API_CLIENT_ID)
    print("Targets:", ", ".join(f"{count} {name}" for name, count in targets.counts().items()))
    servers = f"{args.servers} servers behind nginx, each " if args.servers > 1 else ""
    print(
        f"Serving with gunicorn ({servers}{args.workers} workers × {args.threads} threads); "
        f"{args.concurrency} concurrent, {args.requests} requests per endpoint after {args.warmup} to warm up"
    )
    scale_out = None
    with serve(
        env=env, port=args.port, servers=args.servers, workers=args.workers, threads=args.threads
    ) as base_url:
        load = asyncio.run(
            run(
                base_url=base_url,
                targets=targets,
                password=settings.DEMO_PASSWORD,
                api_client_id=API_CLIENT_ID,
                concurrency=args.concurrency,
                requests=args.requests,
                warmup=args.warmup,
            )
        )
        if args.servers > 1:
            print("Checking that signing in, a session and a report file work whichever server answers")
            scale_out = asyncio.run(
                scale_out_check(
                    base_url=base_url, password=settings.DEMO_PASSWORD, end=today - timedelta(days=1)
                )
            )
    print("Timing the sweeps and the one-year evaluation report")
    results = {
        "measured_at": started.isoformat(timespec="seconds"),
        "settings": {
            "seed": args.seed,
            "database": where.path.lstrip("/"),
            "concurrency": args.concurrency,
            "requests_per_endpoint": args.requests,
            "warmup_per_endpoint": args.warmup,
            "gunicorn": {"workers": args.workers, "threads": args.threads},
            "servers": args.servers,
        },
        "machine": machine_facts(),
        "targets": targets.counts(),
        **load,
        "scale_out": scale_out,
        "sweeps": time_sweeps(today=today),
        "report": time_report(today=today),
    }
    measured = [e for e in results["endpoints"] if not e.get("skipped")]
    results["within_budget"] = "{} of {}".format(*figures.budget_count(results))
    print_results(results, measured)
    path = figures.write_results(results, at=started)
    print(f"\nWritten to {path.relative_to(PROJECT_DIR)}")
    failed_scale_out = scale_out is not None and not scale_out["ok"]
    return 1 if any(e["errors"] for e in measured) or failed_scale_out else 0


def print_results(results: dict, measured: list[dict]) -> None:
    s = results["settings"]
    print(
        f"\nEndpoints: {s['concurrency']} concurrent, {s['requests_per_endpoint']} requests each "
        f"(gunicorn {s['gunicorn']['workers']} × {s['gunicorn']['threads']})"
    )
    print(figures.endpoint_table(measured))
    for line in figures.error_lines(measured):
        print(line)
    for e in results["endpoints"]:
        if e.get("skipped"):
            print(f"{e['endpoint']}: not measured, nothing in the database to ask for")
    if results["scale_out"] is not None:
        print(f"\nSeveral servers ({s['servers']}, behind nginx)")
        print(figures.scale_out_table(results["scale_out"]))
    print("\nSweeps")
    print(figures.sweep_table(results["sweeps"]))
    report = results["report"]
    print(f"\nEvaluation report (evaluation version), {report['start']} to {report['end']}, all areas")
    print(figures.report_table(report))
    rows = results["machine"]["rows"]
    print("\nRows: " + ", ".join(f"{label.split('.')[1]} {count:,}" for label, count in rows.items()))
    print(f"Within budget: {results['within_budget']}")


if __name__ == "__main__":
    sys.exit(main())
