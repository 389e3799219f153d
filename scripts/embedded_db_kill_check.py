"""Kill check of the embedded PostgreSQL (issue 14; `.ci/run` runs it): with no DATABASE_URL, serve
with runserver, start three management commands, send TERM to them all and KILL a second later, as
terminals and supervisors stop processes; then the next commands must work. Five rounds on a data
folder of its own (EMBEDDED_DB_DIR in a temporary folder), the first from nothing, so that kills
land in initdb, in a start, in migrations and while serving; two rounds also kill the server
itself with all its processes, as a supervisor stopping a whole control group does.

    .venv/bin/python scripts/embedded_db_kill_check.py [--rounds 5]

Exit status 0 when the database was usable after every round, 1 otherwise.
"""

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
QUERY = (
    "from django.db import connection\n"
    "with connection.cursor() as cursor:\n"
    "    cursor.execute('SELECT count(*) FROM django_migrations')\n"
    "    print('migrations applied:', cursor.fetchone()[0])"
)
COMMANDS = [
    ["check"],
    ["migrate", "--no-input"],
    ["shell", "-c", "from django.db import connection; connection.ensure_connection()"],
]
# (server killed before the round, wait until runserver answers before starting the commands,
#  seconds before TERM, server killed with the KILL)
ROUNDS = [
    (False, False, 1.5, False),  # a fresh folder: killed in the first start (initdb) or first migrate
    (False, True, 0.5, False),  # serving; the commands still starting up
    (False, True, 2.0, True),  # migrations running; the server and its backends killed too
    (True, False, 1.0, False),  # all four racing to start a killed server (stale postmaster.pid)
    (False, True, 3.0, True),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        # A session of its own, as a terminal job is: the TERM and KILL go to its whole group.
        return subprocess.Popen(  # noqa: S603 - our interpreter and manage.py
            [PYTHON, "manage.py", *args],
            cwd=PROJECT_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def serving(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def signal_groups(processes: list[subprocess.Popen], signum: int) -> None:
    for process in processes:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signum)


def kill_server(pgdata: Path) -> int:
    """KILLs every process working in the data folder (the server and its backends), or on a system
    without /proc the server alone."""
    if not Path("/proc").is_dir():
        try:
            os.kill(int((pgdata / "postmaster.pid").read_text().split()[0]), signal.SIGKILL)
            return 1
        except (OSError, ValueError, IndexError):
            return 0
    killed = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.readlink(entry / "cwd") == str(pgdata):
                os.kill(int(entry.name), signal.SIGKILL)
                killed += 1
        except OSError:
            pass
    return killed


def run_round(
    number: int, plan: tuple[bool, bool, float, bool], env: dict, pgdata: Path, logs: Path
) -> float:
    kill_first, wait_for_server, delay, kill_the_server = plan
    log = logs / f"round-{number}.log"
    first = f" (its server KILLed first: {kill_server(pgdata)} processes)" if kill_first else ""
    port = free_port()
    processes = [start(["runserver", "--noreload", f"127.0.0.1:{port}"], env, log)]
    if wait_for_server:
        deadline = time.monotonic() + 120
        while not serving(port):
            if processes[0].poll() is not None or time.monotonic() > deadline:
                raise CheckFailed(f"round {number}: runserver did not serve", log)
            time.sleep(0.1)
    processes += [start(command, env, log) for command in COMMANDS]
    time.sleep(delay)
    signal_groups(processes, signal.SIGTERM)
    time.sleep(1)
    signal_groups(processes, signal.SIGKILL)
    for process in processes:
        process.wait()
    server = f", and the server's {kill_server(pgdata)} processes" if kill_the_server else ""
    started = time.monotonic()
    for args in (["migrate", "--no-input"], ["shell", "-c", QUERY]):
        done = subprocess.run(  # noqa: S603 - our interpreter and manage.py
            [PYTHON, "manage.py", *args],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            log.write_text(log.read_text(errors="replace") + done.stdout + done.stderr)
            raise CheckFailed(
                f"round {number}: `manage.py {args[0]}` failed after the kill (exit {done.returncode})", log
            )
    elapsed = time.monotonic() - started
    print(
        f"round {number}{first}: TERM then KILL to runserver and {len(COMMANDS)} commands after {delay} s"
        f"{' of serving' if wait_for_server else ''}{server}; the next migrate and query worked ({elapsed:.1f} s)",
        flush=True,
    )
    return elapsed


class CheckFailed(Exception):
    def __init__(self, message: str, log: Path):
        super().__init__(message)
        self.log = log


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=len(ROUNDS))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="iom-kill-check-"))
    data_dir = work / "db"
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env.update({"EMBEDDED_DB_DIR": str(data_dir), "DEBUG": "1", "REQUIRE_2FA": "0", "PYTHONUNBUFFERED": "1"})
    pgdata = data_dir / "data"
    failed = None
    try:
        for number in range(1, args.rounds + 1):
            run_round(number, ROUNDS[(number - 1) % len(ROUNDS)], env, pgdata, work)
    except CheckFailed as error:
        failed = error
        print(f"FAILED: {error}", file=sys.stderr)
        print(error.log.read_text(errors="replace")[-6000:], file=sys.stderr)
        server_log = pgdata / "server.log"
        if server_log.exists():
            print(
                f"--- {server_log} (end)\n{server_log.read_text(errors='replace')[-3000:]}", file=sys.stderr
            )
    finally:
        subprocess.run(  # noqa: S603 - our interpreter and module
            [PYTHON, "-m", "iom_housing.embedded_db", "stop"],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            check=False,
        )
        shutil.rmtree(work, ignore_errors=True)
    if failed:
        return 1
    print(f"Kill check passed: the embedded database was usable after each of {args.rounds} rounds.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
