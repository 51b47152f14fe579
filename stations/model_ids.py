"""be.ENERGISED model ids: which ones refreshed stations use, and mapping one to a catalogue model.

be.ENERGISED names a station's model by an integer ``modelId`` from its own
registry, which its API does not list. The only ids the portal can know are
those its refreshed be.ENERGISED stations carry (``upstream_data.modelId``),
so an admin picks from those. The mapping lives here, in the stations app,
and not in the catalogue: the catalogue knows nothing of stations, while
stations already depend on the catalogue (``Station.model``). The number is
kept on the catalogue model (``StationModel.beenergised_model_id``, a
portal-only field no refresh overwrites).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count

from models_catalog.models import StationModel
from portal.access import scoped
from portal.audit.services import audit_record
from portal.models import Backend, User
from stations.models import Station


@dataclass(frozen=True)
class SeenId:
    model_id: int
    stations: int
    mapped_to: StationModel | None


def seen_model_ids(user: User) -> list[SeenId]:
    """Every modelId the user's refreshed be.ENERGISED stations use, with how many use it and its model."""
    stations = scoped(Station.objects.filter(backend__kind=Backend.Kind.BEENERGISED, removed_at__isnull=True), user)
    counts: dict[int, int] = {}
    for raw, n in (stations.exclude(upstream_id=None).order_by().values_list("upstream_data__modelId")
                   .annotate(n=Count("id"))):
        try:
            model_id = int(raw)
        except (TypeError, ValueError):
            continue
        counts[model_id] = counts.get(model_id, 0) + n
    models = {m.beenergised_model_id: m for m in StationModel.objects.filter(beenergised_model_id__in=list(counts))}
    return [SeenId(i, counts[i], models.get(i)) for i in sorted(counts)]


def unmapped_ids(user: User) -> list[SeenId]:
    """Models used upstream without a catalogue entry."""
    return [s for s in seen_model_ids(user) if s.mapped_to is None]


class MappingError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


@transaction.atomic
def model_id_map(*, model: StationModel, model_id: int | None, user: User) -> int:
    """Give ``model`` the be.ENERGISED id ``model_id`` (None clears it) and link the stations using it.

    Returns how many mirror stations now point at the model. The id must be one a refreshed station of
    the user's companies uses, and not another model's already.
    """
    model = StationModel.objects.select_for_update().get(pk=model.pk)
    before = model.beenergised_model_id
    if model_id is not None:
        seen = {s.model_id: s for s in seen_model_ids(user)}
        if model_id not in seen:
            raise MappingError("model_id", f"No refreshed be.ENERGISED station uses model id {model_id}; pick one of "
                                           "the ids listed (refresh be.ENERGISED stations to see new ones).")
        other = seen[model_id].mapped_to
        if other is not None and other.pk != model.pk:
            raise MappingError("model_id", f"Model id {model_id} is already “{other}”'s; clear it there first.")
    model.beenergised_model_id = model_id
    model.save(update_fields=["beenergised_model_id"])
    be_stations = Station.objects.filter(backend__kind=Backend.Kind.BEENERGISED)
    if before is not None and before != model_id:
        be_stations.filter(model=model).update(model=None)
    linked = 0
    if model_id is not None:
        # Refreshed rows store the id as the upstream sent it (a number).
        linked = be_stations.filter(upstream_data__modelId=model_id).update(model=model)
    audit_record(actor=user, action="model.map_beenergised", entity="station_model", entity_id=model.pk,
                 entity_label=str(model), before={"beenergised_model_id": before},
                 after={"beenergised_model_id": model_id, "stations linked": linked})
    return linked
