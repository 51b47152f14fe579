"""The bell's unread count on every page of a signed-in person (one count query)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from alerts.selectors import unread_count


def bell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"alerts_unread": unread_count(user)}
