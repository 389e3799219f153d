"""The roles a member of staff holds. Apart from the access rules (`iom_housing/access.py`, which
hands the name on) so that the staff membership model can name them without importing the rules,
which read the models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    IOM_OFFICER = "iom_officer", _("IOM officer")
    AGENCY_WORKER = "agency_worker", _("Agency worker")
    SCHEME_MANAGER = "scheme_manager", _("Scheme manager")
    OPCC_ANALYST = "opcc_analyst", _("OPCC analyst")
