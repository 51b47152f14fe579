"""App config of ``alerts``: it listens to the machinery's signals (the machinery never imports alerts)."""

from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "Alerts"

    def ready(self) -> None:
        from sync.signals import refresh_finished, sample_stored

        from alerts.triggers import mirror_moved

        refresh_finished.connect(mirror_moved, dispatch_uid="alerts.refresh_finished")
        sample_stored.connect(mirror_moved, dispatch_uid="alerts.sample_stored")
