"""IOM Housing: project package (settings, URLs, Celery app and cross-cutting rules)."""

from .celery import app as celery_app

__all__ = ["celery_app"]
