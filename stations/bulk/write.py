"""Turning confirmed preview rows into station writes, through the stations' own services.

A change is an edit based on the version the preview showed: its etag
(``base_etag``), the values shown (``base``) and when (the preview's time).
It goes to the outbox by ``stations.services.station_edits_enqueue``, the
route of an edit made in the station's form, so the worker decides exactly
as it does for that edit: a station changed upstream since is a conflict,
kept beside the user's change, while an edit of the portal's own that was
still on its way when the preview was made is not.
"""

from __future__ import annotations

from typing import Any

from portal.models import User
from stations import merge
from stations.bulk.models import Batch, BatchItem
from stations.models import Station
from stations.services import EditRequest, station_edits_enqueue, stations_refresh_enqueue
from stations.versions import ShownVersion

NOT_SENT = ("etag", "last_updated")


def _edit_request(batch: Batch, item: BatchItem, station: dict[str, Any]) -> EditRequest:
    # The document the preview was based on, with only the batch's changes on top. The changed fields
    # keep the values the preview showed (``item.base``), even if a refresh moved the mirror since: the
    # three-way merge (and the conflict page) then starts from what the user saw.
    base = {k: v for k, v in (station["upstream_data"] or {}).items() if k not in NOT_SENT}
    base.update(item.base or {})
    shown = merge.canonical(base)
    changes = merge.user_changes(shown, merge.canonical({**base, **item.changes}))
    version = ShownVersion(station["id"], item.base_etag or "", shown, batch.created_at.isoformat())
    return EditRequest(station["id"], station["backend_id"], station["company_id"], station["label"], version,
                       changes, "etag", key=item.operation_id, before=item.base or None, note={"batch": batch.pk})


def operations_for(batch: Batch, items: list[BatchItem], user: User | None) -> None:
    """One operation per row, named by the row's key; a fixed number of queries for any count."""
    edits = batch.kind in Batch.EDIT_KINDS
    columns = ("id", "backend_id", "company_id", "label", "upstream_data") if edits \
        else ("id", "backend_id", "company_id", "label")
    stations = {s["id"]: s for s in Station.objects.filter(pk__in=[i.station_id for i in items]).values(*columns)}
    # A station deleted since the preview has nothing to send.
    found = [(item, stations[item.station_id]) for item in items if item.station_id in stations]
    if edits:
        station_edits_enqueue(user=user, kind="station.put",
                              edits=[_edit_request(batch, item, station) for item, station in found])
    else:
        stations_refresh_enqueue(user=user, stations=[{**station, "key": item.operation_id} for item, station in found],
                                 note={"batch": batch.pk})
