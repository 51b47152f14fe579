"""Writes to the station-model catalogue: create, rename, archive (admins only; the views check).

Each write changes the mirror row (marked pending) and records an outbox
operation in one transaction; the worker sends it to the models API after
commit. Archiving hides the model from the station forms at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from upstreams import models_api as lw
from models_catalog.models import StationModel
from models_catalog.operations import apply_upstream, comparable
from outbox import conflicts as fc
from sync.mirror import SyncState
from portal.models import Backend, Operation, User
from outbox.operations import operation_create


class NoBackend(Exception):
    """No active station-model backend is set up."""


class ArchivedModel(Exception):
    """An archived model cannot be renamed (the upstream answers 409)."""


@dataclass
class ConnectorInput:
    connection_type: str
    format: str
    max_amperage: float
    max_voltage: float
    max_power_watts: float


@dataclass
class ModelInput:
    """A validated new model (``models_catalog.forms`` produces these)."""

    vendor: str
    model: str
    power_type: str
    ocpp_url: str
    connectors: list[ConnectorInput] = field(default_factory=list)
    friendly_name: str = ""
    image_url: str = ""


def models_backend() -> Backend:
    backend = Backend.objects.filter(kind=Backend.Kind.MODELS, is_active=True).order_by("pk").first()
    if backend is None:
        raise NoBackend(_("No station-model backend is set up; ask an admin to add one on the Backends page."))
    return backend


def connectors_payload(connectors: list[ConnectorInput]) -> list[dict[str, Any]]:
    """Connectors as the API and the mirror hold them; ids are their positions, from 1."""
    return [
        {"id": n, "connectionType": c.connection_type, "format": c.format, "maxAmperage": c.max_amperage,
         "maxVoltage": c.max_voltage, "maxPowerWatts": c.max_power_watts}
        for n, c in enumerate(connectors, start=1)
    ]


def create_payload(model: StationModel) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "vendor": model.vendor, "model": model.model, "powerType": model.power_type,
        "connectors": model.connectors, "configurationKeys": {"ocppUrl": model.ocpp_url},
    }
    if model.friendly_name:
        payload["friendlyName"] = model.friendly_name
    if model.image_url:
        payload["imageUrl"] = model.image_url
    return payload


def _operation(kind: str, model: StationModel, user: User | None, payload: dict[str, Any]) -> Operation:
    # A write to a model whose create is still on its way waits for it (it needs the upstream id).
    parent = None
    if not model.upstream_id:
        parent = Operation.objects.filter(
            target_type="station_model", target_id=model.pk, kind="model.create", status__in=Operation.OPEN,
        ).first()
    return operation_create(
        kind=kind, backend=model.backend, company=None, target_type="station_model", target_id=model.pk,
        target_label=str(model), payload=payload, user=user, parent=parent,
    )


@transaction.atomic
def model_create(*, user: User | None, data: ModelInput, backend: Backend | None = None) -> StationModel:
    backend = backend or models_backend()
    model = StationModel.objects.create(
        backend=backend, vendor=data.vendor, model=data.model, friendly_name=data.friendly_name,
        power_type=data.power_type, connectors=connectors_payload(data.connectors), ocpp_url=data.ocpp_url,
        image_url=data.image_url, sync_state=SyncState.PENDING,
    )
    _operation("model.create", model, user, {"model": create_payload(model)})
    return model


def _lock(model: StationModel) -> StationModel:
    return StationModel.objects.select_for_update().select_related("backend").get(pk=model.pk)


@transaction.atomic
def model_rename(*, user: User | None, model: StationModel, friendly_name: str,
                 shown: str | None = None) -> Operation | None:
    """Rename (PATCH ``friendlyName``) when the name differs from the one the form ``shown``; else None.

    Without ``shown`` (a caller with no form) the mirror's name now is the base.
    The operation carries the base, so the worker can tell whether the
    catalogue was renamed since (``operations.ModelRename``).
    """
    model = _lock(model)
    if model.is_archived:
        raise ArchivedModel(_("This model is archived; an archived model cannot be renamed."))
    base = model.friendly_name if shown is None else shown
    if friendly_name == base:
        return None
    before = model.friendly_name
    model.friendly_name = friendly_name
    model.sync_state = SyncState.PENDING
    model.save(update_fields=["friendly_name", "sync_state"])
    return _operation("model.rename", model, user, _rename_payload(friendly_name, base, before))


def _rename_payload(name: str, base: str | None, before: str) -> dict[str, Any]:
    return {"friendlyName": name, "before": before, "changes": {"friendlyName": name},
            "shown": {"friendlyName": base or None}}


@transaction.atomic
def model_conflict_reapply(*, user: User | None, model: StationModel, op_id: int) -> Operation | None:
    """"Send mine over theirs": the rename again, based on the name the catalogue had at the conflict.

    If the catalogue renamed it again since, the new operation becomes a new
    conflict. None when the catalogue already has the user's name. Raises
    ``ArchivedModel`` when the catalogue archived it (nothing can be renamed
    then) and ``outbox.conflicts.NotAConflict`` for a resolved operation.
    """
    model = _lock(model)
    op = fc.conflict_lock(op_id, "station_model", model.pk)
    current = op.upstream_current or {}
    if current.get("archived"):
        raise ArchivedModel(_("The catalogue archived this model; an archived model cannot be renamed."))
    payload = fc.reapply_payload(op, comparable)
    record = current.get("record") or {}
    if payload is None:
        fc.conflict_resolve(op, "reapplied", "Resolved: the catalogue already had your name; nothing was sent.")
        apply_upstream(model, lw.StationModel.from_api(record))
        model.sync_state = fc.mirror_state("station_model", model.pk)
        model.save()
        return None
    name = payload["changes"]["friendlyName"]
    apply_upstream(model, lw.StationModel.from_api({**record, "friendlyName": name}))
    model.sync_state = SyncState.PENDING
    model.content_hash = ""
    model.save()
    theirs = payload["shown"]["friendlyName"]
    new = _operation("model.rename", model, user, _rename_payload(name, theirs, theirs or ""))
    fc.conflict_resolve(op, "reapplied", f"Resolved: your name was sent over the catalogue's (operation #{new.pk}).",
                        superseded_by=new.pk)
    return new


@transaction.atomic
def model_conflict_discard(*, user: User | None, model: StationModel, op_id: int) -> StationModel:
    """Drop the user's rename: the mirror keeps the catalogue's version (the next refresh brings anything newer)."""
    model = _lock(model)
    op = fc.conflict_lock(op_id, "station_model", model.pk)
    fc.conflict_resolve(op, "discarded", "Resolved: your rename was discarded; the catalogue's name is kept.")
    apply_upstream(model, lw.StationModel.from_api((op.upstream_current or {}).get("record") or {}))
    model.sync_state = fc.mirror_state("station_model", model.pk)
    model.content_hash = ""
    model.save()
    return model


@transaction.atomic
def model_archive(*, user: User | None, model: StationModel) -> Operation | None:
    """Archive the model; None when it already is (archiving is not undone, so twice is once)."""
    model = _lock(model)
    if model.is_archived:
        return None
    model.is_archived = True
    model.sync_state = SyncState.PENDING
    model.save(update_fields=["is_archived", "sync_state"])
    return _operation("model.archive", model, user, {})
