"""Charging-station models API client (Lynkwell asset management), camelCase fields.

Lists use cursor pages (``limit``/``startingAfter``/``hasMore``).  Create,
rename and archive answer ``{"data": model}``; get-by-id answers the bare
model (fact F14 in docs/upstream-contract.md).  Create and archive need an admin token (403 otherwise).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .base import HttpClient
from .errors import Conflict, Forbidden, Rejected, UpstreamError, is_duplicate_refusal
from .pagination import Pages, cursor

MODELS = "/asset-management/v1/charging-station-models"


@dataclass(frozen=True)
class ModelConnector:
    id: float
    connection_type: str
    format: str
    max_amperage: float
    max_voltage: float
    max_power_watts: float

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> ModelConnector:
        return cls(
            id=d.get("id", 0),
            connection_type=d.get("connectionType", ""),
            format=d.get("format", ""),
            max_amperage=d.get("maxAmperage", 0),
            max_voltage=d.get("maxVoltage", 0),
            max_power_watts=d.get("maxPowerWatts", 0),
        )

    def to_payload(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "connectionType": self.connection_type,
            "format": self.format,
            "maxAmperage": self.max_amperage,
            "maxVoltage": self.max_voltage,
            "maxPowerWatts": self.max_power_watts,
        }


@dataclass(frozen=True)
class StationModel:
    """A charging-station model.  ``id``, ``is_archived`` and the timestamps are read-only."""

    vendor: str
    model: str
    power_type: str
    connectors: tuple[ModelConnector, ...]
    ocpp_url: str
    friendly_name: str | None = None
    image_url: str | None = None
    id: str | None = None
    is_archived: bool = False
    created_at: str | None = None
    updated_at: str | None = None

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> StationModel:
        return cls(
            id=d.get("id"),
            vendor=d.get("vendor", ""),
            model=d.get("model", ""),
            friendly_name=d.get("friendlyName"),
            power_type=d.get("powerType", ""),
            connectors=tuple(ModelConnector.from_api(c) for c in d.get("connectors") or ()),
            ocpp_url=(d.get("configurationKeys") or {}).get("ocppUrl", ""),
            image_url=d.get("imageUrl"),
            is_archived=bool(d.get("isArchived", False)),
            created_at=d.get("createdAt"),
            updated_at=d.get("updatedAt"),
        )

    def to_payload(self) -> dict[str, Any]:
        """The create body (optional ``friendlyName``/``imageUrl`` left out when unset)."""
        out: dict[str, Any] = {
            "vendor": self.vendor,
            "model": self.model,
            "powerType": self.power_type,
            "connectors": [c.to_payload() for c in self.connectors],
            "configurationKeys": {"ocppUrl": self.ocpp_url},
        }
        if self.friendly_name is not None:
            out["friendlyName"] = self.friendly_name
        if self.image_url is not None:
            out["imageUrl"] = self.image_url
        return out


def _unwrap(body: Any) -> Mapping[str, Any]:
    """``{"data": model}`` from writes, the bare model from get."""
    if isinstance(body, dict) and isinstance(body.get("data"), dict) and "vendor" not in body:
        return body["data"]
    return body


class ModelsConnector:
    """Client for one charging-station models backend."""

    kind = "models"

    def __init__(self, http: HttpClient, *, page_size: int = 100) -> None:
        self.http = http
        self.page_size = min(page_size, 100)  # the upstream's maximum

    def __repr__(self) -> str:
        return f"<ModelsConnector {self.http.base_url}>"

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> ModelsConnector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def list_models(
        self, *, vendor: str | None = None, model: str | None = None, is_archived: bool | None = None
    ) -> Pages[StationModel]:
        """Models page by page; the upstream defaults ``isArchived`` to false."""
        params = {"vendor": vendor, "model": model, "isArchived": is_archived}
        return cursor(self.http, MODELS, StationModel.from_api, limit=self.page_size, params=params)

    def get_model(self, model_id: str) -> StationModel:
        return StationModel.from_api(_unwrap(self.http.json("GET", f"{MODELS}/{model_id}")))

    def create_model(self, model: StationModel) -> StationModel:
        """Admin only.  Not retried after a dropped connection."""
        return StationModel.from_api(_unwrap(self.http.json("POST", MODELS, json=model.to_payload())))

    def find_model(self, model: StationModel) -> StationModel | None:
        """The catalogue's model with the same vendor, model and content as ``model`` (archived or not)."""
        wanted = model.to_payload()
        for archived in (False, True):
            for record in self.list_models(vendor=model.vendor, model=model.model, is_archived=archived).items():
                if record.to_payload() == wanted:
                    return record
        return None

    def create_or_adopt(self, model: StationModel) -> StationModel:
        """Create, or adopt the same model when the create is refused as a duplicate (409, or any 4xx
        naming ``model``: the document names no status), as station creates do. A model of that vendor
        and name with other content is a ``Conflict`` with it as ``current``."""
        try:
            return self.create_model(model)
        except (Conflict, Rejected) as exc:
            if isinstance(exc, Forbidden) or not is_duplicate_refusal(exc, "model"):
                raise
            try:
                existing = self.find_model(model)
                other = existing or next(iter(self.list_models(vendor=model.vendor, model=model.model).items()),
                                         None)
            except UpstreamError:
                raise exc from None
            if existing is not None:
                return existing
            if not isinstance(exc, Conflict):
                raise exc  # a validation error that only names the field: nothing holds the model
            raise Conflict(f"{exc.message} (the catalogue holds this vendor and model with other values)",
                           status=exc.status, kind=self.kind, current=other) from None

    def rename_model(self, model_id: str, friendly_name: str) -> StationModel:
        """PATCH ``friendlyName`` (the only updatable field).  Setting a value
        is idempotent, so it is retried like a PUT.  An archived model gives 409.

        The API documents no etag and no conditional request, so the PATCH is
        unconditional: ``models_catalog.operations.ModelRename`` reads the model
        first and compares the name (``outbox.conflicts``), which leaves
        the read-to-write window open."""
        try:
            body = self.http.json(
                "PATCH", f"{MODELS}/{model_id}", json={"friendlyName": friendly_name}, idempotent=True
            )
        except Conflict as exc:
            exc.current = self.get_model(model_id)  # the 409 carries no record
            raise
        return StationModel.from_api(_unwrap(body))

    def archive_model(self, model_id: str) -> StationModel:
        """Admin only.  Archiving twice leaves it archived, so retries are safe."""
        body = self.http.json("POST", f"{MODELS}/{model_id}/archive", idempotent=True)
        return StationModel.from_api(_unwrap(body))
