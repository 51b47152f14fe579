from django.apps import AppConfig


class StationsConfig(AppConfig):
    name = "stations"

    def ready(self) -> None:
        from stations import operations  # noqa: F401  (registers the outbox handlers)
