from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("referrals/", views.referral_list, name="referral-list"),
    path("referrals.csv", views.referral_list_csv, name="referral-list-csv"),
    path("referrals/new/", views.referral_new, name="referral-new"),
    path("my-referrals/", views.my_referrals, name="my-referrals"),
    path("referrals/<uuid:public_id>/", views.referral_detail, name="referral-detail"),
    path(
        "referrals/<uuid:public_id>/review/",
        views.referral_action,
        {"action": "review"},
        name="referral-start-review",
    ),
    path(
        "referrals/<uuid:public_id>/accept/",
        views.referral_action,
        {"action": "accept"},
        name="referral-accept",
    ),
    path(
        "referrals/<uuid:public_id>/decline/",
        views.referral_action,
        {"action": "decline"},
        name="referral-decline",
    ),
    path(
        "referrals/<uuid:public_id>/withdraw/",
        views.referral_action,
        {"action": "withdraw"},
        name="referral-withdraw",
    ),
    path("offenders/", views.offender_list, name="offender-list"),
    path("offenders.csv", views.offender_list_csv, name="offender-list-csv"),
    path("offenders/<uuid:public_id>/", views.offender_detail, name="offender-detail"),
    path("offenders/<uuid:public_id>/events/add/", views.offender_event_add, name="offender-event-add"),
    path(
        "offenders/<uuid:public_id>/sharing-risks/",
        views.offender_sharing_risks,
        name="offender-sharing-risks",
    ),
]
