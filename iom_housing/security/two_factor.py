"""Two-factor sign-in (TOTP, django-otp): setting up an authenticator app, entering its code after
the password, and keeping a session alive from the time-out warning."""

import logging
from base64 import b32encode
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from iom_housing.security.log import security_event
from iom_housing.security.middleware import touch_session

DEVICE_NAME = "Authenticator app"


class CodeForm(forms.Form):
    """The 6-digit code. Spaces are allowed (apps show "123 456") and pasting works."""

    code = forms.CharField(label=gettext_lazy("Code from your authenticator app"), max_length=20)

    def __init__(self, *args, device=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split()).replace("-", "")
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("Enter the 6-digit code from your authenticator app"))
        allowed, details = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError(
                _("You entered a wrong code too many times. Wait a minute, then enter a new code")
            )
        if not self.device.verify_token(code):
            raise forms.ValidationError(
                _("The code is not correct or has already been used. Wait for a new code and try again")
            )
        return code


def _next_url(request, fallback: str = "") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or fallback
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return settings.LOGIN_REDIRECT_URL


def _confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def _verified(request, device, event: str):
    """The session has passed the second factor: a new session key, as at any change of privilege."""
    otp_login(request, device)
    request.session.cycle_key()
    security_event(event, request=request, factor="totp")


def _qr_code_svg(device) -> str:
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=2, dark="#0b0c0c", light="#ffffff", svgclass="app-qr-code__image", omitsize=False
    )
    # The key is given in text beside it, so the picture's label says what it is, not what it holds.
    label = _("QR code to scan with your authenticator app")
    # segno's own SVG markup, with no user input in it.
    return format_html('<span role="img" aria-label="{}">{}</span>', label, mark_safe(svg))  # noqa: S308  # nosec B308


def _manual_key(device) -> str:
    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@never_cache
@login_required
def setup(request):
    """Enrolment: a QR code and the same key in text; the first correct code confirms the device."""
    if _confirmed_device(request.user):
        messages.info(request, _("Two-factor authentication is already set up on your account."))
        return redirect(_next_url(request))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name=DEVICE_NAME, confirmed=False)
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST":
        if form.is_valid():
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
            _verified(request, device, "2fa_enrolled")
            messages.success(
                request, _("Two-factor authentication is set up. You will need a code each time you sign in.")
            )
            return redirect(_next_url(request))
        security_event("2fa_code_refused", request=request, stage="enrolment", level=logging.WARNING)
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr_code": _qr_code_svg(device),
            "manual_key": _manual_key(device),
            "next": _next_url(request),
        },
    )


@never_cache
@login_required
def verify(request):
    """The second step of signing in: the code from the user's authenticator app."""
    if DEVICE_ID_SESSION_KEY in request.session:
        return redirect(_next_url(request))
    device = _confirmed_device(request.user)
    if device is None:
        query = f"?{urlencode({'next': request.GET['next']})}" if request.GET.get("next") else ""
        return redirect(reverse("two_factor_setup") + query)
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST":
        if form.is_valid():
            _verified(request, device, "sign_in_2fa")
            return redirect(_next_url(request))
        security_event("2fa_code_refused", request=request, stage="sign_in", level=logging.WARNING)
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _next_url(request)})


@require_POST
@login_required
def keep_alive(request):
    """ "Stay signed in" on the time-out warning: counts as activity and says when the session
    will time out now (the absolute time-out still applies)."""
    touch_session(request)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"idle_timeout_seconds": int(settings.SESSION_IDLE_TIMEOUT.total_seconds())})
    return redirect(_next_url(request, fallback=request.headers.get("Referer", "")))
