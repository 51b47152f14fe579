from django.apps import AppConfig


class MaintenanceConfig(AppConfig):
    name = "maintenance"

    def ready(self) -> None:
        from maintenance import operations  # noqa: F401  (registers the outbox handlers)
        from outbox.operations import TARGET_MODELS

        # A retried window shows pending again; the audit's "before" is its last upstream version.
        TARGET_MODELS["maintenance_window"] = "maintenance.MaintenanceWindow"
