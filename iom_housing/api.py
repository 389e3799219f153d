"""The API's plumbing: OAuth 2.0 client authentication and scopes, per-method scope checks, keyset
pagination and RFC 9457 problem details. What each client or user may see is in `access.py`."""

import base64
import binascii
import hashlib
import json
import logging
from datetime import UTC, datetime

import django_filters
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.contrib.django_oauth_toolkit import DjangoOAuthToolkitScheme
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from kombu.exceptions import OperationalError as BrokerError
from oauth2_provider.contrib.rest_framework import OAuth2Authentication, TokenHasScope
from oauth2_provider.models import AccessToken
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import SettingsScopes
from oauth2_provider.views import TokenView
from oauthlib.oauth2.rfc6749.errors import UnsupportedGrantTypeError
from redis.exceptions import RedisError
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import BasePagination
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.utils.urls import replace_query_param

from iom_housing.access import api_scope_required, can_api_client_use_scope

logger = logging.getLogger(__name__)

# Authentication --------------------------------------------------------------------------------


def _usable_api_client(application):
    """The application's ApiClient (with its agency, in one query) when the client and its agency
    are active, else None."""
    from agencies.models import ApiClient

    return (
        ApiClient.objects.select_related("agency")
        .filter(application=application, active=True, agency__active=True)
        .first()
    )


class ApiClientValidator(OAuth2Validator):
    """Only a registered, active client of an active agency is given a token."""

    def authenticate_client(self, request, *args, **kwargs) -> bool:
        if not super().authenticate_client(request, *args, **kwargs):
            return False
        return _usable_api_client(request.client) is not None


class ApiClientScopes(SettingsScopes):
    """A client may ask only for the scopes a scheme manager gave it; with none named it gets
    `referrals:read` if it holds that."""

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        api_client = _usable_api_client(application) if application is not None else None
        return list(api_client.scopes) if api_client else []

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        available = self.get_available_scopes(application, request)
        return [scope for scope in super().get_default_scopes() if scope in available]


class ApiClientUser:
    """`request.user` for an agency's case system: no person, only the client and its agency."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = id = None
    membership = None  # no role: the page rules in access.py refuse it

    def __init__(self, api_client):
        self.api_client = api_client

    def __str__(self) -> str:
        return str(self.api_client)


class ApiClientAuthentication(OAuth2Authentication):
    """A bearer token from the client-credentials grant: `request.user` is the client (an
    `ApiClientUser`), `request.auth` the token."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        api_client = None if user is not None else _usable_api_client(token.application)
        if api_client is None:
            raise exceptions.AuthenticationFailed(_("This client is not registered or has been stopped."))
        return ApiClientUser(api_client), token


class ApiClientScheme(DjangoOAuthToolkitScheme):
    target_class = ApiClientAuthentication


class ClientCredentialsTokenView(TokenView):
    """`/o/token/` for agencies' case systems, which use the client-credentials grant alone. Any other
    grant named is refused with OAuth's own error (RFC 6749 section 5.2, `unsupported_grant_type`)
    before django-oauth-toolkit dispatches it: its device-code branch read a parameter that may be
    absent and answered 500. A request naming no grant is oauthlib's to refuse."""

    def post(self, request, *args, **kwargs):
        grant_type = request.POST.get("grant_type")
        if grant_type is not None and grant_type != "client_credentials":
            error = UnsupportedGrantTypeError(
                description=_("Only the client_credentials grant is offered here.")
            )
            response = HttpResponse(error.json, status=error.status_code, content_type="application/json")
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
            return response
        return super().post(request, *args, **kwargs)


# Permission ------------------------------------------------------------------------------------


class ApiAccess(TokenHasScope):
    """A client by its token's scope for the method (`<view.api_resource>:read` or `:write`);
    staff signed in to the site by `view.staff_rule(user, method)`."""

    def get_scopes(self, request, view):
        return [api_scope_required(request.method, view.api_resource)]

    def has_permission(self, request, view) -> bool:
        if isinstance(request.auth, AccessToken):
            [scope] = self.get_scopes(request, view)
            if can_api_client_use_scope(request.user.api_client, request.auth, scope):
                return True
            self.message = {
                "detail": _("This token does not have the scope %s.") % scope,
                "required_scopes": [scope],
            }
            return False
        return bool(request.user and request.user.is_authenticated) and view.staff_rule(
            request.user, request.method
        )


# Throttling ------------------------------------------------------------------------------------


class ApiClientThrottle(SimpleRateThrottle):
    """`API_THROTTLE_RATE` requests per client (or per signed-in member of staff); beyond it a
    429 with `Retry-After`. Counted in the cache (Redis when REDIS_URL is set, so across workers)."""

    scope = "api"

    def get_rate(self):
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request, view):
        api_client = getattr(request.user, "api_client", None)
        if api_client is not None:
            ident = f"client-{api_client.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        # The counters are in Redis: while it does not answer (the cache's socket timeouts keep
        # that short), a request goes through unthrottled rather than failing, as a visit must be
        # recordable with Redis down (docs/adr/005-durable-task-handoff.md).
        try:
            return super().allow_request(request, view)
        except RedisError:
            logger.warning("API throttle counters unreachable: request let through", exc_info=True)
            return True


# Idempotency -----------------------------------------------------------------------------------

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="A new unique value per record you create: a retry with the same key and body gets "
    "the first response and creates nothing.",
)


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was used with another request. Use a new key for a new request."
    default_code = "idempotency_key_reused"


class SubjectErased(exceptions.APIException):
    """A retry of a request that was answered, whose person has since been erased: answered as a
    replay, never as a new request, so erasure is not undone by a client's retry."""

    status_code = status.HTTP_410_GONE
    default_detail = (
        "This request was answered before, and the person it was about has since been erased under "
        "the scheme's retention policy. Nothing has been created again; do not retry it."
    )
    default_code = "subject_erased"


def _fingerprint(request) -> str:
    body = json.dumps(request.data, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{request.method}\n{request.path}\n{body}".encode()).hexdigest()


def idempotent(request, handler) -> Response:
    """Answer a retry (same Idempotency-Key and body) with the first response; `handler()` makes
    the first. The key's row is inserted first, so a concurrent request with the same key waits on
    its unique constraint until this one commits, then replays it. A failed request stores nothing
    (its transaction rolls back), so a corrected retry may reuse the key.

    The key keeps the ids of the people the response named (the access note's): a replay shows
    them again and is logged so; once one of them is erased the stored response is gone and the
    key is a tombstone (`audit.services.offender_erase`), which a retry gets as 410 Gone."""
    from audit.access import noted_people, saw
    from referrals.models import IdempotencyKey

    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > IdempotencyKey._meta.get_field("key").max_length:
        raise exceptions.ValidationError(
            {
                "Idempotency-Key": _(
                    "Send an Idempotency-Key header: a new unique value of up to 255 characters."
                )
            }
        )
    fingerprint = _fingerprint(request)
    with transaction.atomic():
        record, created = IdempotencyKey.objects.get_or_create(
            api_client=request.user.api_client, key=key, defaults={"fingerprint": fingerprint}
        )
        if record.fingerprint != fingerprint:
            raise IdempotencyKeyReused()
        if not created:
            if record.subject_erased_at is not None:
                raise SubjectErased()
            saw(people=record.offender_ids)
            response = Response(record.response_body, status=record.response_status)
            response["Idempotent-Replayed"] = "true"
            return response
        response = handler()
        record.response_status = response.status_code
        record.response_body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
        record.offender_ids = sorted(noted_people())
        record.save(update_fields=["response_status", "response_body", "offender_ids"])
    return response


# Filters ---------------------------------------------------------------------------------------


class UtcIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 date-time, turned to UTC: PostgreSQL refuses offsets beyond ±15:59, which ISO
    allows, and a date too near year 1 or 9999 to shift is refused here as invalid."""

    def to_python(self, value):
        # Django parses ISO 8601 itself before trying `strptime`, so the shift is made here.
        parsed = super().to_python(value)
        try:
            return parsed.astimezone(UTC) if parsed and parsed.tzinfo else parsed
        except OverflowError:
            raise DjangoValidationError(self.error_messages["invalid"], code="invalid") from None


class UtcDateTimeField(serializers.DateTimeField):
    """A serializer's date-time, turned to UTC for the same reason as `UtcIsoDateTimeField`."""

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        try:
            return parsed.astimezone(UTC) if parsed.tzinfo else parsed
        except OverflowError:
            self.fail("invalid", format="ISO 8601 with an offset")


class ChangedSinceFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField

    def __init__(self, **kwargs):
        super().__init__(
            field_name="updated_at",
            lookup_expr="gte",
            label="Changed at or after (ISO 8601 date-time)",
            **kwargs,
        )


# Pagination ------------------------------------------------------------------------------------


class UpdatedAtCursorPagination(BasePagination):
    """Keyset pages in (updated_at, id) order: the cursor is the last row's pair, and the next page
    starts strictly after it, so rows sharing a timestamp are neither skipped nor repeated, and a row
    changed after it was read comes round again (with its new state) at the end."""

    page_size = 100
    max_page_size = 500
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        position = self._decode(request.query_params.get(self.cursor_query_param))
        if position is not None:
            updated_at, pk = position
            queryset = queryset.filter(Q(updated_at__gt=updated_at) | Q(updated_at=updated_at, pk__gt=pk))
        size = self._page_size(request)
        rows = list(queryset.order_by("updated_at", "pk")[: size + 1])
        self.has_next = len(rows) > size
        rows = rows[:size]
        self.cursor = self._encode(rows[-1]) if rows else request.query_params.get(self.cursor_query_param)
        return rows

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "cursor": self.cursor, "results": data})

    def get_next_link(self):
        if not self.has_next:
            return None
        return replace_query_param(self.request.build_absolute_uri(), self.cursor_query_param, self.cursor)

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "cursor", "results"],
            "properties": {
                "next": {"type": "string", "format": "uri", "nullable": True},
                "cursor": {
                    "type": "string",
                    "nullable": True,
                    "description": "Save this and pass it as `cursor` to read only what changed since.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {"name": self.cursor_query_param, "in": "query", "required": False, "schema": {"type": "string"}},
            {
                "name": self.page_size_query_param,
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]

    def _page_size(self, request) -> int:
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        if not value.isdigit() or not 1 <= int(value) <= self.max_page_size:
            raise exceptions.ValidationError(
                {self.page_size_query_param: _("Enter a whole number from 1 to %d.") % self.max_page_size}
            )
        return int(value)

    @staticmethod
    def _encode(row) -> str:
        return base64.urlsafe_b64encode(f"{row.updated_at.isoformat()}|{row.pk}".encode()).decode()

    def _decode(self, cursor: str | None):
        if not cursor:
            return None
        try:
            updated_at, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
            if not pk.isascii() or not pk.isdigit() or int(pk) >= 2**63:
                raise ValueError(pk)
            return datetime.fromisoformat(updated_at).astimezone(UTC), int(pk)
        except (ValueError, OverflowError, binascii.Error, UnicodeError):
            raise exceptions.ValidationError(
                {self.cursor_query_param: _("This cursor is not one the API gave out.")}
            ) from None


# Parsing ---------------------------------------------------------------------------------------

# No request of this API nests deeper than 3 levels; 32 leaves room and stops the bodies made to
# exhaust the recursion of every walk over the data (100 kB of `[[[[…` answered 500).
MAX_JSON_DEPTH = 32


class JSONBodyParser(JSONParser):
    """DRF's JSON parser, refusing with a 400 what would otherwise fail later as a 500: nesting
    deeper than MAX_JSON_DEPTH, and strings with a lone surrogate (`"\\ud800"` is valid JSON but not
    Unicode text: it cannot be stored, compared with a choice or echoed in an error). The 400
    names the field that holds it."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise _too_deep() from None
        _refuse_unusable_json(data)
        return data


def _too_deep() -> exceptions.ParseError:
    return exceptions.ParseError(
        _("JSON parse error - the body is nested more than %d levels deep.") % MAX_JSON_DEPTH
    )


def _is_text(value: str) -> bool:
    """False for a string holding a lone surrogate (only those cannot be encoded as UTF-8)."""
    if value.isascii():
        return True
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def _refuse_unusable_json(data) -> None:
    """Walks the parsed body without recursion: too deep, or a name or value that is not text."""
    pending = [(data, "", 0)]
    while pending:
        value, path, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise _too_deep()
        if isinstance(value, str):
            if not _is_text(value):
                raise exceptions.ValidationError(
                    {path or "body": [_("This is not valid Unicode text (it holds a lone surrogate).")]},
                    code="invalid_unicode",
                )
        elif isinstance(value, dict):
            for name, inner in value.items():
                shown = name if _is_text(name) else name.encode(errors="replace").decode()
                where = f"{path}.{shown}" if path else shown
                if shown != name:
                    pending.append((name, where, depth + 1))
                pending.append((inner, where, depth + 1))
        elif isinstance(value, list):
            pending.extend(
                (inner, f"{path}.{index}" if path else str(index), depth + 1)
                for index, inner in enumerate(value)
            )


# Errors ----------------------------------------------------------------------------------------

PROBLEM_CONTENT_TYPE = "application/problem+json"
# How long a client is asked to wait when the database is restarting: a restart takes seconds.
RETRY_AFTER_SECONDS = 15
# What a request truly cannot work without: the database (a restart, a dropped connection, a
# deadlock), or the broker or Redis where something still needs them in the request itself.
# Background work never does: it goes through the outbox and waits for the broker.
UNAVAILABLE = (OperationalError, InterfaceError, BrokerError, RedisError)


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "service_unavailable"
    wait = RETRY_AFTER_SECONDS  # DRF's handler sends it as Retry-After

    def __init__(self):
        super().__init__(
            _(
                "The service is briefly unavailable. Send the same request again after the seconds "
                "in Retry-After: with the same Idempotency-Key, a retry never creates anything twice."
            )
        )


def _field_errors(detail, prefix: str = "") -> list[dict]:
    """Flatten DRF's nested error detail into [{"field": "person.pnc_id", "detail": "…"}]."""
    if isinstance(detail, dict):
        return [
            error
            for name, inner in detail.items()
            for error in _field_errors(inner, f"{prefix}.{name}" if prefix else str(name))
        ]
    if isinstance(detail, list):
        return [error for inner in detail for error in _field_errors(inner, prefix)]
    return [{"field": prefix or None, "detail": str(detail), "code": getattr(detail, "code", None)}]


def problem_details_handler(exc, context):
    """DRF's handler, with the body as RFC 9457 problem details naming each invalid field. A
    ValidationError from a service is a 400 like a serializer's."""
    from rest_framework.views import exception_handler  # not at import: this module is in DRF's settings

    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, UNAVAILABLE):
        logger.warning("API request failed on an unavailable service", exc_info=exc)
        exc = ServiceUnavailable()
    response = exception_handler(exc, context)
    if response is None:
        return None
    problem = {
        "type": "about:blank",
        "title": response.status_text,
        "status": response.status_code,
        "instance": context["request"].get_full_path() if context.get("request") else None,
    }
    if isinstance(exc, exceptions.ValidationError):
        problem["detail"] = _("Check the fields named in errors.")
        problem["errors"] = _field_errors(exc.detail)
    elif isinstance(exc, Http404):
        problem["detail"] = _("Not found.")
    else:
        detail = getattr(exc, "detail", None)
        problem["detail"] = str(detail.get("detail", detail) if isinstance(detail, dict) else detail)
        if isinstance(detail, dict):  # extra members: required_scopes, matches, …
            problem |= {name: value for name, value in detail.items() if name != "detail"}
    response.data = problem
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


class ProblemSerializer(serializers.Serializer):
    """For the schema: the body of every error response."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField(allow_null=True)
    errors = serializers.ListField(
        child=serializers.DictField(), required=False, help_text="Each invalid field: field, detail, code."
    )


# The errors any endpoint may answer, for the schema.
API_ERRORS = {
    401: OpenApiResponse(ProblemSerializer, description="No token, or an expired or revoked one."),
    403: OpenApiResponse(ProblemSerializer, description="The token lacks the scope the method needs."),
    429: OpenApiResponse(ProblemSerializer, description="Too many requests: wait `Retry-After` seconds."),
    503: OpenApiResponse(
        ProblemSerializer,
        description="The database is briefly unavailable (a restart): retry after `Retry-After` seconds.",
    ),
}


def problem_details_media_type(result, generator, request, public):
    """Schema hook: error bodies are documented as `application/problem+json`, as they are sent."""
    problem = {"$ref": "#/components/schemas/Problem"}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for response in operation.get("responses", {}).values():
                content = response.get("content", {})
                if content.get("application/json", {}).get("schema") == problem:
                    content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
    return result
