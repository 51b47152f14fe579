"""Reads for the station-model pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from models_catalog.models import PowerType, StationModel
from models_catalog.operations import FIELD_LABELS, comparable, display
from outbox import conflicts as fc
from portal.access import scoped
from sync.mirror import SyncState
from portal.models import Operation, User


@dataclass(frozen=True)
class ModelFilters:
    query: str = ""
    vendor: str = ""
    power_type: str = ""
    archived: bool = False

    @classmethod
    def from_params(cls, params: dict[str, str]) -> ModelFilters:
        power = params.get("power_type", "")

        def text(name: str) -> str:  # PostgreSQL text holds no NUL: a typed one matches nothing anyway
            return params.get(name, "").replace("\x00", "").strip()[:200]

        return cls(
            query=text("q"), vendor=text("vendor"),
            power_type=power if power in PowerType.values else "", archived=params.get("archived") == "1",
        )


def model_list(filters: ModelFilters) -> QuerySet[StationModel]:
    models = StationModel.objects.filter(is_archived=filters.archived)
    if filters.vendor:
        models = models.filter(vendor__iexact=filters.vendor)
    if filters.power_type:
        models = models.filter(power_type=filters.power_type)
    if filters.query:
        models = models.filter(
            Q(vendor__icontains=filters.query) | Q(model__icontains=filters.query)
            | Q(friendly_name__icontains=filters.query)
        )
    return models


def vendors() -> list[str]:
    return list(StationModel.objects.order_by("vendor").values_list("vendor", flat=True).distinct())


def stations_using(model: StationModel, user: User) -> QuerySet[Any]:
    """The stations of the user's companies that are of this model: the records that point at the model
    (``model.stations``, the reverse side of their foreign key), so the catalogue imports nothing of them."""
    return scoped(model.stations.all(), user)


def model_operations(model: StationModel) -> QuerySet[Operation]:
    return Operation.objects.filter(target_type="station_model", target_id=model.pk).order_by("-created_at", "-id")


ARCHIVED_NOTE = gettext_lazy("The model catalogue has archived this model since, and an archived model cannot be renamed.")


def model_conflict(model: StationModel, user: User) -> fc.HeldConflict | None:
    """The rename held because the catalogue renamed (or archived) the model meanwhile (for its page)."""
    if model.sync_state != SyncState.CONFLICT:
        return None
    op = fc.open_conflict("station_model", model.pk)
    if op is None or not fc.is_checked(op.payload) or not op.upstream_current:
        return None
    archived = bool(op.upstream_current.get("archived"))
    return fc.held_conflict(op, user=user, platform="the model catalogue", labels=FIELD_LABELS, display=display,
                            normalise=comparable, can_reapply=not archived, note=ARCHIVED_NOTE if archived else "")
