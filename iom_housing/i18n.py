"""The service in English and Welsh: each user's chosen language, the header's language link, and
the language a document or an email is written in.

The language is, in order: the signed-in user's saved preference (`StaffMembership.
preferred_language`), else Django's language cookie (set by the language link, so signed-out
pages such as the sign-in and error pages keep the choice), else the browser's Accept-Language
(which is how API clients ask for Welsh problem details), else English.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.utils.functional import lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

WELSH = "cy"
ENGLISH = "en-gb"

# HTTP's reason phrases as an API problem's `title`, in the language the client asked for.
PROBLEM_TITLES = {
    400: pgettext_lazy("HTTP status", "Bad Request"),
    401: pgettext_lazy("HTTP status", "Unauthorized"),
    403: pgettext_lazy("HTTP status", "Forbidden"),
    404: pgettext_lazy("HTTP status", "Not Found"),
    405: pgettext_lazy("HTTP status", "Method Not Allowed"),
    406: pgettext_lazy("HTTP status", "Not Acceptable"),
    409: pgettext_lazy("HTTP status", "Conflict"),
    412: pgettext_lazy("HTTP status", "Precondition Failed"),
    413: pgettext_lazy("HTTP status", "Request Entity Too Large"),
    415: pgettext_lazy("HTTP status", "Unsupported Media Type"),
    422: pgettext_lazy("HTTP status", "Unprocessable Entity"),
    428: pgettext_lazy("HTTP status", "Precondition Required"),
    429: pgettext_lazy("HTTP status", "Too Many Requests"),
    500: pgettext_lazy("HTTP status", "Internal Server Error"),
    503: pgettext_lazy("HTTP status", "Service Unavailable"),
}


def _scheme_name() -> str:
    if translation.get_language() == "cy" and settings.SCHEME_NAME_CY:
        return settings.SCHEME_NAME_CY
    return settings.SCHEME_NAME


# The scheme's name in the language of the text it is written into (read when rendered, so the
# Welsh half of a bilingual document has the Welsh name).
scheme_name = lazy(_scheme_name, str)


def problem_title(status: int, default: str = "") -> str:
    title = PROBLEM_TITLES.get(status)
    return str(title) if title is not None else default


def supported(code: str | None) -> str | None:
    """`code` if the service speaks it ("cy", "en-gb"), else None."""
    return code if code in dict(settings.LANGUAGES) else None


def preferred_language(user: AbstractBaseUser | AnonymousUser | None) -> str | None:
    """The language `user` chose, or None (never chosen, or no membership)."""
    if user is None or not user.is_authenticated:
        return None
    membership = getattr(user, "membership", None)  # cached on the user by Django: the access rules read it
    return supported(getattr(membership, "preferred_language", "") or None)


def language_for(user: AbstractBaseUser | AnonymousUser | None) -> str:
    """The language to write to `user` in when they are not there to ask (an email, a file made
    in the background): their choice, else the service's default."""
    return preferred_language(user) or settings.LANGUAGE_CODE


@contextmanager
def written_for(user: AbstractBaseUser | AnonymousUser | None) -> Iterator[str]:
    """Translate everything inside in `user`'s language."""
    language = language_for(user)
    with translation.override(language):
        yield language


def html_lang(code: str | None) -> str:
    """The BCP 47 tag for `<html lang>` and `lang` attributes: "cy", "en-GB"."""
    language, _, region = (code or settings.LANGUAGE_CODE).partition("-")
    return f"{language}-{region.upper()}" if region else language


def resident_document_languages() -> list[str]:
    """The languages a document for a resident is written in, in order (SCHEME_RESIDENT_DOCUMENTS):
    Welsh first on a bilingual scheme."""
    return {"bilingual": [WELSH, ENGLISH], "cy": [WELSH], "en": [ENGLISH]}[settings.SCHEME_RESIDENT_DOCUMENTS]


class PreferredLanguageMiddleware:
    """After AuthenticationMiddleware: a signed-in user's saved language wins over the cookie and
    the browser (LocaleMiddleware has chosen from those already), and the cookie is brought into
    line with it, so that the sign-in page after signing out stays in their language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = preferred_language(getattr(request, "user", None))
        if language is not None and language != translation.get_language():
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if (
            language is not None
            and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language
            and settings.LANGUAGE_COOKIE_NAME not in response.cookies  # the language link's own choice
        ):
            remember(response, language)
        return response


def remember(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@require_GET
def switch(request: HttpRequest, language: str) -> HttpResponse:
    """The header's "Cymraeg" / "English" link, as GOV.UK services have it: back to the same page
    in the other language, remembered in the cookie, and saved on the account when signed in.

    A link rather than a form (GOV.UK's pattern): all it changes is the language the pages are
    written in, which a forged link can only set to the other of two the user reads anyway."""
    chosen = supported(language)
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if chosen is None:
        return response
    from agencies.models import StaffMembership

    if request.user.is_authenticated:
        StaffMembership.objects.filter(user_id=request.user.pk).update(preferred_language=chosen)
    remember(response, chosen)
    return response


def other_language(current: str | None) -> dict[str, Any]:
    """What the header's language link shows: the other language, named in itself."""
    if (current or "").startswith(WELSH):
        return {"code": ENGLISH, "name": "English", "lang": "en"}
    return {"code": WELSH, "name": "Cymraeg", "lang": WELSH}
