from django.urls import path

from aftercare import views

app_name = "aftercare"

urlpatterns = [
    path("aftercare/deposits/", views.deposits, name="deposits"),
    path("aftercare/deposits/<uuid:public_id>/return/", views.deposit_return, name="deposit-return"),
    path("aftercare/placements/<uuid:public_id>/deposit/", views.deposit_pay, name="deposit-pay"),
    path("aftercare/funds/<int:pk>/top-up/", views.fund_top_up, name="fund-top-up"),
    path("aftercare/landlords/", views.landlords, name="landlords"),
    path("aftercare/landlords/new/", views.landlord_add, name="landlord-add"),
    path(
        "aftercare/landlords/<int:pk>/properties/new/",
        views.landlord_property_add,
        name="landlord-property-add",
    ),
    path("aftercare/follow-ups/", views.follow_ups, name="follow-ups"),
    path("aftercare/follow-ups/<uuid:public_id>/", views.follow_up_record, name="follow-up-record"),
]
