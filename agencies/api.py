"""The visits API for agencies' case systems: the placements an agency supports, and recording its
home visits with the same rules as the site's form (`agencies.services.visit_record`)."""

import django_filters
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from agencies.models import Agency, HomeVisit
from agencies.selectors import VisitState, agency_caseload, agency_visits, caseload, visit_list
from agencies.services import visit_record
from audit.access import AccessLoggedAPI
from iom_housing.access import can_user_browse_api
from iom_housing.api.auth import ApiAccess
from iom_housing.api.idempotency import IDEMPOTENCY_KEY, idempotent
from iom_housing.api.pagination import ChangedSinceFilter, UpdatedAtCursorPagination, UtcDateTimeField
from iom_housing.api.problems import API_ERRORS, ProblemSerializer
from placements.models import Placement, Property
from referrals.api import PersonSerializer


class AddressSerializer(serializers.ModelSerializer):
    class Meta:
        model = Property
        fields = ["name", "address_line_1", "address_line_2", "town", "postcode"]
        read_only_fields = fields


class SupportedPlacementSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    person = PersonSerializer(source="offender", read_only=True)
    address = AddressSerializer(source="bedspace.property", read_only=True)
    visit_every_days = serializers.IntegerField(read_only=True)
    last_visit_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Your agency's latest visit (led or joined)."
    )
    visit_due_on = serializers.DateField(read_only=True)
    visit_state = serializers.ChoiceField(
        choices=[VisitState.OVERDUE, VisitState.DUE, VisitState.VISITED, VisitState.ARRIVING], read_only=True
    )

    class Meta:
        model = Placement
        fields = [
            "id",
            "status",
            "starts_on",
            "arrived_on",
            "ends_on",
            "person",
            "address",
            "visit_every_days",
            "last_visit_at",
            "visit_due_on",
            "visit_state",
        ]
        read_only_fields = fields


class VisitSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    placement = serializers.UUIDField(source="placement.public_id", read_only=True)
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    other_agencies = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    recorded_by = serializers.CharField(source="recorder_name", read_only=True)
    drug_test = serializers.ChoiceField(choices=HomeVisit.DrugTest.choices, allow_blank=True, read_only=True)
    engagement = serializers.ChoiceField(
        choices=HomeVisit.Engagement.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = HomeVisit
        fields = [
            "id",
            "placement",
            "agency",
            "other_agencies",
            "visited_at",
            "kind",
            "staff_names",
            "outcome",
            "property_in_good_order",
            "drug_test",
            "engagement",
            "support_hours",
            "concern_raised",
            "concern",
            "notes",
            "next_visit_on",
            "recorded_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class VisitCreateSerializer(serializers.Serializer):
    """The shapes of the fields; every rule about their values is the service's."""

    placement = serializers.UUIDField(help_text="The placement's `id`, from /api/v1/visits/placements/.")
    visited_at = UtcDateTimeField(help_text="When the visit happened (ISO 8601, with offset).")
    kind = serializers.ChoiceField(choices=HomeVisit.Kind.choices)
    staff_names = serializers.CharField(allow_blank=True, help_text="Who visited.")
    outcome = serializers.ChoiceField(choices=HomeVisit.Outcome.choices)
    other_agencies = serializers.ListField(
        child=serializers.SlugField(),
        required=False,
        default=list,
        help_text="Codes of other agencies on a joint visit.",
    )
    property_in_good_order = serializers.BooleanField(required=False, allow_null=True, default=None)
    drug_test = serializers.ChoiceField(
        choices=HomeVisit.DrugTest.choices, required=False, allow_blank=True, default=""
    )
    engagement = serializers.ChoiceField(
        choices=HomeVisit.Engagement.choices, required=False, allow_blank=True, default=""
    )
    support_hours = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, default=0)
    concern_raised = serializers.BooleanField(required=False, default=False)
    concern = serializers.CharField(required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    next_visit_on = serializers.DateField(required=False, allow_null=True, default=None)

    def validate_placement(self, value):
        placement = Placement.objects.filter(public_id=value).values_list("pk", flat=True).first()
        if placement is None:
            raise serializers.ValidationError(_("There is no placement with this id."))
        return placement

    def validate_other_agencies(self, codes):
        found = dict(Agency.objects.filter(code__in=codes, active=True).values_list("code", "pk"))
        unknown = sorted(set(codes) - set(found))
        if unknown:
            raise serializers.ValidationError(_("No active agency has the code %s.") % ", ".join(unknown))
        return [found[code] for code in codes]


class VisitFilter(django_filters.FilterSet):
    updated_since = ChangedSinceFilter()
    placement = django_filters.UUIDFilter(field_name="placement__public_id", label="The placement's id")

    class Meta:
        model = HomeVisit
        fields = ["updated_since", "placement"]


VISIT_EXAMPLE = OpenApiExample(
    "A weekly home visit",
    request_only=True,
    value={
        "placement": "6f1c1c1e-3d1b-4a43-9a50-2f3f0c4b9a11",
        "visited_at": "2026-11-20T10:30:00+00:00",
        "kind": "home",
        "staff_names": "Rhian Evans",
        "outcome": "seen",
        "property_in_good_order": True,
        "engagement": "good",
        "support_hours": "1.50",
        "next_visit_on": "2026-11-27",
    },
)


class VisitApi(AccessLoggedAPI):
    """What the visit endpoints share: the scope (`visits:write`, to read as well: there is no
    read scope), staff reading by role, and the agency of the client."""

    permission_classes = [ApiAccess]
    api_resource = "visits"
    staff_rule = staticmethod(can_user_browse_api)

    def api_client(self):
        return getattr(self.request.user, "api_client", None)


class SupportedPlacementViewSet(VisitApi, viewsets.GenericViewSet):
    serializer_class = SupportedPlacementSerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Placement.objects.none()
        today = timezone.localdate()
        api_client = self.api_client()
        if api_client is None:
            return caseload(user=self.request.user, today=today)
        placements = Placement.objects.select_related("offender", "bedspace__property")
        return agency_caseload(agency=api_client.agency, today=today, placements=placements)

    @extend_schema(
        summary="The placements your agency supports today, overdue visits first",
        description="People in residence (and arriving within the week) whose support plan names "
        "your agency, with the address, how often you visit and when your next visit is due. "
        "Record a visit with the placement's `id`.",
        responses={200: SupportedPlacementSerializer(many=True), **API_ERRORS},
    )
    def list(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_queryset(), many=True).data)


@extend_schema_view(
    list=extend_schema(
        summary="Your agency's visits, in the order they changed",
        responses={200: VisitSerializer(many=True), 400: ProblemSerializer, **API_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One visit", responses={200: VisitSerializer, **API_ERRORS, 404: ProblemSerializer}
    ),
    create=extend_schema(
        summary="Record a home visit (with an Idempotency-Key)",
        description="The same rules as the site's form: the person must have arrived and not left, "
        "the visit cannot be in the future or outside the stay, and your agency must be on the "
        "support plan on that day. A concern alerts the IOM team. A retry with the same "
        "Idempotency-Key and body returns the first response and records nothing.",
        parameters=[IDEMPOTENCY_KEY],
        request=VisitCreateSerializer,
        examples=[VISIT_EXAMPLE],
        responses={
            201: VisitSerializer,
            400: OpenApiResponse(ProblemSerializer, description="Invalid fields, each named in `errors`."),
            **API_ERRORS,
            422: OpenApiResponse(
                ProblemSerializer, description="The Idempotency-Key was used for another body."
            ),
        },
    ),
)
class VisitViewSet(VisitApi, viewsets.GenericViewSet):
    serializer_class = VisitSerializer
    lookup_field = "public_id"
    pagination_class = UpdatedAtCursorPagination
    filterset_class = VisitFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return HomeVisit.objects.none()
        api_client = self.api_client()
        if api_client is None:
            return visit_list(user=self.request.user)
        return agency_visits(agency=api_client.agency)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        visit = get_object_or_404(self.get_queryset(), public_id=kwargs["public_id"])
        return Response(self.get_serializer(visit).data)

    def create(self, request, *args, **kwargs):
        return idempotent(request, lambda: self._record(request))

    def _record(self, request) -> Response:
        serializer = VisitCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        # A service's ValidationError becomes a 400 naming each field (iom_housing.api.problems).
        visit = visit_record(
            placement_id=data.pop("placement"),
            api_client=self.api_client(),
            other_agency_ids=data.pop("other_agencies"),
            **data,
        )
        body = self.get_serializer(agency_visits(agency=visit.agency).get(pk=visit.pk)).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": f"{body['id']}/"})
