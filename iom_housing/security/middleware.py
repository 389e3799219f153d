"""Session time-outs and the two-factor requirement, on every request; the request context the
security log uses; refusing NUL bytes in queries and forms; no caching of what the application
answers; and, when asked for, the Server-Timing header the load benchmark reads."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY

from iom_housing.security.log import current_request, security_event
from iom_housing.security.signals import SESSION_LAST_SEEN, SESSION_STARTED

# The last-seen time is written at most this often, so that a busy page does not write its session
# on every request; the idle time-out is therefore exact to within a minute.
TOUCH_EVERY_SECONDS = 60


def touch_session(request, now: int | None = None) -> None:
    request.session[SESSION_LAST_SEEN] = now or int(time.time())


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


class RefuseNulBytesMiddleware:
    """A NUL byte in a query parameter or a form's field is answered 400 here, before any view,
    filter, admin search or log reads it. PostgreSQL can neither store nor compare text holding
    one, so wherever such a value reached a query (an admin filter, a search, the access log's
    reason) it surfaced as a 500. In the path no URL pattern matches one (a 404); a JSON body is
    the API parser's and its serializers' (`iom_housing.api.parsers`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        where = self.nul_in(request)
        if where is not None:
            return self.refusal(request, where)
        return self.get_response(request)

    @staticmethod
    def nul_in(request) -> str | None:
        """The name of the first parameter holding a NUL byte, or None."""
        sources = [request.GET]
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            sources.append(request.POST)
        for params in sources:
            for name, values in params.lists():
                if "\x00" in name or any("\x00" in value for value in values):
                    return name.replace("\x00", "") or "query"
        return None

    @classmethod
    def refusal(cls, request, where: str) -> HttpResponse:
        response = cls._refusal(request, where)
        add_never_cache_headers(response)  # it comes before NoStoreMiddleware, so says so itself
        return response

    @staticmethod
    def _refusal(request, where: str) -> HttpResponse:
        message = _(
            "The request contains a NUL character, which is never valid here. Remove it and try again."
        )
        if request.path_info.startswith("/api/"):
            from iom_housing.api.problems import PROBLEM_CONTENT_TYPE
            from iom_housing.i18n import problem_title

            problem = {
                "type": "about:blank",
                "title": problem_title(400, "Bad Request"),
                "status": 400,
                "detail": _("Check the fields named in errors."),
                "instance": request.path_info,
                "errors": [{"field": where, "detail": message, "code": "null_characters_not_allowed"}],
            }
            return JsonResponse(problem, status=400, content_type=PROBLEM_CONTENT_TYPE)
        page = format_html(
            '<!DOCTYPE html><html lang="en"><title>{}</title><h1>{}</h1><p>{}</p></html>',
            _("Bad request"),
            _("Bad request"),
            message,
        )
        return HttpResponse(page, status=400, content_type="text/html; charset=utf-8")


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` (with Django's other never-cache directives) on every
    response the application makes, so that neither a shared computer's browser (its back button
    after signing out) nor a proxy keeps a page or an API answer about people's offending. Every
    response, signed in or not: the sign-in and two-factor pages too, and no rule has to guess
    which pages name nobody. Static files are public and keep their long cache: WhiteNoise serves
    them before this middleware (it stands after WhiteNoise in MIDDLEWARE)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


class SessionTimeoutMiddleware:
    """Signs out after SESSION_IDLE_TIMEOUT without a request, and SESSION_ABSOLUTE_TIMEOUT after
    sign-in whatever the activity. The server enforces both; static/js/session-timeout.js only warns."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if SESSION_KEY in session:
            now = int(time.time())
            started = session.setdefault(SESSION_STARTED, now)
            last_seen = session.setdefault(SESSION_LAST_SEEN, now)
            reason = None
            if now - started > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds():
                reason = "absolute"
            elif now - last_seen > settings.SESSION_IDLE_TIMEOUT.total_seconds():
                reason = "idle"
            if reason:
                user_id = session[SESSION_KEY]
                logout(request)
                security_event("session_expired", request=request, user_id=user_id, reason=reason)
                messages.info(request, self.message(reason))
                return redirect_to_login(request.get_full_path())
            if now - last_seen >= TOUCH_EVERY_SECONDS:
                touch_session(request, now)
        return self.get_response(request)

    @staticmethod
    def message(reason: str) -> str:
        if reason == "idle":
            minutes = int(settings.SESSION_IDLE_TIMEOUT.total_seconds() // 60)
            return _("You were signed out because you had not done anything for %(minutes)s minutes.") % {
                "minutes": minutes
            }
        hours = int(settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds() // 3600)
        return _("You were signed out because you had been signed in for %(hours)s hours.") % {"hours": hours}


# Pages a signed-in user reaches before their second factor: setting it up, entering a code,
# signing out, and the health check.
TWO_FACTOR_EXEMPT = {
    "two_factor_setup",
    "two_factor_verify",
    "session_keep_alive",
    "logout",
    "healthz",
    "admin:logout",
}


class TwoFactorMiddleware:
    """With REQUIRE_2FA on, a signed-in user whose session has not passed a TOTP code reaches
    only the two-factor pages and sign-out. The verified device's id is kept in the session (as
    django-otp's `login` does); removing a device ends its user's sessions (signals.py), so the
    session is trusted without a query on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.REQUIRE_2FA or DEVICE_ID_SESSION_KEY in request.session:
            return None
        if request.resolver_match.view_name in TWO_FACTOR_EXEMPT:
            return None
        if not request.user.is_authenticated:
            return None
        target = reverse("two_factor_verify")
        next_url = request.get_full_path()
        return redirect(f"{target}?{urlencode({'next': next_url})}" if next_url != "/" else target)
