"""Security receivers: log sign-in, sign-out, lockouts, two-factor and role changes, and end a
user's sessions when they are deactivated or lose their authenticator, whatever code made the change
(admin, shell, a service)."""

import logging
import time

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model, user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import StaffMembership
from iom_housing.security.log import security_event
from iom_housing.security.sessions import end_user_sessions

User = get_user_model()

# Session keys: when the user signed in and when they were last active (Unix seconds).
SESSION_STARTED = "iom_session_started"
SESSION_LAST_SEEN = "iom_session_last_seen"


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    # Django has already given the session a new key (cycle_key) for this sign-in.
    now = int(time.time())
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_STARTED] = now
        request.session[SESSION_LAST_SEEN] = now
    security_event("sign_in", request=request, user=user, factor="password")


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    # `credentials` has the password already masked by Django; only the username is kept.
    security_event(
        "sign_in_failed",
        request=request,
        attempted_username=credentials.get("username"),
        level=logging.WARNING,
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    security_event("locked_out", request=request, attempted_username=username, level=logging.WARNING)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        security_event("sign_out", request=request, user=user)


@receiver(post_delete, sender=TOTPDevice)
def _device_removed(sender, instance, **kwargs):
    if instance.confirmed:
        # Sessions verified with this authenticator end with it.
        user = User(pk=instance.user_id)
        transaction.on_commit(lambda: end_user_sessions(user))
        security_event("2fa_removed", subject_user_id=instance.user_id, level=logging.WARNING)


def _previous(sender, instance, fields):
    if instance._state.adding or instance.pk is None:
        return None
    return sender.objects.filter(pk=instance.pk).values(*fields).first()


USER_FIELDS = ("is_active", "is_superuser", "is_staff")
MEMBERSHIP_FIELDS = ("role", "agency_id", "active")


@receiver(pre_save, sender=User)
def _user_before(sender, instance, update_fields=None, **kwargs):
    # Sign-in saves only last_login: no need to compare then.
    if update_fields is not None and not set(update_fields) & set(USER_FIELDS):
        instance._security_before = None
        return
    instance._security_before = _previous(sender, instance, USER_FIELDS)


@receiver(post_save, sender=User)
def _user_after(sender, instance, created, **kwargs):
    before = getattr(instance, "_security_before", None)
    instance._security_before = None
    if created:
        if instance.is_superuser:
            security_event(
                "role_changed", subject_user_id=instance.pk, change={"is_superuser": [False, True]}
            )
        return
    if not before:
        return
    changes = {f: [before[f], getattr(instance, f)] for f in USER_FIELDS if before[f] != getattr(instance, f)}
    if changes:
        security_event("role_changed", subject_user_id=instance.pk, change=changes, level=logging.WARNING)
    if before["is_active"] and not instance.is_active:
        transaction.on_commit(lambda: end_user_sessions(instance))
        security_event("user_deactivated", subject_user_id=instance.pk, level=logging.WARNING)


@receiver(pre_save, sender=StaffMembership)
def _membership_before(sender, instance, **kwargs):
    instance._security_before = _previous(sender, instance, MEMBERSHIP_FIELDS)


@receiver(post_save, sender=StaffMembership)
def _membership_after(sender, instance, created, **kwargs):
    before = getattr(instance, "_security_before", None) or dict.fromkeys(MEMBERSHIP_FIELDS)
    changes = {
        f: [before[f], getattr(instance, f)] for f in MEMBERSHIP_FIELDS if before[f] != getattr(instance, f)
    }
    if changes:
        security_event(
            "role_changed", subject_user_id=instance.user_id, change=changes, level=logging.WARNING
        )


@receiver(post_delete, sender=StaffMembership)
def _membership_removed(sender, instance, **kwargs):
    security_event(
        "role_changed",
        subject_user_id=instance.user_id,
        change={"role": [instance.role, None]},
        level=logging.WARNING,
    )
