"""Between maintenance window mirror rows and the connector's ``MaintenanceWindow`` records."""

from __future__ import annotations

from typing import Any

from sync.mirror import parse_upstream_time
from upstreams import beenergised as be


def window_document(record: be.MaintenanceWindow) -> dict[str, Any]:
    return {"id": record.id, **record.to_payload(), "createdAt": record.created_at}


def window_fields(record: be.MaintenanceWindow) -> dict[str, Any]:
    """The mirror fields of a window (station and company are resolved by the caller)."""
    return {
        "connector_uuid": record.connector_uuid or "",
        "starts_at": parse_upstream_time(record.start_date),
        "ends_at": parse_upstream_time(record.end_date),
        "comment": record.comment,
    }
