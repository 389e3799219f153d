"""Gunicorn on loopback for the length of the load, stopped whatever happens: one server, or
several behind a local nginx that shares the requests out in turn (`--servers`)."""

import os
import shutil
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

from bench.database import PROJECT_DIR

RUN_DIR = PROJECT_DIR / ".data" / "bench"
LOG = RUN_DIR / "gunicorn.log"
# The header the proxy adds to each answer: which server (its loopback address) gave it.
SERVED_BY = "X-Served-By"


class ServerError(Exception):
    pass


@contextmanager
def serve(*, env: dict, port: int, servers: int, workers: int, threads: int):
    """The app at 127.0.0.1:`port`: one gunicorn there, or `servers` of them on the next ports
    behind nginx there. Yields the base URL; everything is stopped on leaving, even on error."""
    if servers == 1:
        with gunicorn(env=env, port=port, workers=workers, threads=threads) as base_url:
            yield base_url
        return
    with ExitStack() as stack:
        upstreams = [
            stack.enter_context(
                gunicorn(
                    env=env,
                    port=port + n,
                    workers=workers,
                    threads=threads,
                    log=RUN_DIR / f"gunicorn-{n}.log",
                )
            )
            for n in range(1, servers + 1)
        ]
        yield stack.enter_context(nginx(port=port, upstreams=upstreams))


@contextmanager
def gunicorn(*, env: dict, port: int, workers: int, threads: int, start_timeout: float = 60, log: Path = LOG):
    """Serve the app on 127.0.0.1:`port` and yield its base URL; stopped on leaving, even on error.
    More than one thread a worker uses gunicorn's gthread worker, which also keeps connections alive."""
    base_url = f"http://127.0.0.1:{port}"
    if _healthy(base_url):
        raise ServerError(f"Something already answers at {base_url}: stop it or pass another --port.")
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "gunicorn", "iom_housing.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads)]
    command += ["--worker-class", "gthread" if threads > 1 else "sync", "--timeout", "120"]
    command += ["--no-control-socket"]  # its default path is shared by every gunicorn on the machine
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, cwd=PROJECT_DIR, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    with _stopped_on_leaving(process):
        _wait_until_healthy(base_url, process, start_timeout, log, "gunicorn")
        yield base_url


def nginx_config(*, port: int, upstreams: list[str], folder: Path, as_root: bool) -> str:
    """A reverse proxy on 127.0.0.1:`port` sharing requests out in turn between `upstreams`, as a
    load balancer in front of several web servers would: nothing sticky, so a session, a form's
    CSRF token or a report file made on one server must work on another. Each answer says which
    server gave it (SERVED_BY)."""
    servers = "\n".join(f"        server {url.removeprefix('http://')};" for url in upstreams)
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{"user root;" if as_root else ""}
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "nginx-error.log"} warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
{temp}
    upstream iom_housing {{
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 12m;
        location / {{
            proxy_pass http://iom_housing;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_read_timeout 120s;
            add_header {SERVED_BY} $upstream_addr always;
        }}
    }}
}}
"""


@contextmanager
def nginx(*, port: int, upstreams: list[str], start_timeout: float = 20):
    """nginx (Debian's) in front of `upstreams` on 127.0.0.1:`port`, in the foreground, with its
    configuration, pid and temporary files under .data/bench/nginx; stopped on leaving."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise ServerError("Several servers need nginx as their proxy: apt-get install nginx-light")
    base_url = f"http://127.0.0.1:{port}"
    if _healthy(base_url):
        raise ServerError(f"Something already answers at {base_url}: stop it or pass another --port.")
    folder = RUN_DIR / "nginx"
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "nginx.conf"
    config.write_text(nginx_config(port=port, upstreams=upstreams, folder=folder, as_root=os.geteuid() == 0))
    log = folder / "nginx.log"
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 - Debian's nginx and our own configuration
            [binary, "-p", str(folder), "-c", str(config), "-g", "daemon off;"],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    with _stopped_on_leaving(process):
        _wait_until_healthy(base_url, process, start_timeout, folder / "nginx-error.log", "nginx")
        yield base_url


@contextmanager
def _stopped_on_leaving(process: subprocess.Popen):
    try:
        yield
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


def _wait_until_healthy(
    base_url: str, process: subprocess.Popen, timeout: float, log: Path, name: str
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"{name} stopped at start-up (exit {process.returncode}):\n{_log_tail(log)}")
        if _healthy(base_url):
            return
        time.sleep(0.5)
    raise ServerError(f"{name} did not answer {base_url}/healthz within {timeout:.0f} s:\n{_log_tail(log)}")


def _log_tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""
