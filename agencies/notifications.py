"""The email that lets a member of staff choose their password: sent when a scheme manager adds
them, or sends a new link (a forgotten password). Like every email here it names no one on the
scheme and quotes no case data: only their username and a link that works once, for
PASSWORD_RESET_TIMEOUT. Queued through the outbox in the change's transaction
(`agencies.services.staff_add`, `staff_password_link_send`)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _


def password_link(user) -> str:
    """The address where `user` chooses a password. Django's token: it stops working once they
    have set one, or when it expires."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL.rstrip("/") + reverse("password_set", args=[uid, token])


def password_link_send(*, user_id: int) -> int:
    """1 if sent; 0 if there is no one to send it to (switched off since, or no address)."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None:
        return 0
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    body = (
        _("A scheme manager has sent you a link to choose your password for IOM Housing.")
        + "\n\n"
        + _("Your username is: %(username)s") % {"username": user.username}
        + "\n\n"
        + _("Choose your password here (the link works once, for %(days)s days): %(url)s")
        % {"days": days, "url": password_link(user)}
        + "\n\n"
        + _(
            "Then sign in and set up two-factor authentication with an authenticator app. If the "
            "link has expired, ask your scheme manager for a new one. If you did not expect this "
            "email, tell your scheme manager."
        )
    )
    EmailMessage(
        subject=_("IOM Housing: choose your password"),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    ).send()
    return 1
