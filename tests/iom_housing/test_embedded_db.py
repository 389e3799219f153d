"""The embedded PostgreSQL (iom_housing/embedded_db.py) in folders of its own: first start, starts
racing each other, and the states a killed process or server leaves, each repaired or explained.

Every server here is started from a copy of one cluster made once for the module, so only the two
tests of the first start run initdb; each server is stopped when its test ends. The kill check of
the whole project (runserver and commands) is scripts/embedded_db_kill_check.py, run by .ci/run.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from iom_housing.embedded_db import DATABASE, EmbeddedDatabaseError, EmbeddedPostgres

PROJECT_DIR = Path(__file__).resolve().parents[2]
EXTENSIONS = {"pg_trgm", "unaccent", "btree_gist"}

pytestmark = pytest.mark.embedded_db


def _query(server: EmbeddedPostgres, sql: str, database: str = DATABASE) -> list[tuple]:
    with psycopg2.connect(host=str(server.socket_dir), port=5432, user="postgres", dbname=database) as conn:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall() if cursor.description else []


def _kill_server(server: EmbeddedPostgres) -> None:
    """SIGKILL to the server and every backend, as a supervisor stopping a control group does."""
    pid = int((server.pgdata / "postmaster.pid").read_text().split()[0])
    pgrep = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)  # noqa: S603, S607
    for each in [pid, *map(int, pgrep.stdout.split())]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(each, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def _start_in_subprocess(directory: Path) -> subprocess.Popen:
    code = (
        "import sys; from pathlib import Path; from iom_housing.embedded_db import embedded_database_url; "
        "print(embedded_database_url(Path(sys.argv[1])))"
    )
    return subprocess.Popen(  # noqa: S603 - our interpreter
        [sys.executable, "-c", code, str(directory)],
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _stop(server: EmbeddedPostgres) -> None:
    try:
        server.stop()
    except EmbeddedDatabaseError:
        _kill_server(server)


def _folder() -> Path:
    """A temporary folder outside pytest's: run as root, the server runs as another user, and every
    pytest session starting on the machine closes pytest's folders to others again (chmod 700)."""
    return Path(tempfile.mkdtemp(prefix="iom-embedded-test-"))


@pytest.fixture
def folder():
    made = _folder()
    yield made
    shutil.rmtree(made, ignore_errors=True)


@pytest.fixture(scope="module")
def template():
    """A cluster made once (initdb, never started), copied by each test that needs a server."""
    parent = _folder()
    directory = parent / "db"
    made = EmbeddedPostgres(directory)
    with made._lock():
        made._ensure_cluster()
    yield made.pgdata
    shutil.rmtree(parent, ignore_errors=True)


@pytest.fixture
def server(folder, template):
    directory = folder / "db"
    directory.mkdir()
    # cp -a keeps the owner: run as root, the cluster belongs to the server's user.
    subprocess.run(["cp", "-a", str(template), str(directory / "data")], check=True)  # noqa: S603, S607
    made = EmbeddedPostgres(directory)
    yield made
    _stop(made)


def test_concurrent_first_starts_make_one_cluster_with_contrib_and_share_its_server(folder):
    directory = folder / "db"
    starts = [_start_in_subprocess(directory) for _ in range(4)]
    outputs = [start.communicate(timeout=180) for start in starts]
    server = EmbeddedPostgres(directory)
    try:
        assert [start.returncode for start in starts] == [0, 0, 0, 0], outputs
        assert {out.strip() for out, _ in outputs} == {server.url()}
        available = _query(server, "SELECT name FROM pg_available_extensions")
        assert {name for (name,) in available} >= EXTENSIONS
        assert len(list(directory.glob("data.init-*"))) == 0
    finally:
        _stop(server)


def test_a_first_start_killed_in_initdb_leaves_no_half_made_cluster(folder):
    directory = folder / "db"
    start = _start_in_subprocess(directory)
    deadline = time.monotonic() + 60
    while not list(directory.glob("data.init-*/PG_VERSION")):
        assert time.monotonic() < deadline and start.poll() is None, start.communicate()
        time.sleep(0.01)
    os.killpg(start.pid, signal.SIGKILL)  # the process and its initdb
    start.wait()
    server = EmbeddedPostgres(directory)
    try:
        assert not server.pgdata.exists()  # the half-made cluster is aside, never in place
        server.ensure_running()
        assert _query(server, "SELECT current_database()") == [(DATABASE,)]
        assert list(directory.glob("data.init-*")) == []
    finally:
        _stop(server)


def test_a_killed_server_is_started_again_with_its_data(server):
    server.ensure_running()
    _query(server, "CREATE TABLE kept (marker text); INSERT INTO kept VALUES ('kept-7f3a')")
    _kill_server(server)
    assert (server.pgdata / "postmaster.pid").exists()  # left behind by the kill
    server.ensure_running()
    assert _query(server, "SELECT marker FROM kept") == [("kept-7f3a",)]


def test_a_stale_postmaster_pid_naming_another_live_process_is_cleared(server):
    server.ensure_running()
    server.stop()
    # After a reboot or in a container, a killed server's pid is often some other process's:
    # PostgreSQL alone then refuses to start ("Is another postmaster running?").
    other = subprocess.Popen(["sleep", "60"])  # noqa: S603, S607
    try:
        (server.pgdata / "postmaster.pid").write_text(
            f"{other.pid}\n{server.pgdata}\n1700000000\n5432\n{server.socket_dir}\n\n  1234  5678\nready   \n"
        )
        server.ensure_running()
        assert _query(server, "SELECT 1") == [(1,)]
    finally:
        other.kill()
        other.wait()


def test_an_empty_postmaster_pid_left_by_a_server_killed_as_it_started_is_cleared(server):
    server.ensure_running()
    server.stop()
    (server.pgdata / "postmaster.pid").write_text("")
    server.ensure_running()
    assert _query(server, "SELECT 1") == [(1,)]


def test_leftovers_of_a_killed_initdb_beside_a_cluster_are_removed(server):
    leftover = server.dir / "data.init-abc123"
    (leftover / "base").mkdir(parents=True)
    (leftover / "PG_VERSION").write_text("18\n")
    server.ensure_running()
    assert not leftover.exists()


def test_a_data_folder_changed_by_hand_is_explained_not_deleted(tmp_path):
    server = EmbeddedPostgres(tmp_path / "db")
    server.pgdata.mkdir(parents=True)
    (server.pgdata / "notes.txt").write_text("someone's file")
    with pytest.raises(EmbeddedDatabaseError, match="not a complete PostgreSQL data folder.*make db-reset"):
        server.ensure_running()
    assert (server.pgdata / "notes.txt").exists()


def test_a_cluster_of_another_major_version_is_explained(server):
    (server.pgdata / "PG_VERSION").write_text("16\n")
    with pytest.raises(EmbeddedDatabaseError, match="made by PostgreSQL 16.*make db-reset"):
        server.ensure_running()


def test_manage_py_explains_a_broken_embedded_database_without_a_traceback(tmp_path):
    pgdata = tmp_path / "db" / "data"
    pgdata.mkdir(parents=True)
    (pgdata / "notes.txt").write_text("not a cluster")
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(EMBEDDED_DB_DIR=str(tmp_path / "db"), DEBUG="1")
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "The embedded PostgreSQL cannot start" in done.stderr and "make db-reset" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.django_db
def test_the_schema_has_the_same_extensions_and_trigram_indexes_in_every_environment():
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension")
        assert {name for (name,) in cursor.fetchall()} >= EXTENSIONS
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'referrals_offender'")
        indexes = {name for (name,) in cursor.fetchall()}
    assert {
        "offender_first_folded_trgm_idx",
        "offender_last_folded_trgm_idx",
        "offender_aliases_folded_trgm_idx",
    } <= indexes
