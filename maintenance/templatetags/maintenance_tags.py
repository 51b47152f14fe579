"""Self-contained maintenance blocks for other apps' pages: the station page's section and the dashboard's.

Each tag reads what it shows itself (scoped to the signed-in user), so the
page that includes it needs one line and no change to its view.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from maintenance import selectors
from maintenance.forms import station_connectors
from maintenance.services import CANCEL_NOT_DOCUMENTED, cancel_offered, station_refusal
from portal.access import Role, has_role

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.inclusion_tag("maintenance/_station_windows.html", takes_context=True)
def station_maintenance(context: template.Context, station: Any) -> dict[str, Any]:
    """The station's windows and the link to plan one (be.ENERGISED stations only)."""
    from maintenance.forms import WindowForm, default_window

    user = context["request"].user
    windows = selectors.station_windows(station)
    refusal = station_refusal(station)
    return {
        "station": station, "windows": windows, "errors": selectors.window_errors(windows),
        # A station that cannot take new windows still shows the ones it has.
        "refusal": refusal if not windows else "",
        "connector_names": dict(station_connectors(station)), "now": timezone.now(),
        "can_write": has_role(user, Role.OPERATOR, station.company_id) and not refusal,
        "csrf_token": context.get("csrf_token"),
        "can_cancel": cancel_offered(station.backend), "cancel_note": CANCEL_NOT_DOCUMENTED,
        "form": WindowForm(station=station, initial=default_window(), auto_id="id_mw_%s"),
    }


@register.inclusion_tag("maintenance/_dashboard.html", takes_context=True)
def maintenance_dashboard(context: template.Context) -> dict[str, Any]:
    """"In maintenance now" and the next 24 hours, for the dashboard."""
    return {"figures": selectors.dashboard_windows(context["request"].user), "now": timezone.now()}
