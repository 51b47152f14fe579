"""be.ENERGISED model ids: which ones refreshed stations use, and mapping one to a catalogue model.

be.ENERGISED names a station's model by an integer ``modelId`` from its own
registry, which its API does not list. The only ids the portal can know are
those its refreshed be.ENERGISED stations carry (``upstream_data.modelId``),
so an admin picks from those. The mapping lives here, in the stations app,
and not in the catalogue: the catalogue knows nothing of stations, while
stations already depend on the catalogue (``Station.model``).

The catalogue is shared by every company; the mapping is not. Each company
has its own (``ModelIdMapping``), so an admin's mapping (or clearing) changes
only the stations of companies they administer, and every count and list
here covers only the user's own companies.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, QuerySet

from models_catalog.models import StationModel
from portal.access import scoped
from portal.audit.services import audit_record
from portal.models import Backend, Company, User
from stations.models import ModelIdMapping, Station


def mapped_model(company_id: int | None, model_id: int | None) -> StationModel | None:
    """The catalogue model ``model_id`` is in ``company_id``'s mapping, if any."""
    if company_id is None or model_id is None:
        return None
    mapping = ModelIdMapping.objects.filter(company_id=company_id, beenergised_model_id=model_id).select_related(
        "model").first()
    return mapping.model if mapping else None


def model_number(company_id: int | None, model: StationModel | None) -> int | None:
    """The be.ENERGISED id ``model`` has in ``company_id``'s mapping, if any."""
    if company_id is None or model is None:
        return None
    return ModelIdMapping.objects.filter(company_id=company_id, model=model).values_list(
        "beenergised_model_id", flat=True).first()


def mapping_lookup() -> dict[tuple[int, int], int]:
    """``(company id, modelId) -> catalogue model id`` for every company (a refresh's lookup)."""
    return {(c, n): m for c, n, m in ModelIdMapping.objects.values_list("company_id", "beenergised_model_id", "model_id")}


def mapped_models(company_ids: list[int] | None) -> QuerySet[StationModel]:
    """Catalogue models with a be.ENERGISED id in one of these companies (None: any company)."""
    mappings = ModelIdMapping.objects.all() if company_ids is None else ModelIdMapping.objects.filter(
        company_id__in=company_ids)
    return StationModel.objects.filter(pk__in=mappings.values("model_id"))


@dataclass(frozen=True)
class SeenId:
    model_id: int
    stations: int
    mapped_to: StationModel | None


def seen_model_ids(user: User, company: Company | None = None) -> list[SeenId]:
    """Every modelId the user's refreshed be.ENERGISED stations use (of ``company``, or of all the user's
    companies), with how many use it and its model in that company's mapping (None when the companies'
    mappings differ or none has it)."""
    stations = scoped(Station.objects.filter(backend__kind=Backend.Kind.BEENERGISED, removed_at__isnull=True), user)
    if company is not None:
        stations = stations.filter(company=company)
    counts: dict[int, int] = {}
    companies: dict[int, set[int]] = {}
    for raw, company_id, n in (stations.exclude(upstream_id=None).order_by()
                               .values_list("upstream_data__modelId", "company_id").annotate(n=Count("id"))):
        try:
            model_id = int(raw)
        except (TypeError, ValueError):
            continue
        counts[model_id] = counts.get(model_id, 0) + n
        companies.setdefault(model_id, set()).add(company_id)
    mappings = ModelIdMapping.objects.filter(beenergised_model_id__in=list(counts)).select_related("model")
    if company is not None:
        mappings = mappings.filter(company=company)
    found: dict[int, dict[int, StationModel]] = {}
    for m in mappings:
        found.setdefault(m.beenergised_model_id, {})[m.company_id] = m.model
    result = []
    for i in sorted(counts):
        models = {found.get(i, {}).get(c) for c in companies[i]}
        result.append(SeenId(i, counts[i], models.pop() if len(models) == 1 else None))
    return result


def unmapped_ids(user: User) -> list[SeenId]:
    """Models used upstream without a catalogue entry."""
    return [s for s in seen_model_ids(user) if s.mapped_to is None]


class MappingError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


@transaction.atomic
def model_id_map(*, company: Company, model: StationModel, model_id: int | None, user: User) -> int:
    """In ``company``'s mapping, give ``model`` the be.ENERGISED id ``model_id`` (None clears it) and link
    that company's stations using it; no other company's mapping or stations change.

    Returns how many of the company's mirror stations now point at the model. The id must be one a
    refreshed station of the company uses, and not another model's already in the company.
    """
    Company.objects.select_for_update().filter(pk=company.pk).first()  # one mapping change per company at a time
    current = ModelIdMapping.objects.filter(company=company, model=model).first()
    before = current.beenergised_model_id if current else None
    if model_id is not None:
        seen = {s.model_id: s for s in seen_model_ids(user, company)}
        if model_id not in seen:
            raise MappingError("model_id", f"No refreshed be.ENERGISED station of {company} uses model id {model_id}; "
                                           "pick one of the ids listed (refresh be.ENERGISED stations to see new ones).")
        other = ModelIdMapping.objects.filter(company=company, beenergised_model_id=model_id).exclude(
            model=model).select_related("model").first()
        if other is not None:
            raise MappingError("model_id", f"Model id {model_id} is already “{other.model}”'s; clear it there first.")
    be_stations = Station.objects.filter(backend__kind=Backend.Kind.BEENERGISED, company=company)
    if current is not None and before != model_id:
        current.delete()
        be_stations.filter(model=model).update(model=None)
    linked = 0
    if model_id is not None:
        ModelIdMapping.objects.update_or_create(company=company, model=model,
                                                defaults={"beenergised_model_id": model_id})
        # Refreshed rows store the id as the upstream sent it (a number).
        linked = be_stations.filter(upstream_data__modelId=model_id).update(model=model)
    audit_record(actor=user, action="model.map_beenergised", entity="station_model", entity_id=model.pk,
                 entity_label=str(model), company=company, before={"beenergised_model_id": before},
                 after={"beenergised_model_id": model_id, "stations linked": linked})
    return linked
