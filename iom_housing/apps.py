from django.apps import AppConfig


class IomHousingConfig(AppConfig):
    name = "iom_housing"
    verbose_name = "IOM Housing"
