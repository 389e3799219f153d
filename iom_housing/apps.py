from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class IomHousingConfig(AppConfig):
    name = "iom_housing"
    verbose_name = "IOM Housing"

    def ready(self):
        from iom_housing import checks  # noqa: F401 - registers the checks
        from iom_housing.security import signals  # noqa: F401 - connects the security receivers


class IomHousingAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, served by the site that lets scheme managers in (iom_housing/admin.py).

    `default = False` so that this class is not taken for the iom_housing app's own config; the
    admin module is imported, not its AdminConfig class, for the same reason.
    """

    default = False
    default_site = "iom_housing.admin.IomHousingAdminSite"
