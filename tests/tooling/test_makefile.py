"""What the Makefile's targets would run (`make -n`: printed, not run)."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _dry_run(*args: str) -> list[str]:
    make = ["make", "-n", *args]
    done = subprocess.run(make, cwd=ROOT, capture_output=True, text=True, check=True)  # noqa: S603, S607
    return done.stdout.splitlines()


def test_demo_links_its_emails_to_the_address_it_serves():
    lines = [line for line in _dry_run("demo", "HOST=127.0.0.1", "PORT=8101") if "manage.py" in line]
    for command in ("seed_demo", "run_sweeps", "runserver 127.0.0.1:8101"):
        [line] = [line for line in lines if command in line]
        assert "SITE_URL=http://127.0.0.1:8101 " in line


def test_pdf_libs_installs_pango_alone():
    recipe = "\n".join(_dry_run("pdf-libs"))
    assert "libpango-1.0-0" in recipe
    assert "poppler" not in recipe


def test_lint_runs_the_hooks_ci_runs():
    """`make lint` and .ci/run both run the pre-commit hooks, which are local (nothing fetched)."""
    assert ".venv/bin/pre-commit run --all-files" in "\n".join(_dry_run("lint"))
    assert ".venv/bin/pre-commit run --all-files" in (ROOT / ".ci" / "run").read_text()
    config = (ROOT / ".pre-commit-config.yaml").read_text()
    assert "repo: local" in config and "repo: http" not in config
    for hook in ("id: ruff", "id: ruff-format", "id: djlint", "id: mypy"):
        assert hook in config


def test_demo_and_test_compile_the_welsh_catalogues_which_are_not_committed():
    for target in ("demo", "test"):
        assert any("manage.py compilemessages --locale cy" in line for line in _dry_run(target)), target
    assert "python manage.py compilemessages --locale cy" in (ROOT / "Dockerfile").read_text()
    assert "*.mo" in (ROOT / ".gitignore").read_text().splitlines()
    assert "COPY locale locale" in (ROOT / "Dockerfile").read_text()


def test_messages_gathers_both_welsh_catalogues_dropping_what_is_no_longer_used():
    lines = [line for line in _dry_run("messages") if "makemessages" in line]
    assert [line.rsplit("--domain ", 1)[1] for line in lines] == ["django", "djangojs"]
    for line in lines:
        assert "--locale cy --no-obsolete" in line
        for ignored in (".venv", "node_modules", "static/build"):
            assert f"--ignore {ignored}" in line
