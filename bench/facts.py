"""What the figures were measured on: the machine, PostgreSQL, the data's size and the code's commit."""

import os
import platform
import subprocess

from bench.database import PROJECT_DIR

# The main tables, by model label, counted exactly.
TABLES = [
    "referrals.Offender",
    "referrals.OffenderEvent",
    "referrals.Referral",
    "placements.Property",
    "placements.Bedspace",
    "placements.Placement",
    "placements.LicenceTerm",
    "alerts.Alert",
    "agencies.HomeVisit",
    "placements.LicenceAgreement",
    "placements.LicenceWarning",
    "moveon.MoveOnAction",
    "aftercare.Deposit",
    "aftercare.FollowUpCheck",
]


def machine_facts() -> dict:
    from django.apps import apps
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (postgres,) = cursor.fetchone()
    return {
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "python": platform.python_version(),
        "postgresql": postgres,
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "rows": {label: apps.get_model(label).objects.count() for label in TABLES},
    }


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=PROJECT_DIR, capture_output=True, text=True, check=True)  # noqa: S603, S607
        return done.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _memory_gib() -> float | None:
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None
    return round(pages * size / 2**30, 1)
