"""Alerts URLs (the patterns live beside their views)."""

from alerts.views import app_name, urlpatterns

__all__ = ["app_name", "urlpatterns"]
