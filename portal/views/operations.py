"""The Operations page: recent upstream writes, their state, and a retry for failed ones."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "operations"
urlpatterns: list[URLPattern] = []
