from django.contrib import admin
from django.urls import include, path

from iom_housing import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("placements.urls")),
    path("", include("referrals.urls")),
    path("admin/", admin.site.urls),
]
