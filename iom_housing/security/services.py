"""What a scheme manager does to a user's sign-in from the admin: end their sessions, reset their
authenticator."""

from django.contrib.auth.models import User
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from iom_housing.security.log import security_event
from iom_housing.security.sessions import end_user_sessions


def user_sessions_end(*, user: User, by: User) -> int:
    """Signs `user` out everywhere now (a scheme manager's admin action); returns how many sessions
    ended."""
    with transaction.atomic():
        ended = end_user_sessions(user)
    security_event("sessions_ended", user=by, subject_user_id=user.pk, sessions=ended)
    return ended


def user_two_factor_reset(*, user: User, by: User) -> None:
    """Removes the user's authenticator (a lost phone): they set up a new one at their next
    sign-in. Their sessions end with it (iom_housing/security/signals.py)."""
    with transaction.atomic():
        for device in TOTPDevice.objects.select_for_update().filter(user=user):
            device.delete()
