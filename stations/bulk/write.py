"""Turning confirmed preview rows into outbox operations, on the stations' own edit path.

A change is an edit based on the version the preview showed: its etag
(``base_etag``) and the values shown (``base``). The worker's edit handler
decides from there exactly as for an edit made in the station's form: a
station changed upstream since is a conflict, kept beside the user's change.
"""

from __future__ import annotations

from typing import Any

from portal.models import User
from portal.outbox import operations_create_many
from stations.bulk.models import Batch, BatchItem
from stations.models import Station

NOT_SENT = ("etag", "last_updated")


def _edit_spec(item: BatchItem, station: dict[str, Any]) -> dict[str, Any]:
    # The document the preview was based on, with only the batch's changes on top. The changed fields
    # keep the values the preview showed (``item.base``), even if a refresh moved the mirror since: the
    # three-way merge (and the conflict page) then starts from what the user saw.
    base = {k: v for k, v in (station["upstream_data"] or {}).items() if k not in NOT_SENT}
    base.update(item.base or {})
    document = {**base, **item.changes}
    return {"kind": "station.put", "payload": {"document": document, "base": base, "batch": item.batch_id}}


def operations_for(batch: Batch, items: list[BatchItem], user: User | None) -> None:
    """One operation per row, named by the row's key; a fixed number of queries for any count."""
    edits = batch.kind in Batch.EDIT_KINDS
    columns = ("id", "backend_id", "company_id", "label", "upstream_data") if edits \
        else ("id", "backend_id", "company_id", "label")
    stations = {s["id"]: s for s in Station.objects.filter(pk__in=[i.station_id for i in items]).values(*columns)}
    specs = []
    for item in items:
        station = stations.get(item.station_id)
        if station is None:
            continue  # deleted since the preview: nothing to send
        if edits:
            spec = _edit_spec(item, station)
        else:
            spec = {"kind": "station.refresh", "payload": {"batch": batch.pk}}
        specs.append({
            **spec, "key": item.operation_id, "backend_id": station["backend_id"], "company_id": station["company_id"],
            "target_type": "station", "target_id": station["id"], "target_label": station["label"],
            "base_etag": item.base_etag, "before": item.base or None,
        })
    operations_create_many(specs, user=user)
