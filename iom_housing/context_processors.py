from functools import partial

from django.conf import settings

from iom_housing import access
from iom_housing.i18n import scheme_name

# What a template may ask of the signed-in user: each name answers the rule in `iom_housing.access`
# (the one home of access rules), so a template never compares role names.
TEMPLATE_PERMISSIONS = {
    "has_role": access.has_role,
    "sees_whole_scheme": access.sees_whole_scheme,
    "can_manage_placements": access.can_user_manage_placements,
    "can_manage_scheme": access.can_user_manage_scheme,
    "can_use_admin": access.can_user_use_admin,
    "can_submit_referrals": access.can_user_submit_referrals,
    "can_view_own_agency_work": access.can_user_view_own_agency_work,
    "can_view_reports": access.can_user_view_reports,
    "can_add_case_files": access.can_user_add_case_files,
}


def service(request):
    """The scheme's name, what the signed-in user may do, whether this is a demo or runs without 2FA,
    and the session time-out the warning dialog counts down, for every page.

    Each permission is a callable the template engine calls only when a template reads it (and the
    rules read the user's membership, which Django caches on the user): no query here."""
    user = getattr(request, "user", None)
    return {
        "scheme_name": scheme_name(),
        "demo_mode": settings.DEBUG,
        "require_2fa": settings.REQUIRE_2FA,
        "session_idle_seconds": int(settings.SESSION_IDLE_TIMEOUT.total_seconds()),
        "session_warning_seconds": int(settings.SESSION_TIMEOUT_WARNING.total_seconds()),
        **{name: partial(rule, user) for name, rule in TEMPLATE_PERMISSIONS.items()},
    }
