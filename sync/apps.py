"""App config of ``sync``."""

from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "sync"
    verbose_name = "Sync"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from sync.schedules import ensure_schedules_of_new_backend

        post_save.connect(ensure_schedules_of_new_backend, sender="portal.Backend", dispatch_uid="sync.backend_schedules")
