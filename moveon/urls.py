from django.urls import path

from moveon import views

app_name = "moveon"

urlpatterns = [
    path("placements/<uuid:public_id>/move-on/dates/", views.plan_dates, name="plan-dates"),
    path("placements/<uuid:public_id>/move-on/actions/add/", views.action_add, name="action-add"),
    path("move-on/actions/<uuid:public_id>/", views.action_progress, name="action-progress"),
    path("move-on/actions/<uuid:public_id>/change/", views.action_edit, name="action-edit"),
]
