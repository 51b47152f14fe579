"""App config of the demo harness (an app so that ``run_demo`` and ``seed_demo`` are management commands)."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "demo"
    verbose_name = "Demo"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from demo.signin import offer_demo_secret

        # The demo admin's printed authenticator secret, offered when they set up their second factor.
        user_logged_in.connect(offer_demo_secret, dispatch_uid="demo.offer_demo_secret")
