"""Site-wide pages: the home page and the health check."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.defaults import page_not_found

from iom_housing.access import (
    can_user_manage_placements,
    can_user_view_own_agency_work,
    can_user_view_reports,
)


@require_GET
def home(request):
    """What the service is; signed-in officers go straight to their dashboard, agency workers to
    their caseload, OPCC analysts to the evaluation report."""
    if can_user_manage_placements(request.user):
        return redirect("placements:dashboard")
    if can_user_view_own_agency_work(request.user):
        return redirect("agencies:caseload")
    if can_user_view_reports(request.user):  # OPCC analysts: the only ones left who may
        return redirect("reports:report")
    return render(request, "iom_housing/home.html")


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy
        return f"error: {type(error).__name__}"


def _broker_status() -> str:
    if not settings.REDIS_URL:
        return "eager (no broker configured)"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
        return "ok"
    except redis.RedisError as error:
        return f"error: {type(error).__name__}"


@never_cache
@require_GET
def healthz(request):
    """For docker-compose health checks and monitoring: 200 when healthy, 503 when not."""
    checks = {"database": _database_status(), "broker": _broker_status()}
    healthy = all(not value.startswith("error") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", **checks}, status=200 if healthy else 503
    )


def not_found(request, exception):
    """The site's "page not found", but problem details for an API address (a client reads JSON)."""
    if request.path.startswith("/api/"):
        from iom_housing.api.problems import PROBLEM_CONTENT_TYPE

        problem = {
            "type": "about:blank",
            "title": "Not Found",
            "status": 404,
            "detail": "Not found.",
            "instance": request.get_full_path(),
        }
        return JsonResponse(problem, status=404, content_type=PROBLEM_CONTENT_TYPE)
    return page_not_found(request, exception)
