"""The move-on API for agencies' case systems: the move-on actions the agency owns for the people
it supports, to read (`moveon:read`), add and update (`moveon:write`) with the same rules as the
site's forms (`moveon.services`). Adding takes an Idempotency-Key; an update sets the fields it
sends, so sending it again changes nothing more."""

from typing import Any

import django_filters
from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from agencies.models import ApiClient
from audit.access import AccessLoggedAPI, saw
from iom_housing.access import can_user_browse_api
from iom_housing.api.auth import ApiAccess
from iom_housing.api.idempotency import IDEMPOTENCY_KEY, idempotent
from iom_housing.api.pagination import ChangedSinceFilter, UpdatedAtCursorPagination
from iom_housing.api.problems import API_ERRORS, ProblemSerializer
from moveon import selectors, services
from moveon.models import (
    DETAILS_MAX,
    NOTES_MAX,
    OUTCOME_MAX,
    ActionKind,
    ActionResult,
    ActionStatus,
    MoveOnAction,
)
from placements.models import Placement


class MoveOnActionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    placement = serializers.UUIDField(source="plan.placement.public_id", read_only=True)
    owner_agency: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text="The owning agency's code; null: the IOM team.",
    )
    result = serializers.ChoiceField(choices=ActionResult.choices, allow_blank=True, read_only=True)
    local_authority = serializers.CharField(
        source="local_authority_id",
        read_only=True,
        allow_null=True,
        help_text="The GSS code of the council's area (a homelessness duty); null for other actions.",
    )
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = MoveOnAction
        fields = [
            "id",
            "placement",
            "kind",
            "details",
            "local_authority",
            "applied_on",
            "owner_agency",
            "opened_on",
            "due_on",
            "status",
            "outcome_on",
            "result",
            "outcome",
            "notes",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# A list page is written from values() rows by a plain function (`action_representations`): DRF's
# field machinery, value by value, was most of a page's time. tests/moveon/test_api_rows.py checks
# it against what the serializer's own fields write.
ACTION_COLUMNS = (
    "pk",
    "public_id",
    "kind",
    "details",
    "local_authority_id",
    "applied_on",
    "opened_on",
    "due_on",
    "status",
    "outcome_on",
    "result",
    "outcome",
    "notes",
    "version",
    "created_at",
    "updated_at",
    "offender_id",  # the selectors' annotation: what the access log notes of each row
)
_when = serializers.DateTimeField().to_representation
_day = serializers.DateField().to_representation


def action_rows(actions) -> "QuerySet[MoveOnAction]":
    """`actions` (a selector's, filtered) as the values() rows `action_representations` writes."""
    return actions.values(
        *ACTION_COLUMNS,
        placement_public_id=F("plan__placement__public_id"),
        owner_agency_code=F("owner_agency__code"),
    )


def action_representations(rows: list[dict]) -> list[dict]:
    """A page of `action_rows` as `MoveOnActionSerializer` writes each; its people are noted in
    the request's access log."""
    saw(people=[row["offender_id"] for row in rows], model=MoveOnAction)
    return [
        {
            "id": str(row["public_id"]),
            "placement": str(row["placement_public_id"]),
            "kind": row["kind"],
            "details": row["details"],
            "local_authority": row["local_authority_id"],
            "applied_on": _day(row["applied_on"]),
            "owner_agency": row["owner_agency_code"],
            "opened_on": _day(row["opened_on"]),
            "due_on": _day(row["due_on"]),
            "status": row["status"],
            "outcome_on": _day(row["outcome_on"]),
            "result": row["result"],
            "outcome": row["outcome"],
            "notes": row["notes"],
            "version": row["version"],
            "created_at": _when(row["created_at"]),
            "updated_at": _when(row["updated_at"]),
        }
        for row in rows
    ]


class MoveOnActionCreateSerializer(serializers.Serializer):
    """The shapes of the fields; every rule about their values is the service's."""

    placement = serializers.UUIDField(help_text="The placement's `id`, from /api/v1/visits/placements/.")
    kind = serializers.ChoiceField(choices=ActionKind.choices)
    details = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=DETAILS_MAX,
        help_text="Required for `other`.",
    )
    local_authority = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=9,
        help_text="Required for a homelessness duty (`wales_s62` … `england_duty_to_refer`): the GSS code "
        "of the council's area, for example `W06000008` (Ceredigion).",
    )
    applied_on = serializers.DateField(required=False, allow_null=True, default=None)
    opened_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When it went on the plan; today if not given.",
    )
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=NOTES_MAX)

    def validate_placement(self, value):
        placement = Placement.objects.filter(public_id=value).values_list("pk", flat=True).first()
        if placement is None:
            raise serializers.ValidationError(_("There is no placement with this id."))
        return placement


class MoveOnActionUpdateSerializer(serializers.Serializer):
    """Only the fields sent change. Closing an action: `status` `done` with `outcome_on` and
    `result`, or `not_needed` (dated today unless `outcome_on` is sent)."""

    kind = serializers.ChoiceField(choices=ActionKind.choices, required=False)
    details = serializers.CharField(required=False, allow_blank=True, max_length=DETAILS_MAX)
    local_authority = serializers.CharField(required=False, allow_blank=True, max_length=9)
    applied_on = serializers.DateField(required=False, allow_null=True)
    due_on = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)
    outcome_on = serializers.DateField(required=False, allow_null=True)
    result = serializers.ChoiceField(choices=ActionResult.choices, required=False, allow_blank=True)
    outcome = serializers.CharField(required=False, allow_blank=True, max_length=OUTCOME_MAX)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=NOTES_MAX)


class MoveOnActionFilter(django_filters.FilterSet):
    updated_since = ChangedSinceFilter()
    placement = django_filters.UUIDFilter(field_name="plan__placement__public_id", label="The placement's id")
    status = django_filters.ChoiceFilter(choices=ActionStatus.choices)

    class Meta:
        model = MoveOnAction
        fields = ["updated_since", "placement", "status"]


CREATE_EXAMPLE = OpenApiExample(
    "A housing register application",
    request_only=True,
    value={
        "placement": "6f1c1c1e-3d1b-4a43-9a50-2f3f0c4b9a11",
        "kind": "housing_register",
        "due_on": "2026-12-18",
        "notes": "Form started at the office visit.",
    },
)
UPDATE_EXAMPLE = OpenApiExample(
    "Done: the duty is owed",
    request_only=True,
    value={
        "status": "done",
        "outcome_on": "2026-12-03",
        "result": "successful",
        "outcome": "Relief duty owed",
    },
)
WRITE_ERRORS = {
    400: OpenApiResponse(ProblemSerializer, description="Invalid fields, each named in `errors`."),
    **API_ERRORS,
}


@extend_schema_view(
    list=extend_schema(
        summary="Your agency's move-on actions, in the order they changed",
        description="The actions your agency owns on placements it supports today.",
        responses={200: MoveOnActionSerializer(many=True), 400: ProblemSerializer, **API_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One move-on action",
        responses={200: MoveOnActionSerializer, **API_ERRORS, 404: ProblemSerializer},
    ),
    create=extend_schema(
        summary="Add a move-on action (with an Idempotency-Key)",
        description="Your agency owns what it adds. The placement must be in residence and your agency on "
        "its support plan. A retry with the same Idempotency-Key and body returns the first response "
        "and adds nothing.",
        parameters=[IDEMPOTENCY_KEY],
        request=MoveOnActionCreateSerializer,
        examples=[CREATE_EXAMPLE],
        responses={
            201: MoveOnActionSerializer,
            **WRITE_ERRORS,
            422: OpenApiResponse(
                ProblemSerializer, description="The Idempotency-Key was used for another body."
            ),
        },
    ),
    partial_update=extend_schema(
        summary="Update a move-on action your agency owns",
        description="Sets the fields sent and no others, so the same request sent again changes nothing "
        "more. A done action's overdue alert clears.",
        request=MoveOnActionUpdateSerializer,
        examples=[UPDATE_EXAMPLE],
        responses={200: MoveOnActionSerializer, **WRITE_ERRORS, 404: ProblemSerializer},
    ),
)
class MoveOnActionViewSet(AccessLoggedAPI, viewsets.GenericViewSet):
    permission_classes = [ApiAccess]
    api_resource = "moveon"
    staff_rule = staticmethod(can_user_browse_api)
    serializer_class = MoveOnActionSerializer
    lookup_field = "public_id"
    pagination_class = UpdatedAtCursorPagination
    filterset_class = MoveOnActionFilter

    def api_client(self) -> ApiClient | None:
        return getattr(self.request.user, "api_client", None)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MoveOnAction.objects.none()
        today = timezone.localdate()
        api_client = self.api_client()
        if api_client is None:
            return selectors.action_list(user=self.request.user, today=today)
        return selectors.agency_actions(agency=api_client.agency, today=today)

    def list(self, request, *args, **kwargs):
        rows = self.paginate_queryset(action_rows(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(action_representations(rows))

    def retrieve(self, request, *args, **kwargs):
        action = get_object_or_404(self.get_queryset(), public_id=kwargs["public_id"])
        return Response(self.get_serializer(action).data)

    def create(self, request, *args, **kwargs):
        return idempotent(request, lambda: self._add(request))

    def _add(self, request) -> Response:
        serializer = MoveOnActionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        # A service's ValidationError becomes a 400 naming each field (iom_housing.api.problems).
        action = services.action_add(placement_id=data.pop("placement"), api_client=self.api_client(), **data)
        body = self.get_serializer(self.get_queryset().get(pk=action.pk)).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": f"{body['id']}/"})

    def partial_update(self, request, *args, **kwargs):
        action = get_object_or_404(self.get_queryset(), public_id=kwargs["public_id"])
        serializer = MoveOnActionUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        services.action_update(action_id=action.pk, api_client=self.api_client(), **changes)
        return Response(self.get_serializer(self.get_queryset().get(pk=action.pk)).data)
