from django.urls import path

from agencies import views

app_name = "agencies"

urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("caseload.csv", views.caseload_csv, name="caseload-csv"),
    path("visits/due/", views.visits_due, name="visits-due"),
    path("placements/<uuid:public_id>/visits/", views.placement_visits, name="placement-visits"),
    path("placements/<uuid:public_id>/visits/new/", views.visit_record, name="visit-record"),
    path("visits/<int:pk>/", views.visit_detail, name="visit-detail"),
    path("visits/<int:pk>/correct/", views.visit_correct, name="visit-correct"),
]
