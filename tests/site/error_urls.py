"""The site's URLs plus three that fail on purpose, for the error-page tests."""

from django.core.exceptions import SuspiciousOperation
from django.db import OperationalError
from django.urls import path

from iom_housing.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def _broken(request):
    raise RuntimeError("a bug")


def _database_down(request):
    raise OperationalError("connection refused")


def _suspicious(request):
    raise SuspiciousOperation("a malformed request")


urlpatterns = [
    path("test-errors/broken/", _broken),
    path("test-errors/database-down/", _database_down),
    path("test-errors/suspicious/", _suspicious),
    *urlpatterns,
]
