"""Station writes: create, full edit (PUT), quick edits (PATCH), refresh, conflicts."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
