"""The access log (DPA 2018 s.62): every request that shows or changes named people's records
writes one `AccessLogEntry`, with the people it showed.

Declarative: a view says it shows personal data with `@logs_access` (a DRF view with the class
attribute `access_log = True`). For such a view the middleware opens a note; the places that fetch
people's records for a page add to it (`found_or_404` the record, `paginate` each row, a DRF
serializer, a service whose answer reveals people, such as the referral question "is this the
person already recorded?", or the view itself through `saw`), and once the view has answered,
whatever the status, the middleware writes the note as one row.
`tests/audit/test_access_log_coverage.py` walks the URL configuration and fails for a URL that
shows personal data without writing a row.

Exports and downloads that are not a page call `access_record(...)` directly.
"""

from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import wraps

from django.db import models

from audit.models import REASON_CODES, AccessLogEntry
from referrals.models import Offender

# The note of the request being served, if its view logs access.
_current: ContextVar["AccessNote | None"] = ContextVar("access_note", default=None)

SAFE_METHODS = ("GET", "HEAD")


@dataclass
class AccessNote:
    offender_ids: set[int] = field(default_factory=set)
    model: str = ""
    object_ref: str = ""
    reason: str = ""


def offender_ids_of(obj) -> list[int]:
    """The people a record is about: an offender, or a record carrying `offender_id`, or one
    reached through its placement or referral (already fetched with it by the selectors)."""
    if isinstance(obj, Offender):
        return [obj.pk]
    for attribute in ("offender_id",):
        value = getattr(obj, attribute, None)
        if value is not None:
            return [value]
    for relation in ("placement", "referral"):
        related = obj._state.fields_cache.get(relation) if hasattr(obj, "_state") else None
        if related is not None:
            return offender_ids_of(related)
    return []


def _ref(obj) -> str:
    return str(getattr(obj, "public_id", None) or obj.pk)


def saw(
    obj=None, *, people: Iterable = (), reason: str = "", model: "type[models.Model] | None" = None
) -> None:
    """Add to the current request's access note: `obj` is the record the page is about (its
    people are added), `people` rows or offender ids listed on it, `model` the kind of record
    listed when the ids alone are given. Outside a logged view this does nothing."""
    note = _current.get()
    if note is None:
        return
    if model is not None and not note.model:
        note.model = model._meta.label
    if obj is not None and isinstance(obj, models.Model):
        if not note.object_ref:
            note.model, note.object_ref = obj._meta.label, _ref(obj)
        note.offender_ids.update(offender_ids_of(obj))
    for item in people:
        if isinstance(item, int):
            note.offender_ids.add(item)
        elif isinstance(item, models.Model):
            note.model = note.model or item._meta.label
            note.offender_ids.update(offender_ids_of(item))
    if reason:
        note.reason = reason


def noted_people() -> set[int]:
    """The ids of the people the current request has shown so far (none outside a logged view):
    what a stored API reply names (`iom_housing.api.idempotency.idempotent`)."""
    note = _current.get()
    return set(note.offender_ids) if note is not None else set()


def logs_access(view):
    """Mark a view as showing or changing named people's records: the middleware logs it."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    wrapped.access_log = True
    return wrapped


def _logs_access(view_func) -> bool:
    return bool(
        getattr(view_func, "access_log", False)
        or getattr(getattr(view_func, "cls", None), "access_log", False)
    )


def _action(request, response) -> str:
    if request.method not in SAFE_METHODS:
        # A refused form shows the record again; only a change that went through alters it.
        api_call = hasattr(response, "data")  # a DRF response: any success is the change made
        changed = response.status_code in (302, 303) or (api_call and response.status_code < 300)
        # A replayed answer to a retry changed nothing this time.
        if changed and not response.has_header("Idempotent-Replayed"):
            return AccessLogEntry.Action.ALTER
    if getattr(request.user, "api_client", None) is not None:
        # Whatever the method and status (a refused write naming people, a replay): shown to
        # another organisation's system, which the row names as the recipient.
        return AccessLogEntry.Action.DISCLOSE
    return AccessLogEntry.Action.CONSULT


def access_record(
    *,
    user=None,
    api_client=None,
    action: str,
    offender_ids: Iterable[int] = (),
    model: str = "",
    object_ref: str = "",
    url: str = "",
    method: str = "",
    reason: str = "",
) -> AccessLogEntry:
    """Write one access-log row. For exports and downloads (reports, subject access) and
    anything else that is not a logged page: call it in the same transaction as the work, with
    the people whose data left the service. `user` may be an `ApiClientUser`: its client is
    recorded as the recipient."""
    if api_client is None and getattr(user, "api_client", None) is not None:
        api_client, user = user.api_client, None
    if user is not None and not getattr(user, "pk", None):
        user = None
    return AccessLogEntry.objects.create(
        user=user,
        api_client=api_client,
        action=action,
        offender_ids=sorted(set(offender_ids)),
        model=model[:100],
        object_ref=object_ref[:64],
        url=url[:500],
        method=method[:10],
        reason=reason[:40],
    )


class AccessLoggedAPI:
    """DRF view mixin: the view's requests are logged, with the people of every record it
    serializes (a client's read is a disclosure to it)."""

    access_log = True

    def get_serializer(self, *args, **kwargs):
        if args:
            instance = args[0]
            if isinstance(instance, models.Model):
                saw(instance)
            elif isinstance(instance, list | tuple | models.QuerySet):
                saw(people=instance)
        return super().get_serializer(*args, **kwargs)


def _reason_code(value: str) -> str:
    return value if value in REASON_CODES else ""


class AccessLogMiddleware:
    """Writes the access note of a logged view once it has answered, whatever the status: a
    refusal can name people too (a 409 asking whether someone is a person already recorded, a
    403 page naming the person), while a response that showed no one left the note empty. The
    address is kept without its query string: a search by name must not put the name in a log
    that erasure cannot touch."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(None)
        try:
            response = self.get_response(request)
            note = _current.get()
            # Written even for a refusal that showed the record (a 403 page naming the person);
            # a 404 found nothing, so its note is empty.
            if note is not None and (note.offender_ids or note.object_ref):
                access_record(
                    user=getattr(request, "user", None),
                    action=_action(request, response),
                    offender_ids=note.offender_ids,
                    model=note.model,
                    object_ref=note.object_ref,
                    url=request.path,
                    method=request.method,
                    reason=note.reason or _reason_code(request.GET.get("reason", "")),
                )
            return response
        finally:
            _current.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if _logs_access(view_func):
            _current.set(AccessNote())
