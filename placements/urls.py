from django.urls import path

from placements import views, views_ending, views_licence, views_properties

app_name = "placements"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("properties/", views.property_list, name="property-list"),
    path("properties/<int:pk>/", views.property_detail, name="property-detail"),
    # Scheme managers' pages for the stock (placements/views_properties.py).
    path("properties/add/", views_properties.property_add, name="property-add"),
    path("properties/<int:pk>/change/", views_properties.property_change, name="property-change"),
    path("properties/<int:pk>/bedspaces/add/", views_properties.bedspace_add, name="bedspace-add"),
    path("bedspaces/<int:pk>/change/", views_properties.bedspace_change, name="bedspace-change"),
    path("bedspaces/<int:pk>/voids/add/", views.void_add, name="void-add"),
    path("voids/<int:pk>/end/", views.void_end, name="void-end"),
    path("offenders/<uuid:public_id>/exclusions/add/", views.exclusion_add, name="exclusion-add"),
    path("referrals/<uuid:public_id>/place/", views.find_bedspace, name="find-bedspace"),
    path("referrals/<uuid:public_id>/place/book/", views.place, name="place"),
    path("referrals/<uuid:public_id>/place/check/", views.place_check, name="place-check"),
    path("placements/<uuid:public_id>/", views.placement_detail, name="placement-detail"),
    path(
        "placements/<uuid:public_id>/confirm/",
        views.placement_action,
        {"action": "confirm"},
        name="placement-confirm",
    ),
    path(
        "placements/<uuid:public_id>/arrive/",
        views.placement_action,
        {"action": "arrive"},
        name="placement-arrive",
    ),
    path(
        "placements/<uuid:public_id>/not-arrived/",
        views.placement_action,
        {"action": "not-arrived"},
        name="placement-not-arrived",
    ),
    path(
        "placements/<uuid:public_id>/cancel/",
        views.placement_action,
        {"action": "cancel"},
        name="placement-cancel",
    ),
    path(
        "placements/<uuid:public_id>/renew/",
        views.placement_action,
        {"action": "renew"},
        name="placement-renew",
    ),
    path("placements/<uuid:public_id>/end/", views_ending.placement_end, name="placement-end"),
    path(
        "placements/<uuid:public_id>/end/check/", views_ending.placement_end_check, name="placement-end-check"
    ),
    path("placements/<uuid:public_id>/ending/correct/", views_ending.ending_correct, name="ending-correct"),
    path("placements/<uuid:public_id>/move/", views.placement_transfer, name="placement-transfer"),
    path("placements/<uuid:public_id>/support/", views.support_plan_edit, name="support-plan"),
    # The licence to occupy (placements/views_licence.py).
    path("licence-wording/", views_licence.wording_detail, name="licence-wording"),
    path("licence-wording/change/", views_licence.wording_edit, name="licence-wording-edit"),
    path(
        "placements/<uuid:public_id>/terms/<int:number>/agreement.pdf",
        views_licence.agreement_pdf,
        name="licence-agreement",
    ),
    path(
        "placements/<uuid:public_id>/terms/<int:number>/agreement/",
        views_licence.agreement_record,
        name="licence-agreement-record",
    ),
    path("placements/<uuid:public_id>/conditions/add/", views_licence.condition_add, name="condition-add"),
    path(
        "placements/<uuid:public_id>/conditions/remove/",
        views_licence.condition_remove,
        name="condition-remove",
    ),
    path("placements/<uuid:public_id>/warnings/add/", views_licence.warning_add, name="warning-add"),
    path("placements/<uuid:public_id>/end-for-breach/", views_licence.breach_end, name="breach-end"),
    path(
        "placements/<uuid:public_id>/end-for-breach/check/",
        views_licence.breach_end_check,
        name="breach-end-check",
    ),
]
