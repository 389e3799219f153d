"""The transactional outbox: background work that a change needs, written in the change's own
transaction, so that a broker that is down (or a worker that dies) delays the work but never
loses it (docs/adr/005-durable-task-handoff.md)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """A Celery task to run once: `task(*args)`, handed to the broker after the change commits and
    again by the outbox sweep until a worker has run it (`done_at`). `key` is one per event, so a
    change repeated, a publish retried or a sweep run twice never queues the work twice.

    `args` are ids only: no personal data sits in the outbox (emails name no one either)."""

    task = models.CharField(_("task"), max_length=100)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    key = models.CharField(_("key"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    # Last handed to the broker (null: never, because it was down), or last begun by a worker.
    published_at = models.DateTimeField(_("handed to the broker"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("times handed over"), default=0)
    # A worker is running it until then; a worker killed mid-task leaves it to expire.
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        indexes = [
            # The sweep reads only what is still waiting.
            models.Index(fields=["created_at"], condition=Q(done_at__isnull=True), name="outbox_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)} ({'done' if self.done_at else 'pending'})"
