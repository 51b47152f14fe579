"""The Backends page for admins: upstream accounts, their write-only credentials, a connection check."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "backends"
urlpatterns: list[URLPattern] = []
