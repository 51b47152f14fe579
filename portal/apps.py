"""App config for the project's own app: accounts, companies, dashboard."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"
