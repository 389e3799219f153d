from django.apps import AppConfig


class MoveonConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "moveon"
    verbose_name = "Move-on plans"
