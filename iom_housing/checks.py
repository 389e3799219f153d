"""System checks for a production deployment (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Error, Tags, register

# Cache backends whose data lives in one process: each gunicorn worker would count on its own.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.caches, Tags.security, deploy=True)
def check_shared_cache(app_configs=None, **kwargs):
    """The API throttle counts each client's requests in the cache: with a cache of each process's
    own, every gunicorn worker lets a client through its whole limit (three workers, three times
    the rate). A deployment must share one cache (Redis, REDIS_URL), as docker-compose does."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.DEBUG or backend not in PER_PROCESS_CACHES:
        return []
    return [
        Error(
            f"The cache ({backend.rsplit('.', 1)[-1]}) is each process's own, so the API throttle "
            "counts each client separately in every worker.",
            hint="Set REDIS_URL to the Redis that every web worker shares (docker-compose does).",
            id="iom_housing.E001",
        )
    ]


@register(Tags.security, deploy=True)
def check_report_pseudonym_key(app_configs=None, **kwargs):
    """The evaluation version's pseudonyms are keyed hashes of people's ids: without a secret key
    of its own (the development default is public), anyone could work a pseudonym back to an id."""
    from reports.pseudonyms import MIN_KEY_LENGTH

    key = settings.REPORT_PSEUDONYM_KEY
    if settings.DEBUG or len(key) >= MIN_KEY_LENGTH:
        return []
    return [
        Error(
            "REPORT_PSEUDONYM_KEY is not set or is shorter than "
            f"{MIN_KEY_LENGTH} characters: the evaluation report's pseudonyms could be reversed.",
            hint='Set it to a long random secret, e.g. python -c "import secrets; '
            'print(secrets.token_urlsafe(48))", and keep it (a new key gives new pseudonyms).',
            id="iom_housing.E010",
        )
    ]
