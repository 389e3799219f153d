"""Listing what changed: UTC date-time fields, the changed-since filter and keyset (cursor) pagination
on `updated_at`."""

import base64
import binascii
import logging
from datetime import UTC, datetime

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

logger = logging.getLogger(__name__)


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
        """The position after `row`: a model instance, or a values() row with its "pk"."""
        updated_at, pk = (row["updated_at"], row["pk"]) if isinstance(row, dict) else (row.updated_at, row.pk)
        return base64.urlsafe_b64encode(f"{updated_at.isoformat()}|{pk}".encode()).decode()

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
