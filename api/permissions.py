"""What a caller may do: the pages' roles (``portal.access``), and a token's scope on top.

Reading needs the viewer role, writing the operator role and a read-write token (or the session),
admin resources the admin role. Which records a caller reaches is the views' business: they read
through the same scoped selectors as the pages, so another company's record answers 404.
"""

from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

from api.models import ApiToken
from portal.access import Role, has_role


class PortalRole(permissions.BasePermission):
    """A view sets ``read_role`` and ``write_role`` (defaults: viewer reads, operator writes)."""

    message = "Your role does not allow this."

    def has_permission(self, request: Request, view: Any) -> bool:
        safe = request.method in permissions.SAFE_METHODS
        need = getattr(view, "read_role", Role.VIEWER) if safe else getattr(view, "write_role", Role.OPERATOR)
        if not has_role(request.user, need):
            self.message = f"This needs the {need.label.lower()} role."
            return False
        token = request.auth if isinstance(request.auth, ApiToken) else None
        if token is not None and not safe and not token.can_write:
            self.message = "This token is read-only; create a read-write token to make changes."
            return False
        return True
