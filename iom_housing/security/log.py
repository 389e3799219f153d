"""Security events as structured logs: one JSON object a line on the `security` logger (sign-in,
lockout, refused access, two-factor changes, role changes, sessions ended). They name users and
addresses, never a person's record beyond its URL, and never a password or code."""

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

logger = logging.getLogger("security")

# The request being served, so that an event raised deep in a save (a role changed in the admin)
# still names who did it and from where. Set by RequestContextMiddleware.
current_request: ContextVar = ContextVar("current_request", default=None)


class JsonLinesFormatter(logging.Formatter):
    """`{"time": …, "level": …, "logger": …, "event": …, …fields}` on one line, UTC."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
            **getattr(record, "security", {}),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def client_ip(request) -> str | None:
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request)


def security_event(event: str, *, request=None, user=None, level: int = logging.INFO, **fields) -> None:
    """Logs `event` with who (the user, else the request's signed-in user), from where and what."""
    request = request if request is not None else current_request.get()
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        user = candidate if getattr(candidate, "is_authenticated", False) else None
    data = {
        "user_id": getattr(user, "pk", None),
        "username": getattr(user, "username", None),
    }
    if request is not None:
        data.update(ip=client_ip(request), method=request.method, path=request.path)
    data.update(fields)
    logger.log(level, event, extra={"security": data})
