"""App config for the project's own app: accounts, companies, dashboard."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from portal.middleware import start_session_clock

        user_logged_in.connect(start_session_clock, dispatch_uid="portal.start_session_clock")
