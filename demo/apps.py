from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Installed only so that Django finds the `seed_demo` and `seed_scale` commands."""

    name = "demo"
    verbose_name = "Demo and benchmark data"
