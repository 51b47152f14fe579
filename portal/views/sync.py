"""The Sync page: refresh runs per backend and entity, progress, and "refresh now"."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "sync"
urlpatterns: list[URLPattern] = []
