"""The API's URLs (namespace "api"): version 1 resources, the OpenAPI schema and its docs."""

from django.urls import path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from aftercare.api import FollowUpViewSet
from agencies.api import SupportedPlacementViewSet, VisitViewSet
from moveon.api import MoveOnActionViewSet
from referrals.api import ReferralEventViewSet, ReferralViewSet

app_name = "api"


class AgencyReference:
    """An agency's own reference in a path: printable, no slash, at most 100 characters (the
    field's length). Anything else matches no address (a 404), never reaching the database."""

    regex = r"[^/\x00-\x1f\x7f]{1,100}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(AgencyReference, "agency_ref")

urlpatterns = [
    path("v1/referrals/", ReferralViewSet.as_view({"get": "list", "post": "create"}), name="referral-list"),
    path("v1/referrals/events/", ReferralEventViewSet.as_view({"get": "feed"}), name="referral-events"),
    path(
        "v1/referrals/<uuid:public_id>/",
        ReferralViewSet.as_view({"get": "retrieve", "put": "update", "patch": "partial_update"}),
        name="referral-detail",
    ),
    path(
        "v1/referrals/<uuid:public_id>/withdraw/",
        ReferralViewSet.as_view({"post": "withdraw"}),
        name="referral-withdraw",
    ),
    path(
        "v1/referrals/by-ref/<agency_ref:external_ref>",
        ReferralViewSet.as_view({"get": "retrieve_by_ref", "put": "upsert_by_ref"}),
        name="referral-by-ref",
    ),
    path("v1/visits/", VisitViewSet.as_view({"get": "list", "post": "create"}), name="visit-list"),
    path(
        "v1/visits/placements/",
        SupportedPlacementViewSet.as_view({"get": "list"}),
        name="visit-placements",
    ),
    path("v1/visits/<uuid:public_id>/", VisitViewSet.as_view({"get": "retrieve"}), name="visit-detail"),
    path("v1/aftercare/follow-ups/", FollowUpViewSet.as_view({"get": "list"}), name="followup-list"),
    path(
        "v1/aftercare/follow-ups/<uuid:public_id>/",
        FollowUpViewSet.as_view({"get": "retrieve"}),
        name="followup-detail",
    ),
    path(
        "v1/aftercare/follow-ups/<uuid:public_id>/record/",
        FollowUpViewSet.as_view({"post": "record"}),
        name="followup-record",
    ),
    path(
        "v1/moveon/actions/",
        MoveOnActionViewSet.as_view({"get": "list", "post": "create"}),
        name="moveon-action-list",
    ),
    path(
        "v1/moveon/actions/<uuid:public_id>/",
        MoveOnActionViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="moveon-action-detail",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
