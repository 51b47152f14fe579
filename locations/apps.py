from django.apps import AppConfig


class LocationsConfig(AppConfig):
    name = "locations"

    def ready(self) -> None:
        from locations import operations  # noqa: F401  (registers the outbox handlers)
