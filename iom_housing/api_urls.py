"""The API's URLs (namespace "api"): version 1 resources, the OpenAPI schema and its docs."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from agencies.api import SupportedPlacementViewSet, VisitViewSet
from referrals.api import ReferralEventViewSet, ReferralViewSet

app_name = "api"

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
        "v1/referrals/by-ref/<str:external_ref>",
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
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
