"""The outbox: writing background work in the change's transaction, handing it to the broker once
that transaction commits, letting one worker at a time run it, and handing over again whatever is
still waiting (docs/adr/005-durable-task-handoff.md).

A request never fails because the broker did not answer: its change is saved with the message,
and the sweep (`outbox_resend`, every minute from beat, and in `manage.py run_sweeps`) hands the
message over when the broker is back.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from celery import Task
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from iom_housing.celery import app
from outbox.models import OutboxMessage

logger = logging.getLogger(__name__)

# A message handed over and not done after this long is taken to be lost (a broker that lost its
# queue) and handed over again. Longer than the email tasks' longest wait between retries (30
# minutes), so that an email still being retried is not handed over a second time meanwhile.
STALE_AFTER = timedelta(minutes=40)
# A claim lasts the task's time limit and this much more: a worker killed mid-task keeps the
# message from any other worker until then, and the sweep hands it over again after.
CLAIM_MARGIN = timedelta(minutes=1)
# Done messages are kept this long (to see what was sent, and so a late redelivery finds its
# message done), then deleted.
KEEP_DONE = timedelta(days=30)


def outbox_key(task_name: str, args: Sequence[Any]) -> str:
    """One key per task and arguments: the same event always makes the same key."""
    return f"{task_name}:{json.dumps(list(args), separators=(',', ':'))}"


def outbox_add(*, task: Task, args: Sequence[Any]) -> OutboxMessage:
    """Record, in the caller's transaction, that `task(*args)` must run; it is handed to the broker
    once that transaction commits (and not at all if it rolls back). `args` are ids only."""
    args = list(args)
    message, _created = OutboxMessage.objects.get_or_create(
        key=outbox_key(task.name, args), defaults={"task": task.name, "args": args}
    )
    # robust: whatever goes wrong handing it over, the change is committed and the request succeeds.
    transaction.on_commit(lambda: outbox_publish(message_id=message.pk), robust=True)
    return message


def _task(name: str) -> Task:
    if name not in app.tasks:
        app.loader.import_default_modules()  # a process that has not imported every tasks.py
    return app.tasks[name]


def _hand_over(message: OutboxMessage) -> bool:
    try:
        # With no broker (tasks run eagerly) this runs the task here and now.
        _task(message.task).apply_async(args=message.args)
    except Exception:  # noqa: BLE001 - the change is saved; the sweep hands the message over later
        logger.warning(
            "Outbox message %s was not handed to the broker (or, run in-process, failed); "
            "the outbox sweep will try again",
            message.key,
            exc_info=True,
        )
        return False
    OutboxMessage.objects.filter(pk=message.pk).update(
        published_at=timezone.now(), attempts=F("attempts") + 1
    )
    return True


def outbox_publish(*, message_id: int) -> bool:
    """Hand one waiting message to the broker. False, logged and never raised, when the broker
    does not answer (settings keep that wait short)."""
    message = OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True).first()
    return _hand_over(message) if message is not None else False


@contextmanager
def outbox_claim(task: Task, args: Sequence[Any]) -> Iterator[bool]:
    """Inside `task(*args)`: yields True when this worker may do the work, and marks the message
    done when the work ends; False when it is done already or another worker holds it (a retry,
    a redelivery or a sweep's second hand-over then does nothing).

    The claim is taken with a row lock (SKIP LOCKED: a second worker does not wait, it leaves)
    and committed at once, so the work runs in transactions of its own. A task that fails gives
    the claim back for its retry; a worker killed mid-task cannot, so its claim expires after the
    task's time limit and the sweep hands the message over again."""
    key = outbox_key(task.name, args)
    now = timezone.now()
    lease = timedelta(seconds=task.time_limit or settings.CELERY_TASK_TIME_LIMIT) + CLAIM_MARGIN
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update(skip_locked=True).filter(key=key).first()
        if message is None:
            # Locked by another worker's claim this instant, or queued without a message (by hand,
            # or before the outbox existed): only the second runs.
            mine = not OutboxMessage.objects.filter(key=key).exists()
        elif message.done_at is not None or (message.claimed_until and message.claimed_until > now):
            mine = False
        else:
            message.claimed_until = now + lease
            message.published_at = now
            message.save(update_fields=["claimed_until", "published_at"])
            mine = True
    if not mine:
        yield False
        return
    try:
        yield True
    except Exception:
        # The task failed and will be retried (or the sweep hands it over): let that run claim it.
        # Not on BaseException: a worker being killed may have done part of the work.
        if message is not None:
            OutboxMessage.objects.filter(pk=message.pk).update(claimed_until=None)
        raise
    if message is not None:
        OutboxMessage.objects.filter(pk=message.pk).update(done_at=timezone.now(), claimed_until=None)


def outbox_waiting(*, now: datetime | None = None) -> QuerySet[OutboxMessage]:
    """Messages the sweep should hand over: not done, and either claimed by a worker that died
    (its claim expired), or never handed over (the broker was down), or handed over so long ago
    that it must have been lost. A failed task's own retry is left to run."""
    now = now or timezone.now()
    dead_claim = Q(claimed_until__lte=now)
    unclaimed = Q(claimed_until__isnull=True) & (
        Q(published_at__isnull=True) | Q(published_at__lte=now - STALE_AFTER)
    )
    return (
        OutboxMessage.objects.filter(done_at__isnull=True)
        .filter(dead_claim | unclaimed)
        .order_by("created_at")
    )


def outbox_resend(*, here: bool = False, limit: int = 500) -> int:
    """Hand every waiting message over again; returns how many went. With `here`, run each task in
    this process instead (`manage.py run_sweeps`: machines with no worker, or a broker that is down).

    Each message is marked as handed over before it is published, in a transaction committed
    first (SKIP LOCKED, so two sweeps share the work), so that a worker claiming it never finds it
    locked; one the broker refuses is marked as never handed over again, for the next sweep, and
    so are the rest (the broker is down: each would wait out its timeout in turn)."""
    now = timezone.now()
    if here:
        sent = 0
        for message in list(outbox_waiting(now=now)[:limit]):
            try:
                _task(message.task).apply(args=message.args, throw=True)
            except Exception:  # noqa: BLE001 - logged; the message waits for the next sweep
                logger.warning("Outbox message %s failed when run here", message.key, exc_info=True)
                continue
            sent += 1
        return sent
    with transaction.atomic():
        messages = list(outbox_waiting(now=now).select_for_update(skip_locked=True)[:limit])
        OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
            published_at=now, claimed_until=None
        )
    sent = 0
    for position, message in enumerate(messages):
        if _hand_over(message):
            sent += 1
            continue
        # Refused: waiting again. With a broker, it is down, so the rest would only wait on it too.
        rest = messages[position:] if not app.conf.task_always_eager else [message]
        OutboxMessage.objects.filter(pk__in=[m.pk for m in rest], published_at=now).update(published_at=None)
        if not app.conf.task_always_eager:
            break
    return sent


def outbox_prune(*, now: datetime | None = None) -> int:
    """Delete messages done more than KEEP_DONE ago; returns how many."""
    now = now or timezone.now()
    deleted, _ = OutboxMessage.objects.filter(done_at__lt=now - KEEP_DONE).delete()
    return deleted
