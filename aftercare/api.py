"""The follow-up API for agencies' case systems: the follow-up checks of people the agency
supported, and recording one (with an Idempotency-Key) by the same rules as the site's form
(`aftercare.services.follow_up_record`)."""

from typing import Any

import django_filters
from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from aftercare.models import Accommodation, Engaging, FollowUpCheck
from aftercare.selectors import follow_up_list
from aftercare.services import follow_up_record
from audit.access import AccessLoggedAPI, saw
from iom_housing.access import can_user_browse_api
from iom_housing.api.auth import ApiAccess
from iom_housing.api.idempotency import IDEMPOTENCY_KEY, idempotent
from iom_housing.api.pagination import ChangedSinceFilter, UpdatedAtCursorPagination
from iom_housing.api.problems import API_ERRORS, ProblemSerializer
from placements.models import Destination
from referrals.api import PersonSerializer


class FollowUpSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    placement = serializers.UUIDField(source="placement.public_id", read_only=True)
    person = PersonSerializer(source="placement.offender", read_only=True)
    departed_on = serializers.DateField(source="placement.departed_on", read_only=True)
    destination = serializers.ChoiceField(
        source="placement.destination",
        choices=Destination.choices,
        read_only=True,
        help_text="Where they moved on to when they left.",
    )
    accommodation = serializers.ChoiceField(choices=Accommodation.choices, allow_blank=True, read_only=True)
    moved_to = serializers.ChoiceField(choices=Destination.choices, allow_blank=True, read_only=True)
    engaging = serializers.ChoiceField(choices=Engaging.choices, allow_blank=True, read_only=True)
    recorded_by_agency: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = FollowUpCheck
        fields = [
            "id",
            "placement",
            "person",
            "departed_on",
            "destination",
            "months",
            "due_on",
            "accommodation",
            "moved_to",
            "engaging",
            "notes",
            "recorded_at",
            "recorded_by_agency",
            "updated_at",
        ]
        read_only_fields = fields


# A list page is written from values() rows by a plain function (`follow_up_representations`):
# DRF's field machinery, value by value, was most of a page's time after the query.
# tests/aftercare/test_api_rows.py checks it against what the serializer's own fields write.
FOLLOW_UP_COLUMNS = (
    "pk",
    "public_id",
    "months",
    "due_on",
    "accommodation",
    "moved_to",
    "engaging",
    "notes",
    "recorded_at",
    "updated_at",
)
PLACEMENT_COLUMNS = ("public_id", "departed_on", "destination", "offender_id")
PERSON_COLUMNS = ("public_id", "first_name", "last_name", "date_of_birth", "pnc_id", "crn")
_when = serializers.DateTimeField().to_representation
_day = serializers.DateField().to_representation


def follow_up_rows(checks) -> "QuerySet[FollowUpCheck]":
    """`checks` (`follow_up_list`, filtered) as the values() rows `follow_up_representations`
    writes: only the columns the API shows, so only the tables it shows are joined."""
    return checks.values(
        *FOLLOW_UP_COLUMNS,
        **{f"placement_{name}": F(f"placement__{name}") for name in PLACEMENT_COLUMNS},
        **{f"person_{name}": F(f"placement__offender__{name}") for name in PERSON_COLUMNS},
        recorded_by_agency_code=F("recorded_by_agency__code"),
    )


def follow_up_representations(rows: list[dict]) -> list[dict]:
    """A page of `follow_up_rows` as `FollowUpSerializer` writes each; its people are noted in the
    request's access log."""
    saw(people=[row["placement_offender_id"] for row in rows], model=FollowUpCheck)
    return [
        {
            "id": str(row["public_id"]),
            "placement": str(row["placement_public_id"]),
            "person": {
                "id": str(row["person_public_id"]),
                "first_name": row["person_first_name"],
                "last_name": row["person_last_name"],
                "date_of_birth": _day(row["person_date_of_birth"]),
                "pnc_id": row["person_pnc_id"],
                "crn": row["person_crn"],
            },
            "departed_on": _day(row["placement_departed_on"]),
            "destination": row["placement_destination"],
            "months": row["months"],
            "due_on": _day(row["due_on"]),
            "accommodation": row["accommodation"],
            "moved_to": row["moved_to"],
            "engaging": row["engaging"],
            "notes": row["notes"],
            "recorded_at": _when(row["recorded_at"]),
            "recorded_by_agency": row["recorded_by_agency_code"],
            "updated_at": _when(row["updated_at"]),
        }
        for row in rows
    ]


class FollowUpRecordSerializer(serializers.Serializer):
    """The shapes of the fields; every rule about their values is the service's."""

    accommodation = serializers.ChoiceField(choices=Accommodation.choices)
    moved_to = serializers.ChoiceField(
        choices=Destination.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Where they moved to: required when `accommodation` is `moved`.",
    )
    engaging = serializers.ChoiceField(choices=Engaging.choices)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class FollowUpFilter(django_filters.FilterSet):
    updated_since = ChangedSinceFilter()
    recorded = django_filters.BooleanFilter(
        field_name="recorded_at", lookup_expr="isnull", exclude=True, label="Recorded (true) or not (false)"
    )
    due_by = django_filters.DateFilter(field_name="due_on", lookup_expr="lte", label="Due on or before")

    class Meta:
        model = FollowUpCheck
        fields = ["updated_since", "recorded", "due_by"]


RECORD_EXAMPLE = OpenApiExample(
    "Still in their tenancy",
    request_only=True,
    value={"accommodation": "same", "engaging": "yes", "notes": "Spoke by phone; settled."},
)


@extend_schema_view(
    list=extend_schema(
        summary="Follow-up checks of people your agency supported, in the order they changed",
        description="Checks 3, 6 and 12 months after someone left a placement your agency was on "
        "the support plan of. `?recorded=false&due_by=<today>` lists those due now.",
        responses={200: FollowUpSerializer(many=True), 400: ProblemSerializer, **API_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One follow-up check",
        responses={200: FollowUpSerializer, **API_ERRORS, 404: ProblemSerializer},
    ),
)
class FollowUpViewSet(AccessLoggedAPI, viewsets.GenericViewSet):
    permission_classes = [ApiAccess]
    api_resource = "followups"
    staff_rule = staticmethod(can_user_browse_api)
    serializer_class = FollowUpSerializer
    lookup_field = "public_id"
    pagination_class = UpdatedAtCursorPagination
    filterset_class = FollowUpFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FollowUpCheck.objects.none()
        return follow_up_list(user=self.request.user).select_related("recorded_by_agency")

    def list(self, request, *args, **kwargs):
        rows = self.paginate_queryset(follow_up_rows(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(follow_up_representations(rows))

    def retrieve(self, request, *args, **kwargs):
        check = get_object_or_404(self.get_queryset(), public_id=kwargs["public_id"])
        return Response(self.get_serializer(check).data)

    @extend_schema(
        summary="Record a follow-up check (with an Idempotency-Key)",
        description="Once per check: where they live now, whether they still engage with services, "
        "and a short note. A retry with the same Idempotency-Key and body returns the first "
        "response and records nothing; a check already recorded is a 400.",
        parameters=[IDEMPOTENCY_KEY],
        request=FollowUpRecordSerializer,
        examples=[RECORD_EXAMPLE],
        responses={
            200: FollowUpSerializer,
            400: OpenApiResponse(ProblemSerializer, description="Invalid fields, each named in `errors`."),
            **API_ERRORS,
            404: ProblemSerializer,
            422: OpenApiResponse(
                ProblemSerializer, description="The Idempotency-Key was used for another body."
            ),
        },
    )
    def record(self, request, *args, **kwargs):
        return idempotent(request, lambda: self._record(request, kwargs["public_id"]))

    def _record(self, request, public_id) -> Response:
        check = get_object_or_404(self.get_queryset(), public_id=public_id)
        serializer = FollowUpRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        follow_up_record(check_id=check.pk, api_client=request.user.api_client, **serializer.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=check.pk)).data)
