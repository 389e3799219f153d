"""What docker-compose runs, checked here where Docker is not available: the file's shape, and
that the commands its services run start with this code base."""

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _env(**extra) -> dict:
    return {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": "deploy-test-key",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        **extra,
    }


def test_compose_has_postgres_redis_web_worker_and_one_beat():
    services = _compose()["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}
    assert services["postgres"]["image"] == "postgres:16"
    assert "shared_buffers=${POSTGRES_SHARED_BUFFERS:-1GB}" in services["postgres"]["command"]
    assert services["redis"]["image"] == "redis:7"
    assert services["beat"]["deploy"]["replicas"] == 1
    assert "migrate" in services["web"]["command"] and "gunicorn" in services["web"]["command"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and env["REDIS_URL"].startswith("redis://")
        assert "SECRET_KEY" in env


def test_gunicorn_loads_the_wsgi_application():
    result = subprocess.run(  # noqa: S603
        [BIN / "gunicorn", "--check-config", "iom_housing.wsgi:application"],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_celery_app_loads_with_redis_as_broker():
    result = subprocess.run(  # noqa: S603
        [BIN / "celery", "--app", "iom_housing", "report"],
        cwd=ROOT,
        env=_env(REDIS_URL="redis://redis:6379/0"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "CELERY_BROKER_URL: 'redis://redis:6379/0'" in result.stdout
    assert "CELERY_TASK_ALWAYS_EAGER: False" in result.stdout


def test_check_deploy_passes_with_production_settings():
    result = subprocess.run(  # noqa: S603
        [BIN / "python", "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_env(
            SECRET_KEY="a-production-like-secret-key-" + "x" * 40,
            ALLOWED_HOSTS="iom.example.org",
            CSRF_TRUSTED_ORIGINS="https://iom.example.org",
            BEHIND_TLS_PROXY="true",
            SECURE_SSL_REDIRECT="true",
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_every_file_the_built_assets_name_is_there_for_collectstatic():
    """The image's collectstatic (manifest storage) fails on a reference to a missing file, such as
    a script's source map; checking the references here is much faster than collecting."""
    build = ROOT / "static" / "build"
    for script in build.glob("*.js"):
        for name in re.findall(r"sourceMappingURL=(\S+)", script.read_text()):
            assert (build / name).is_file(), f"{script.name} names {name}, which is not built"
