"""The portal project: settings, URLs, the Celery app, accounts and the dashboard."""

from .celery import app as celery_app

__all__ = ["celery_app"]
