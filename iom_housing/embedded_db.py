"""Embedded PostgreSQL for machines with no database server (the `pgserver` package).

Used only when DATABASE_URL is unset. The server keeps its data under `.data/pg` in the
project folder and is shared by every process (runserver, manage.py, pytest) on the machine.
"""

from pathlib import Path


def embedded_database_url(data_dir: Path) -> str:
    import logging
    import os

    # pgserver logs at INFO before Django's logging is set up, and asks for a runtime dir.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    runtime_dir = data_dir.parent / "run"
    runtime_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime_dir))
    import pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None leaves the server running for the next command: starting it takes
    # about a second, and runserver's autoreloader would otherwise stop it under its child.
    server = pgserver.get_server(data_dir, cleanup_mode=None)
    return server.get_uri()
