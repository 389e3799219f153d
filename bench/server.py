"""Gunicorn on loopback for the length of the load, stopped whatever happens."""

import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench.database import PROJECT_DIR

LOG = PROJECT_DIR / ".data" / "bench" / "gunicorn.log"


class ServerError(Exception):
    pass


@contextmanager
def gunicorn(*, env: dict, port: int, workers: int, threads: int, start_timeout: float = 60):
    """Serve the app on 127.0.0.1:`port` and yield its base URL; stopped on leaving, even on error.
    More than one thread a worker uses gunicorn's gthread worker, which also keeps connections alive."""
    base_url = f"http://127.0.0.1:{port}"
    if _healthy(base_url):
        raise ServerError(f"Something already answers at {base_url}: stop it or pass another --port.")
    LOG.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "gunicorn", "iom_housing.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads)]
    command += ["--worker-class", "gthread" if threads > 1 else "sync", "--timeout", "120"]
    command += ["--no-control-socket"]  # its default path is shared by every gunicorn on the machine
    with LOG.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_until_healthy(base_url, process, start_timeout)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _healthy(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _wait_until_healthy(base_url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"gunicorn stopped at start-up (exit {process.returncode}):\n{_log_tail()}")
        if _healthy(base_url):
            return
        time.sleep(0.5)
    raise ServerError(f"gunicorn did not answer {base_url}/healthz within {timeout:.0f} s:\n{_log_tail()}")


def _log_tail(lines: int = 30) -> str:
    return "\n".join(Path(LOG).read_text(errors="replace").splitlines()[-lines:])
