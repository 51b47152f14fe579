"""Outbox handlers for station models: create, rename, archive.

A create that runs again lists the models of the same vendor and model name
(archived or not) and adopts one with the same content, so exactly one
model exists upstream. Rename and archive are idempotent upstream.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from connectors import models_api as lw
from models_catalog.models import StationModel
from portal.mirror import SyncState
from portal.models import Operation
from portal.outbox import OperationHandler, other_writes_open, register


def apply_upstream(model: StationModel, record: lw.StationModel) -> StationModel:
    """Copy an upstream model into the mirror row (the caller saves)."""
    payload = record.to_payload()
    model.upstream_id = record.id
    model.vendor = record.vendor[:200]
    model.model = record.model[:200]
    model.friendly_name = (record.friendly_name or "")[:200]
    model.power_type = record.power_type
    model.connectors = payload["connectors"]
    model.ocpp_url = (record.ocpp_url or "")[:200]
    model.image_url = (record.image_url or "")[:500]
    model.is_archived = record.is_archived
    model.upstream_data = {**payload, "id": record.id, "isArchived": record.is_archived,
                           "createdAt": record.created_at, "updatedAt": record.updated_at}
    model.synced_at = timezone.now()
    return model


def _apply(op: Operation, record: lw.StationModel) -> dict[str, Any]:
    model = StationModel.objects.select_for_update().get(pk=op.target_id)
    twin = StationModel.objects.filter(backend_id=model.backend_id, upstream_id=record.id).exclude(pk=model.pk)
    for other in twin:  # a refresh mirrored the new model before this answer landed
        other.stations.update(model=model)
        other.delete()
    apply_upstream(model, record)
    model.sync_state = SyncState.PENDING if other_writes_open(op) else SyncState.SYNCED
    model.save()
    return {"upstream_id": model.upstream_id}


class _ModelHandler(OperationHandler):
    def apply(self, op: Operation, result: Any) -> dict[str, Any]:
        return _apply(op, result)

    def on_failed(self, op: Operation) -> None:
        StationModel.objects.filter(pk=op.target_id).update(sync_state=SyncState.FAILED)


def _same(record: lw.StationModel, payload: dict[str, Any]) -> bool:
    wanted = lw.StationModel.from_api(payload).to_payload()
    return record.to_payload() == wanted


@register
class ModelCreate(_ModelHandler):
    """POST a new model. Payload: ``{"model": <create body>}``."""

    kind = "model.create"

    def perform(self, op: Operation, connector: lw.ModelsConnector) -> Any:
        payload = op.payload["model"]
        if op.attempts > 1:
            for archived in (False, True):
                for record in connector.list_models(vendor=payload["vendor"], model=payload["model"],
                                                    is_archived=archived).items():
                    if _same(record, payload):
                        return record
        return connector.create_model(lw.StationModel.from_api(payload))


@register
class ModelRename(_ModelHandler):
    """PATCH friendlyName. Payload: ``{"friendlyName": ..., "before": <name before>}``."""

    kind = "model.rename"

    def perform(self, op: Operation, connector: lw.ModelsConnector) -> Any:
        model = StationModel.objects.get(pk=op.target_id)
        return connector.rename_model(model.upstream_id, op.payload["friendlyName"])

    def on_conflict(self, op: Operation, current: Any) -> dict[str, Any] | None:
        """Archived upstream meanwhile: show the upstream's version (archived, old name)."""
        model = StationModel.objects.select_for_update().get(pk=op.target_id)
        if isinstance(current, lw.StationModel):
            apply_upstream(model, current)
        model.sync_state = SyncState.CONFLICT
        model.save()
        return model.upstream_data or None


@register
class ModelArchive(_ModelHandler):
    """POST archive. Payload: ``{}``."""

    kind = "model.archive"

    def perform(self, op: Operation, connector: lw.ModelsConnector) -> Any:
        model = StationModel.objects.get(pk=op.target_id)
        return connector.archive_model(model.upstream_id)
