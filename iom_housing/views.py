"""Site-wide pages: the home page, the health check and the error pages."""

import logging

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import (
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET
from django.views.defaults import page_not_found, permission_denied

from iom_housing.access import (
    can_user_manage_placements,
    can_user_manage_scheme,
    can_user_view_own_agency_work,
    can_user_view_reports,
    require,
)
from iom_housing.i18n import scheme_name
from iom_housing.security.log import security_event

logger = logging.getLogger(__name__)


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


def _api_problem(request, status: int, title: str, detail: str) -> JsonResponse | None:
    """Problem details for an API address (a client reads JSON, not a page), else None."""
    if not request.path.startswith("/api/"):
        return None
    from iom_housing.api.problems import PROBLEM_CONTENT_TYPE
    from iom_housing.i18n import problem_title

    problem = {
        "type": "about:blank",
        "title": problem_title(status, title),
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    return JsonResponse(problem, status=status, content_type=PROBLEM_CONTENT_TYPE)


def not_found(request, exception):
    """The site's "page not found", but problem details for an API address."""
    return _api_problem(request, 404, "Not Found", _("Not found.")) or page_not_found(request, exception)


def forbidden(request, exception):
    """The site's "you do not have permission" (with the request's context: the signed-in user's
    header), problem details for an API address."""
    return _api_problem(request, 403, "Forbidden", _("You do not have permission.")) or permission_denied(
        request, exception
    )


# 400 and 500 pages are written from settings alone: no request context, so no context processor
# (the header's alert count reads the database, which may be what failed) and no request.get_host()
# (a 400 is often a disallowed Host header). If even that fails, a plain page, never a traceback.
_PLAIN_ERROR = (
    '<!DOCTYPE html><html lang="en-gb"><head><meta charset="utf-8"><title>{title} – IOM Housing</title>'
    '</head><body><h1>{title}</h1><p>{text}</p><p><a href="/">Go to the start page</a></p></body></html>'
)


def _settings_only_page(template_name: str, title: str, text: str) -> str:
    context = {
        "scheme_name": scheme_name(),
        "demo_mode": settings.DEBUG,
        "require_2fa": settings.REQUIRE_2FA,
        "without_request": True,
    }
    try:
        return loader.get_template(template_name).render(context)
    except Exception:  # noqa: BLE001 - the error page itself must not fail
        logger.exception("The %s error page could not be rendered", template_name)
        return _PLAIN_ERROR.format(title=title, text=text)


def bad_request(request, exception):
    """400: a request the service cannot read (a bad Host header, a malformed upload)."""
    problem = _api_problem(request, 400, "Bad Request", _("The request could not be understood."))
    if problem is not None:
        return problem
    return HttpResponseBadRequest(
        _settings_only_page(
            "400.html", "Sorry, the service could not understand your request", "Go back and try again."
        )
    )


def server_error(request):
    """500: the styled page, written without the database."""
    problem = _api_problem(request, 500, "Internal Server Error", _("Try again later."))
    if problem is not None:
        return problem
    return HttpResponseServerError(
        _settings_only_page("500.html", "Sorry, there is a problem with the service", "Try again later.")
    )


@requires_csrf_token
def csrf_failure(request, reason: str = "") -> HttpResponse:
    """A form sent without its CSRF token (a page left open past sign-out, cookies blocked): the
    site's page with its header, rather than Django's technical one. The reason goes to the log."""
    logger.warning("CSRF failure on %s: %s", request.path, reason)
    return render(request, "403_csrf.html", status=403)


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """Choosing a password from the link a scheme manager had emailed (`agencies.notifications`):
    Django's reset confirmation, for active accounts only (a link sent before the account was
    switched off stops working). There is no page to ask for a link: only a scheme manager sends
    one, from the users pages."""

    template_name = "registration/password_set_form.html"
    success_url = reverse_lazy("password_set_done")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        response = super().form_valid(form)
        security_event("password_set", user=form.user)
        return response


@require_GET
def password_set_done(request):
    return render(request, "registration/password_set_done.html")


@require_GET
@require(can_user_manage_scheme)
def manage_scheme(request):
    """The scheme managers' start page: their everyday work, and the admin for rare repairs."""
    return render(request, "iom_housing/manage.html")
