"""App config of the demo harness (an app so that ``run_demo`` and ``seed_demo`` are management commands)."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "demo"
    verbose_name = "Demo"
