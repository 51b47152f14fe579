"""An operation's conflict as the API shows it: per field, the base the write was judged against, mine
(the caller's value), theirs (the upstream's at the conflict) and whether the two clash.

A station's edit is judged by GreenFlux's etag and a three-way merge of its document
(``stations.services.conflict_merges``); a ChargEye location's change and a model's rename are judged
field by field against a fresh read (``outbox.conflicts``). Each names its fields as the API's write
does (``latitude``, ``friendly_name``), not as the upstream's document does (``lat``, ``friendlyName``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from locations import mapping as location_mapping
from models_catalog.operations import comparable as model_comparable
from outbox import conflicts as fc
from portal.models import Operation

# target type -> (upstream field -> API field, how the field-by-field check compares values)
FIELD_CHECKED: dict[str, tuple[dict[str, str], Callable[[str, Any], Any]]] = {
    "location": ({key: field for field, key in location_mapping.EDITABLE.items()}, location_mapping.comparable),
    "station_model": ({"friendlyName": "friendly_name"}, model_comparable),
}


def field_conflicts(op: Operation) -> list[dict[str, Any]] | None:
    """The rows of an operation in conflict, or None for one that is not (or carries no comparison)."""
    if op.status != Operation.Status.CONFLICT:
        return None
    if op.target_type == "station":
        from stations.services import conflict_merges  # the station's three-way comparison

        return [{"field": row.path, "base": row.base, "mine": row.mine, "theirs": row.theirs, "clash": row.clash}
                for row in conflict_merges(op)]
    if op.target_type not in FIELD_CHECKED or not fc.is_checked(op.payload) or not op.upstream_current:
        return None
    names, normalise = FIELD_CHECKED[op.target_type]
    shown = op.payload.get("shown") or {}
    changes = op.payload.get("changes") or {}
    theirs = op.upstream_current.get("theirs") or {}
    return [{"field": names.get(check.field, check.field), "base": shown.get(check.field),
             "mine": changes.get(check.field), "theirs": theirs.get(check.field), "clash": check.clash}
            for check in fc.held_checks(op, normalise)]
