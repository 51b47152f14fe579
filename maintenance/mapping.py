"""Between maintenance window mirror rows and the connector's ``MaintenanceWindow`` records."""

from __future__ import annotations

from datetime import datetime, timezone as dt_timezone
from typing import Any

from connectors import beenergised as be
from connectors.base import upstream_time  # noqa: F401  (maintenance's callers import it from here)


def parse_upstream_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt_timezone.utc)


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
