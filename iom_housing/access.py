"""Who may do what: roles and the access rules every view and API call asks (one place)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    IOM_OFFICER = "iom_officer", _("IOM officer")
    AGENCY_WORKER = "agency_worker", _("Agency worker")
    SCHEME_MANAGER = "scheme_manager", _("Scheme manager")
    OPCC_ANALYST = "opcc_analyst", _("OPCC analyst")


def role_of(user) -> Role | None:
    """The user's role from their active staff membership, or None (no access to case data)."""
    if not getattr(user, "is_authenticated", False):
        return None
    membership = getattr(user, "membership", None)
    if membership is None or not membership.active:
        return None
    return Role(membership.role)


def can_user_manage_scheme(user) -> bool:
    """Scheme managers run the admin: properties, agencies, users, funding and unit costs."""
    return role_of(user) == Role.SCHEME_MANAGER
