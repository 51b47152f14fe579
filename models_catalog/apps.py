from django.apps import AppConfig


class ModelsCatalogConfig(AppConfig):
    name = "models_catalog"
    verbose_name = "Station models"

    def ready(self) -> None:
        from models_catalog import operations  # noqa: F401  (registers the outbox handlers)
