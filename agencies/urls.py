from django.urls import path

from agencies import staff_pages, views

app_name = "agencies"

urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("caseload.csv", views.caseload_csv, name="caseload-csv"),
    path("visits/due/", views.visits_due, name="visits-due"),
    path("placements/<uuid:public_id>/visits/", views.placement_visits, name="placement-visits"),
    path("placements/<uuid:public_id>/visits/new/", views.visit_record, name="visit-record"),
    path("visits/<int:pk>/", views.visit_detail, name="visit-detail"),
    path("visits/<int:pk>/correct/", views.visit_correct, name="visit-correct"),
    # Users and roles (scheme managers).
    path("manage/users/", staff_pages.staff_list, name="staff-list"),
    path("manage/users/new/", staff_pages.staff_add, name="staff-add"),
    path("manage/users/<int:pk>/", staff_pages.staff_detail, name="staff-detail"),
    path("manage/users/<int:pk>/change/", staff_pages.staff_change, name="staff-change"),
    path("manage/users/<int:pk>/switch-off/", staff_pages.staff_switch_off, name="staff-switch-off"),
    path("manage/users/<int:pk>/switch-on/", staff_pages.staff_switch_on, name="staff-switch-on"),
    path(
        "manage/users/<int:pk>/reset-two-factor/",
        staff_pages.staff_reset_two_factor,
        name="staff-reset-two-factor",
    ),
    path("manage/users/<int:pk>/password-link/", staff_pages.staff_password_link, name="staff-password-link"),
]
