"""The API's URLs (namespace "api"): version 1 resources, the OpenAPI schema and its docs."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from referrals.api import ReferralViewSet

app_name = "api"

urlpatterns = [
    path("v1/referrals/", ReferralViewSet.as_view({"get": "list"}), name="referral-list"),
    path(
        "v1/referrals/<uuid:public_id>/",
        ReferralViewSet.as_view({"get": "retrieve"}),
        name="referral-detail",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
