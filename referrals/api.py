"""The referrals API for agencies' case systems: read a referral and what became of it."""

import hashlib
import json

import django_filters
from django.core.serializers.json import DjangoJSONEncoder
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets

from iom_housing.access import can_user_use_referrals_api
from iom_housing.api import ApiAccess, ProblemSerializer, UpdatedAtCursorPagination
from placements.models import LicenceTerm, Placement
from referrals.models import Offender, Referral
from referrals.selectors import referral_sync_list


class PersonSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Offender
        fields = ["id", "first_name", "last_name", "date_of_birth", "pnc_id", "crn"]
        read_only_fields = fields


class LicenceTermSerializer(serializers.ModelSerializer):
    class Meta:
        model = LicenceTerm
        fields = ["number", "starts_on", "ends_on"]
        read_only_fields = fields


class PlacementOutcomeSerializer(serializers.ModelSerializer):
    licence_terms = LicenceTermSerializer(many=True, read_only=True)

    class Meta:
        model = Placement
        fields = [
            "status",
            "starts_on",
            "arrived_on",
            "licence_terms",
            "departed_on",
            "departure_reason",
            "destination",
        ]
        read_only_fields = fields


class OutcomeSerializer(serializers.ModelSerializer):
    """What the scheme decided and, once placed, the stay: set by the IOM team, never by a client."""

    decision = serializers.SerializerMethodField()
    placement = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = ["decision", "decided_at", "decline_reason", "placement"]
        read_only_fields = fields

    @extend_schema_field(
        serializers.ChoiceField(
            choices=[(s.value, s.label) for s in Referral.DECIDED_STATUSES], allow_null=True
        )
    )
    def get_decision(self, referral) -> str | None:
        return referral.status if referral.status in Referral.DECIDED_STATUSES else None

    @extend_schema_field(PlacementOutcomeSerializer(allow_null=True))
    def get_placement(self, referral):
        # At most one placement per referral holds a bedspace (a database constraint).
        placements = referral.live_placements
        return PlacementOutcomeSerializer(placements[0]).data if placements else None


class ReferralSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    person = PersonSerializer(source="offender", read_only=True)
    outcome = OutcomeSerializer(source="*", read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "external_ref",
            "status",
            "urgency",
            "needs",
            "wanted_from",
            "submitted_at",
            "updated_at",
            "person",
            "outcome",
        ]
        read_only_fields = fields


class ReferralFilter(django_filters.FilterSet):
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label="Changed at or after (ISO 8601 date-time)"
    )
    status = django_filters.ChoiceFilter(choices=Referral.Status.choices)
    external_ref = django_filters.CharFilter(label="The agency's own reference")

    class Meta:
        model = Referral
        fields = ["updated_since", "status", "external_ref"]


def etag_of(data) -> str:
    """A strong validator of the representation: it changes whenever anything shown changes,
    including the outcome, which lives on the placement rather than the referral."""
    body = json.dumps(data, cls=DjangoJSONEncoder, sort_keys=True).encode()
    return f'"{hashlib.sha256(body).hexdigest()[:32]}"'


ERRORS = {
    401: OpenApiResponse(ProblemSerializer, description="No token, or an expired or revoked one."),
    403: OpenApiResponse(ProblemSerializer, description="The token lacks the scope `referrals:read`."),
}


@extend_schema_view(
    list=extend_schema(
        summary="Referrals your agency made, oldest change first",
        description="Keyset pages in (updated_at, id) order. Keep the `cursor` of the last page and "
        "pass it next time to read only the referrals that changed since.",
        responses={200: ReferralSerializer(many=True), 400: ProblemSerializer, **ERRORS},
    ),
    retrieve=extend_schema(
        summary="One referral and its outcome",
        responses={200: ReferralSerializer, **ERRORS, 404: ProblemSerializer},
    ),
)
class ReferralViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ReferralSerializer
    permission_classes = [ApiAccess]
    api_resource = "referrals"
    staff_rule = staticmethod(can_user_use_referrals_api)
    pagination_class = UpdatedAtCursorPagination
    filterset_class = ReferralFilter
    lookup_field = "public_id"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the schema
            return Referral.objects.none()
        return referral_sync_list(user=self.request.user)

    def finalize_response(self, request, response, *args, **kwargs):
        if request.method == "GET" and response.status_code == 200:
            response["ETag"] = etag_of(response.data)
        return super().finalize_response(request, response, *args, **kwargs)
