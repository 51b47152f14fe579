"""App config for the project's own app: accounts, companies, dashboard."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from portal.middleware import start_session_clock

        user_logged_in.connect(start_session_clock, dispatch_uid="portal.start_session_clock")

        from allauth.mfa.signals import authenticator_added, authenticator_removed

        from portal.signin.gate import mark_enrolled
        from portal.signin.services import audit_factor_change

        authenticator_added.connect(mark_enrolled, dispatch_uid="portal.signin.mark_enrolled")
        # Kept by the connection (weak=False): the receivers are made here, nothing else holds them.
        authenticator_added.connect(audit_factor_change("user.factor_add"), weak=False,
                                    dispatch_uid="portal.signin.audit_add")
        authenticator_removed.connect(audit_factor_change("user.factor_remove"), weak=False,
                                      dispatch_uid="portal.signin.audit_remove")
