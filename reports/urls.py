from django.urls import path

from reports import assumptions, funding, views

app_name = "reports"

urlpatterns = [
    path("reports/", views.report, name="report"),
    path("reports/download/", views.download, name="download"),
    path("reports/exports/<uuid:pk>/", views.export_detail, name="export-detail"),
    path("reports/exports/<uuid:pk>/file/", views.export_download, name="export-download"),
    path("reports/assumptions/", assumptions.assumptions, name="assumptions"),
    path("reports/assumptions/<int:pk>/", assumptions.assumption_edit, name="assumption-edit"),
    path("manage/funding/", funding.funding_list, name="funding"),
    path("manage/funding/new/", funding.funding_add, name="funding-add"),
    path("manage/funding/<int:pk>/", funding.funding_edit, name="funding-edit"),
]
