"""Fault injection for the Celery broker (Redis): fixtures that point the broker and the cache at
a Redis that is down or hung, and bring the real one back (docs/adr/005-durable-task-handoff.md).
Imported by the tests that use them."""

import pytest

from iom_housing.celery import app

# Nothing listens on port 1: connections are refused at once, as when Redis is stopped.
REDIS_DOWN = "redis://127.0.0.1:1/0"
REAL_BROKER = app.conf.broker_url


def point_broker_at(url: str) -> None:
    """Publish to `url` from now on: Celery keeps its connection and producer pools, built for the
    old URL, so they are let go (not closed: kombu shares them by URL, and gives them out again)."""
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = url


@pytest.fixture
def redis_at(settings):
    """`redis_at(url)`: the broker and the cache at `url`, tasks no longer run in-process (the
    autouse fixture in conftest.py puts eager back); the real ones come back at the end."""

    def point(url: str) -> None:
        app.conf.task_always_eager = False
        point_broker_at(url)
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
            }
        }

    yield point
    point_broker_at(REAL_BROKER)


@pytest.fixture
def redis_down(redis_at):
    redis_at(REDIS_DOWN)


def redis_comes_back() -> None:
    """The broker answers again: here, tasks run in-process as with no broker (CI's real worker
    is in test_a_real_worker_sends_what_waited_once_redis_is_back)."""
    point_broker_at(REAL_BROKER)
    app.conf.task_always_eager = True
