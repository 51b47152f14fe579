"""Outbox handlers for station models: create, rename, archive.

A create that runs again lists the models of the same vendor and model name
(archived or not) and adopts one with the same content, so exactly one
model exists upstream. Rename and archive are idempotent upstream.

A rename is checked against a fresh read first (``outbox.conflicts``):
the models API documents no etag and no conditional request, so the check
is by field, and a rename made in the catalogue between that read and the
PATCH (one round trip) can still be overwritten. What these handlers share
with the locations' is ``outbox.field_checked``.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from upstreams import Conflict
from upstreams import models_api as lw
from models_catalog.models import StationModel
from outbox import conflicts as fc
from outbox.field_checked import FieldCheckedHandler
from portal.models import Operation
from outbox.operations import register


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


# The models API field -> how the model page names it (conflict messages). Only friendlyName is writable.
FIELD_LABELS = {"friendlyName": gettext_lazy("Friendly name")}


def comparable(key: str, value: Any) -> Any:
    """A field's value for the field-by-field check: a blank name and no name are one value."""
    return value or None


def display(key: str, value: Any) -> str:
    return f"“{value}”" if value else "no name"


def record_document(record: lw.StationModel) -> dict[str, Any]:
    """An upstream model as the API's JSON (``lw.StationModel.from_api`` reads it back)."""
    return {**record.to_payload(), "id": record.id, "isArchived": record.is_archived,
            "createdAt": record.created_at, "updatedAt": record.updated_at}


def rename_changes(payload: dict[str, Any]) -> dict[str, Any]:
    """The fields a rename changes (a payload queued before ``changes`` existed has the name alone)."""
    return payload.get("changes") or {"friendlyName": payload["friendlyName"]}


class _ModelHandler(FieldCheckedHandler):
    model = StationModel
    target_type = "station_model"
    dependents = "stations"

    def copy(self, row: StationModel, record: lw.StationModel) -> None:
        apply_upstream(row, record)


@register
class ModelCreate(_ModelHandler):
    """POST a new model. Payload: ``{"model": <create body>}``."""

    kind = "model.create"

    def perform(self, op: Operation, connector: lw.ModelsConnector) -> Any:
        payload = op.payload["model"]
        wanted = lw.StationModel.from_api(payload)
        if op.attempts > 1:
            found = connector.find_model(wanted)
            if found is not None:
                return found
        return connector.create_or_adopt(wanted)


@register
class ModelRename(_ModelHandler):
    """PATCH friendlyName unless someone renamed the model in the catalogue since the page showed it.

    Payload: ``{"friendlyName": ..., "before": <mirror's name then>, "changes": {"friendlyName": ...},
    "shown": {"friendlyName": <the name the page showed>}}``. The model is read
    fresh first (``get_model``): archived meanwhile, or renamed to something
    else than both the shown name and the user's, is a conflict and nothing
    is sent; already holding the user's name, it is done without a write. A
    payload without ``shown`` (queued before this check) is sent as it is.
    """

    kind = "model.rename"

    def perform(self, op: Operation, connector: lw.ModelsConnector) -> Any:
        model = StationModel.objects.get(pk=op.target_id)
        changes = rename_changes(op.payload)
        if not fc.is_checked(op.payload):
            return connector.rename_model(model.upstream_id, changes["friendlyName"])
        fresh = connector.get_model(model.upstream_id)
        if fresh.is_archived:
            raise Conflict("The model was archived in the catalogue; an archived model cannot be renamed.",
                           current=fresh, kind=connector.kind)

        def clash(clashing: list[fc.FieldCheck]) -> Conflict:
            return Conflict("Renamed in the model catalogue since the page showed it. Nothing was sent.",
                            current=fresh, kind=connector.kind)

        if not self.changes_to_send(op.payload["shown"], changes, {"friendlyName": fresh.friendly_name},
                                    comparable, clash):
            return fresh  # the catalogue has this name already
        return connector.rename_model(model.upstream_id, changes["friendlyName"])

    def on_conflict(self, op: Operation, current: Any) -> dict[str, Any] | None:
        """The mirror shows the catalogue's version (archived, or their name); the rename waits for a decision."""
        if not self.keep_theirs(op, current if isinstance(current, lw.StationModel) else None):
            return None
        held = fc.conflict_current(record_document(current), {"friendlyName": current.friendly_name},
                                   rename_changes(op.payload))
        return {**held, "archived": current.is_archived}


@register
class ModelArchive(_ModelHandler):
    """POST archive. Payload: ``{}``."""

    kind = "model.archive"

    def perform(self, op: Operation, connector: lw.ModelsConnector) -> Any:
        model = StationModel.objects.get(pk=op.target_id)
        return connector.archive_model(model.upstream_id)
