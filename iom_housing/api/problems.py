"""RFC 9457 problem details for every API error, and their description in the OpenAPI schema."""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError
from rest_framework import exceptions, serializers, status

from iom_housing.i18n import problem_title

logger = logging.getLogger(__name__)


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
        "title": problem_title(response.status_code, response.status_text),
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
