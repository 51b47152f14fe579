"""The navigation shown on every page, filtered by the user's role."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from django.utils.translation import gettext_lazy as _

from portal.access import Role, role_of

# (label, URL name, role needed). Entries whose page does not exist yet are skipped.
NAVIGATION = [
    (_("Dashboard"), "dashboard", Role.VIEWER),
    (_("Stations"), "stations:list", Role.VIEWER),
    (_("Locations"), "locations:list", Role.VIEWER),
    (_("Models"), "models_catalog:list", Role.VIEWER),
    (_("Network"), "locations:network", Role.VIEWER),
    (_("Maintenance"), "maintenance:list", Role.VIEWER),
    (_("Imports"), "stations:import_list", Role.OPERATOR),
    (_("Sync"), "sync:list", Role.VIEWER),
    (_("Operations"), "operations:list", Role.VIEWER),
    (_("Users"), "user_list", Role.ADMIN),
    (_("Backends"), "backends:list", Role.ADMIN),
    (_("Companies"), "companies:list", Role.ADMIN),
    (_("Audit"), "audit:list", Role.ADMIN),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    role = role_of(request.user)
    if role is None:
        return {"nav_items": [], "user_role": None}
    items = []
    for label, url_name, need in NAVIGATION:
        if role < need:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": False})
    # The deepest matching entry is the current one (/stations/imports/ is Imports, not Stations).
    matches = [i for i in items if request.path == i["url"] or (i["url"] != "/" and request.path.startswith(i["url"]))]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return {"nav_items": items, "user_role": role}
