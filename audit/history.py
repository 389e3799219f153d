"""Change history: the request context every change is recorded with, and reading a record's
history back as "who, when, which request, before → after"."""

from dataclasses import dataclass
from datetime import datetime

import pghistory
import pghistory.middleware
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.core.handlers.wsgi import WSGIRequest as DjangoWSGIRequest
from pghistory.models import Events

from agencies.models import ApiClient

# Bookkeeping columns that change with every save and say nothing a reader needs.
_NOT_SHOWN = {"id", "public_id", "updated_at", "created_at", "last_activity_on", "version"}


class _ClientAwareRequest(pghistory.middleware.WSGIRequest):
    """DRF authenticates in the view, after the middleware: when it sets `request.user` to an
    agency's case system, record the client in the context as well as the (absent) person."""

    def __setattr__(self, attr, value):
        super().__setattr__(attr, value)
        api_client = getattr(value, "api_client", None) if attr == "user" else None
        if api_client is not None:
            pghistory.context(api_client=api_client.pk)


class HistoryMiddleware(pghistory.middleware.HistoryMiddleware):
    """pghistory's middleware, adding the method and the API client to the user and path."""

    def get_context(self, request):
        return {**super().get_context(request), "method": request.method}

    def __call__(self, request):
        if isinstance(request, DjangoWSGIRequest):
            with pghistory.context(**self.get_context(request)):
                request.__class__ = _ClientAwareRequest
                return self.get_response(request)
        return super().__call__(request)


@dataclass
class Change:
    at: datetime
    label: str
    who: str
    url: str
    method: str
    fields: list[tuple[str, object, object]]  # (field label, before, after)


def _field(model, name: str):
    for candidate in (name, name.removesuffix("_id")):
        try:
            return model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
    return None  # a column the model no longer has


def _label(model, name: str) -> str:
    field = _field(model, name)
    return str(field.verbose_name) if field is not None else name


def _readable(model, name: str, value):
    """A value as its page shows it: a choice by its label, a list of choices joined."""
    field = _field(model, name)
    base = getattr(field, "base_field", field)  # an ArrayField's items
    choices = {str(key): label for key, label in base.flatchoices} if base is not None else {}
    if isinstance(value, list):
        return ", ".join(str(choices.get(str(item), item)) for item in value)
    if value is not None and str(value) in choices:
        return choices[str(value)]
    return value


def record_history(obj, limit: int = 50, readable: bool = False) -> list[Change]:
    """The last `limit` changes of `obj`, newest first: two queries (the events with their
    context and diff, then the users named), whatever the number. Values as stored, or
    `readable` as a page shows them."""
    model = type(obj)

    def shown(name, value):
        return _readable(model, name, value) if readable else value

    events = list(Events.objects.tracks(obj).order_by("-pgh_created_at", "-pgh_id")[:limit])
    user_ids = {e.pgh_context.get("user") for e in events if e.pgh_context and e.pgh_context.get("user")}
    users = get_user_model().objects.in_bulk(user_ids) if user_ids else {}
    client_ids = {e.pgh_context.get("api_client") for e in events if e.pgh_context}
    client_ids.discard(None)
    clients = (
        ApiClient.objects.select_related("application", "agency").in_bulk(client_ids) if client_ids else {}
    )
    changes = []
    for event in events:
        context = event.pgh_context or {}
        user = users.get(context.get("user"))
        if user is not None:
            who = user.get_full_name() or user.username
        elif context.get("api_client") in clients:
            who = str(clients[context["api_client"]])
        else:
            who = ""
        if event.pgh_label == "update":
            fields = [
                (_label(model, name), shown(name, before), shown(name, after))
                for name, (before, after) in sorted((event.pgh_diff or {}).items())
                if name not in _NOT_SHOWN
            ]
        elif event.pgh_label == "insert":
            fields = [
                (_label(model, name), None, shown(name, value))
                for name, value in sorted((event.pgh_data or {}).items())
                if name not in _NOT_SHOWN and value not in (None, "", [], {})
            ]
        else:
            fields = []
        changes.append(
            Change(
                at=event.pgh_created_at,
                label=event.pgh_label,
                who=who,
                url=context.get("url", ""),
                method=context.get("method", ""),
                fields=fields,
            )
        )
    return changes


def history_for(user, obj) -> list[Change] | None:
    """A record's change history for its page, choices by their labels: scheme managers only
    (None hides the section)."""
    from iom_housing.access import can_user_manage_scheme

    if not can_user_manage_scheme(user):
        return None
    return record_history(obj, readable=True)
