"""OAuth 2.0 client credentials for agencies' case systems: which client may have a token, the
client as a request's user, per-method scope checks and per-client throttling."""

import logging

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.contrib.django_oauth_toolkit import DjangoOAuthToolkitScheme
from oauth2_provider.contrib.rest_framework import OAuth2Authentication, TokenHasScope
from oauth2_provider.models import AccessToken
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import SettingsScopes
from oauth2_provider.views import TokenView
from oauthlib.oauth2.rfc6749.errors import UnsupportedGrantTypeError
from redis.exceptions import RedisError
from rest_framework import exceptions
from rest_framework.throttling import SimpleRateThrottle

from agencies.models import ApiClient
from iom_housing.access import api_scope_required, can_api_client_use_scope

logger = logging.getLogger(__name__)


# Authentication --------------------------------------------------------------------------------


def _usable_api_client(application):
    """The application's ApiClient (with its agency, in one query) when the client and its agency
    are active, else None."""
    return (
        ApiClient.objects.select_related("agency")
        .filter(application=application, active=True, agency__active=True)
        .first()
    )


class ApiClientValidator(OAuth2Validator):
    """Only a registered, active client of an active agency is given a token."""

    def authenticate_client(self, request, *args, **kwargs) -> bool:
        if not super().authenticate_client(request, *args, **kwargs):
            return False
        return _usable_api_client(request.client) is not None


class ApiClientScopes(SettingsScopes):
    """A client may ask only for the scopes a scheme manager gave it; with none named it gets
    `referrals:read` if it holds that."""

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        api_client = _usable_api_client(application) if application is not None else None
        return list(api_client.scopes) if api_client else []

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        available = self.get_available_scopes(application, request)
        return [scope for scope in super().get_default_scopes() if scope in available]


class ApiClientUser:
    """`request.user` for an agency's case system: no person, only the client and its agency."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = id = None
    membership = None  # no role: the page rules in access.py refuse it

    def __init__(self, api_client):
        self.api_client = api_client

    def __str__(self) -> str:
        return str(self.api_client)


class ApiClientAuthentication(OAuth2Authentication):
    """A bearer token from the client-credentials grant: `request.user` is the client (an
    `ApiClientUser`), `request.auth` the token."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        api_client = None if user is not None else _usable_api_client(token.application)
        if api_client is None:
            raise exceptions.AuthenticationFailed(_("This client is not registered or has been stopped."))
        return ApiClientUser(api_client), token


class ApiClientScheme(DjangoOAuthToolkitScheme):
    target_class = ApiClientAuthentication


class ClientCredentialsTokenView(TokenView):
    """`/o/token/` for agencies' case systems, which use the client-credentials grant alone. Any other
    grant named is refused with OAuth's own error (RFC 6749 section 5.2, `unsupported_grant_type`)
    before django-oauth-toolkit dispatches it: its device-code branch read a parameter that may be
    absent and answered 500. A request naming no grant is oauthlib's to refuse."""

    def post(self, request, *args, **kwargs):
        grant_type = request.POST.get("grant_type")
        if grant_type is not None and grant_type != "client_credentials":
            error = UnsupportedGrantTypeError(
                description=_("Only the client_credentials grant is offered here.")
            )
            response = HttpResponse(error.json, status=error.status_code, content_type="application/json")
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
            return response
        return super().post(request, *args, **kwargs)


# Permission ------------------------------------------------------------------------------------


class ApiAccess(TokenHasScope):
    """A client by its token's scope for the method (`<view.api_resource>:read` or `:write`);
    staff signed in to the site by `view.staff_rule(user, method)`."""

    def get_scopes(self, request, view):
        return [api_scope_required(request.method, view.api_resource)]

    def has_permission(self, request, view) -> bool:
        if isinstance(request.auth, AccessToken):
            [scope] = self.get_scopes(request, view)
            if can_api_client_use_scope(request.user.api_client, request.auth, scope):
                return True
            self.message = {
                "detail": _("This token does not have the scope %s.") % scope,
                "required_scopes": [scope],
            }
            return False
        return bool(request.user and request.user.is_authenticated) and view.staff_rule(
            request.user, request.method
        )


# Throttling ------------------------------------------------------------------------------------


class ApiClientThrottle(SimpleRateThrottle):
    """`API_THROTTLE_RATE` requests per client (or per signed-in member of staff); beyond it a
    429 with `Retry-After`. Counted in the cache (Redis when REDIS_URL is set, so across workers)."""

    scope = "api"

    def get_rate(self):
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request, view):
        api_client = getattr(request.user, "api_client", None)
        if api_client is not None:
            ident = f"client-{api_client.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        # The counters are in Redis: while it does not answer (the cache's socket timeouts keep
        # that short), a request goes through unthrottled rather than failing, as a visit must be
        # recordable with Redis down (docs/adr/005-durable-task-handoff.md).
        try:
            return super().allow_request(request, view)
        except RedisError:
            logger.warning("API throttle counters unreachable: request let through", exc_info=True)
            return True
