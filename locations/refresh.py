"""Refresher for ChargEye locations (see ``sync.engine``).

A location belongs to the company whose identity on the backend
(``portal.identities``) is its ``tenantIdCPO``; failing that, to the backend's company. A location of
neither is skipped and counted as an error of the run (its id in the run's
message), never guessed. ChargEye has no date filter: every run is full.
The live network figures are refreshed by ``locations.sampling`` (its own
schedule), not here.
"""

from __future__ import annotations
from django.utils.translation import gettext_noop

from collections.abc import Iterable, Sequence
from dataclasses import asdict, replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

from upstreams import chargeye_types as ce
from upstreams.pagination import Page
from locations.models import ChargEyeStation, Location
from portal.identities import company_refs
from sync.upsert import Incoming, mark_removed, upsert_mirror
from sync.refreshers import PageResult, RefreshContext, Refresher, register
from sync.mirror import content_hash

HAS_REF = any(f.name == "location_ref" for f in Location._meta.concrete_fields)
# What a run says about the rows it skipped (counted by ``sync.engine.describe_notes``): in words, no ids.
NO_COMPANY_LOCATION = ("locations whose ChargEye tenant is linked to no company in the portal "
                       "(an admin links tenants to companies on the Companies page)")
NO_COMPANY_STATION = ("stations whose location and ChargEye tenant are linked to no company in the portal "
                      "(an admin links tenants to companies on the Companies page)")


def _coordinate(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.000001"))


def location_fields(record: ce.Location, company: int) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "company_id": company,
        "name": (record.name or record.id or "")[:200],
        "address": (record.address or "")[:300],
        "city": (record.city or "")[:100],
        "postal_code": (record.postal_code or "")[:10],
        "country_code": (record.country_code or "")[:2],
        "latitude": _coordinate(record.lat),
        "longitude": _coordinate(record.lng),
        "labels": [label.to_payload() for label in record.labels],
    }
    if HAS_REF:
        fields["location_ref"] = (record.location_id or "")[:100]
    return fields


@register
class ChargEyeLocations(Refresher):
    kind, entity, label = "chargeye", "locations", gettext_noop("Locations")  # translated where shown
    interval = timedelta(minutes=15)

    def prepare(self, ctx: RefreshContext) -> None:
        ctx.lookups["companies"] = company_refs(ctx.backend)

    def pages(self, ctx: RefreshContext) -> Iterable[Page[ce.Location]]:
        return ctx.connector.list_locations()

    def write(self, ctx: RefreshContext, items: Sequence[ce.Location]) -> PageResult:
        result, rows = PageResult(), []
        for record in items:
            if not record.id:
                continue
            company = ctx.lookups["companies"].get(record.tenant_id_cpo) or ctx.backend.company_id
            if company is None:
                ctx.seen.add(record.id)  # skipped, not gone: never mark it removed
                result.errors += 1
                result.notes.append(NO_COMPANY_LOCATION)
                continue
            doc = {k: v for k, v in asdict(record).items() if v not in (None, (), [])}
            doc["labels"] = [label.to_payload() for label in record.labels]
            rows.append(Incoming(record.id, location_fields(record, company), doc, content_hash([doc, company])))
        if rows:
            result.add(upsert_mirror(ctx, Location, rows).result)
        return result

    def finish(self, ctx: RefreshContext) -> int:
        return mark_removed(ctx, Location.objects.all())


@register
class ChargEyeStationsOfLocations(Refresher):
    """The stations of every mirrored ChargEye location, one request (and page) per location.

    The endpoint is the document's "List Charging Stations of a Location"
    (``GET /stations?locationUid=`` as docs/upstream-contract.md, fact F17, gives its path and connector
    fields). A station belongs to its location's company; a location not
    (yet) in the mirror falls back to the station's tenant, then to the
    backend's company, else the station is skipped and counted as an error.
    """

    kind, entity, label = "chargeye", "stations", gettext_noop("Stations of each location (hardware, status)")  # translated where shown
    interval = timedelta(minutes=15)

    def prepare(self, ctx: RefreshContext) -> None:
        ctx.lookups["locations"] = {
            uid: (pk, company) for uid, pk, company in Location.objects.filter(
                backend=ctx.backend, removed_at__isnull=True).exclude(upstream_id=None)
            .values_list("upstream_id", "pk", "company_id")
        }
        ctx.lookups["companies"] = company_refs(ctx.backend)

    def pages(self, ctx: RefreshContext) -> Iterable[Page[ce.Station]]:
        uids = sorted(ctx.lookups["locations"])
        for number, uid in enumerate(uids):
            stations = ctx.connector.stations_of_location(uid)
            yield Page(items=tuple(s if s.location_uid else replace(s, location_uid=uid) for s in stations),
                       number=number, total=None, next=number + 1 if number + 1 < len(uids) else None)

    def write(self, ctx: RefreshContext, items: Sequence[ce.Station]) -> PageResult:
        result, rows = PageResult(), []
        for record in items:
            if not record.station_id:
                continue
            location, company = ctx.lookups["locations"].get(record.location_uid or "", (None, None))
            company = company or ctx.lookups["companies"].get(record.tenant_id_cpo or "") or ctx.backend.company_id
            if company is None:
                ctx.seen.add(record.station_id)  # skipped, not gone
                result.errors += 1
                result.notes.append(NO_COMPANY_STATION)
                continue
            connectors = [
                {"id": c.connector_id, "name": c.name or "", "type": c.type or "", "status": c.status or "",
                 "max_power_kw": c.max_power_kw, "max_power_kw_actual": c.max_power_kw_actual}
                for c in record.connectors
            ]
            fields = {
                "company_id": company, "location_id": location, "name": (record.name or "")[:200],
                "vendor": (record.vendor_name or "")[:200], "model": (record.model or "")[:200],
                "firmware_version": (record.firmware_version or "")[:100],
                "serial_number": (record.serial_number or "")[:100],
                "operational_status": (record.operational_status or "")[:40], "status": (record.status or "")[:40],
                "max_power_kw": record.max_power_kw, "connectors": connectors,
            }
            doc = {k: v for k, v in fields.items() if k not in ("company_id", "location_id")}
            doc["locationUid"] = record.location_uid
            rows.append(Incoming(record.station_id, fields, doc, content_hash([doc, company, location])))
        if rows:
            result.add(upsert_mirror(ctx, ChargEyeStation, rows).result)
        return result

    def finish(self, ctx: RefreshContext) -> int:
        return mark_removed(ctx, ChargEyeStation.objects.all())
