from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("audit/access-log/", views.access_log, name="access-log"),
    path("audit/access-log/<uuid:public_id>.csv", views.access_log_csv, name="access-log-csv"),
    path("audit/retention/", views.retention_list, name="retention"),
    path("audit/retention/<uuid:public_id>/", views.retention_review, name="retention-review"),
    path("audit/subject-access/<uuid:public_id>/", views.subject_access, name="subject-access"),
]
