"""What docker-compose runs, checked here where Docker is not available: the file's shape, and
that the commands its services run start with this code base."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings as project_settings
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
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
        # REDIS_URL: one cache for every worker, which the API throttle counts in (iom_housing.checks).
        assert env["DATABASE_URL"].startswith("postgres://") and env["REDIS_URL"].startswith("redis://")
        assert "SECRET_KEY" in env
        # The evaluation version's pseudonyms need their own secret (iom_housing.E010).
        assert "REPORT_PSEUDONYM_KEY" in env


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


# What a production deployment sets (docker-compose's variables behind a TLS proxy); everything
# else is left at its default.
PRODUCTION = {
    "SECRET_KEY": "a-production-like-secret-key-" + "x" * 40,
    "ALLOWED_HOSTS": "iom.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://iom.example.org",
    "BEHIND_TLS_PROXY": "true",
    "REDIS_URL": "redis://redis:6379/0",
    "REPORT_PSEUDONYM_KEY": "a-production-like-pseudonym-key-" + "y" * 40,
}


def _manage(*args: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [BIN / "python", "manage.py", *args],
        cwd=ROOT,
        env=_env(**env),
        capture_output=True,
        text=True,
        check=False,
    )


def _check_deploy(**env) -> subprocess.CompletedProcess:
    return _manage("check", "--deploy", "--fail-level", "WARNING", **env)


def _setting(name: str, **env) -> str:
    result = _manage("shell", "-c", f"from django.conf import settings; print(settings.{name})", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]  # after shell's note of what it imported


def test_check_deploy_passes_with_production_settings():
    result = _check_deploy(**PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_without_a_pseudonym_key_of_its_own():
    result = _check_deploy(**{**PRODUCTION, "REPORT_PSEUDONYM_KEY": "too-short"})
    assert result.returncode != 0 and "iom_housing.E010" in result.stderr


def test_production_redirects_to_https_by_default():
    assert _setting("SECURE_SSL_REDIRECT", **PRODUCTION) == "True"
    assert _setting("SECURE_SSL_REDIRECT", **PRODUCTION, DEBUG="1") == "False"


def test_a_proxy_that_redirects_itself_turns_the_redirect_off_and_passes_the_check():
    assert _setting("SECURE_SSL_REDIRECT", **PRODUCTION, TLS_PROXY_REDIRECTS="true") == "False"
    result = _check_deploy(**PRODUCTION, TLS_PROXY_REDIRECTS="true")
    assert result.returncode == 0, result.stdout + result.stderr
    # Turned off without saying why, the redirect's absence is still warned about.
    result = _check_deploy(**PRODUCTION, SECURE_SSL_REDIRECT="false")
    assert result.returncode != 0 and "security.W008" in result.stderr


def test_a_redirecting_proxy_must_be_a_trusted_tls_proxy():
    result = _manage("check", **{**PRODUCTION, "BEHIND_TLS_PROXY": "false", "TLS_PROXY_REDIRECTS": "true"})
    assert result.returncode != 0 and "set BEHIND_TLS_PROXY=true" in result.stderr


def test_check_deploy_fails_without_a_cache_the_workers_share():
    """Each gunicorn worker's own cache would let a client through the API throttle once a worker."""
    without_redis = {key: value for key, value in PRODUCTION.items() if key != "REDIS_URL"}
    result = _check_deploy(**without_redis)
    assert result.returncode != 0
    assert "iom_housing.E001" in result.stderr and "REDIS_URL" in result.stderr


def test_the_shared_cache_check_names_per_process_caches_only(settings):
    from iom_housing.checks import check_shared_cache

    settings.DEBUG = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [error.id for error in check_shared_cache()] == ["iom_housing.E001"]
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}
    }
    assert check_shared_cache() == []
    settings.DEBUG = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert check_shared_cache() == []


@pytest.mark.django_db
def test_plain_http_is_redirected_but_the_health_check_answers_a_load_balancer(settings):
    settings.SECURE_SSL_REDIRECT = True  # read when a new client builds its middleware
    http = Client()
    response = http.get("/accounts/login/")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert http.get("/healthz").status_code == 200


def test_every_file_the_built_assets_name_is_there_for_collectstatic():
    """The image's collectstatic (manifest storage) fails on a reference to a missing file, such as
    a script's source map; checking the references here is much faster than collecting."""
    build = ROOT / "static" / "build"
    for script in build.glob("*.js"):
        for name in re.findall(r"sourceMappingURL=(\S+)", script.read_text()):
            assert (build / name).is_file(), f"{script.name} names {name}, which is not built"


def test_the_image_holds_every_package_of_the_project():
    """The Dockerfile copies folder by folder: an app left out (outbox and demo once were) makes
    an image that cannot start."""
    copied = set(re.findall(r"^COPY (\S+) \1$", (ROOT / "Dockerfile").read_text(), flags=re.M))
    pyproject = (ROOT / "pyproject.toml").read_text()
    include = re.search(r"^include = \[(.*)\]$", pyproject, flags=re.M).group(1)
    packages = {name.rstrip("*") for name in re.findall(r'"([^"]+)"', include)}
    local_apps = {app for app in project_settings.INSTALLED_APPS if (ROOT / app).is_dir()}
    assert local_apps <= packages, "an installed app is not a package pyproject.toml installs"
    assert packages <= copied, f"the Dockerfile does not copy {sorted(packages - copied)}"
