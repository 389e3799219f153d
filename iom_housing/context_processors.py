from django.conf import settings

from iom_housing.access import can_user_manage_placements, role_of


def service(request):
    """The scheme's name, the signed-in user's role, whether this is a demo or runs without 2FA,
    and the session time-out the warning dialog counts down, for every page."""
    return {
        "scheme_name": settings.SCHEME_NAME,
        "user_role": role_of(getattr(request, "user", None)),
        "demo_mode": settings.DEBUG,
        "require_2fa": settings.REQUIRE_2FA,
        "session_idle_seconds": int(settings.SESSION_IDLE_TIMEOUT.total_seconds()),
        "session_warning_seconds": int(settings.SESSION_TIMEOUT_WARNING.total_seconds()),
        "can_manage_placements": can_user_manage_placements(getattr(request, "user", None)),
    }
