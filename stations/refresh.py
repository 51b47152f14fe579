"""Refreshers for stations and what hangs off them, in bulk (see ``sync.engine``).

GreenFlux: its locations (the stations' parents), hardware templates, and
stations with their EVSEs and connectors, incrementally by ``date_from``
(a full read daily). be.ENERGISED: technicians and stations (full reads:
its API has no date filter).

Content hashes cover what the mirror shows, including the resolved links
(location, template, model, technician, company), so a station whose parent
arrived after it is rewritten once the link resolves. GreenFlux stations hash
the bytes the upstream sent for each station (``list_station_raw``), so an unchanged one is
never even parsed; a changed one is parsed and mapped from the JSON itself
(``upstreams.greenflux_documents``), without the connector's objects. A station sent with
its keys reordered or spaced differently is rewritten once, never missed.
They differ from the single-row hash of ``stations.mapping``, so a row written
by the outbox is rewritten once by the next refresh; harmless.
"""

from __future__ import annotations
from django.utils.translation import gettext_noop

import hashlib
from collections.abc import Iterable, Sequence, Set
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

import orjson

from upstreams import beenergised as be
from upstreams import greenflux as gf
from upstreams import greenflux_documents as gfd
from upstreams import NotFound
from upstreams.pagination import Page, Pages
from upstreams.raw_json import RawJson
from locations.models import Location
from sync import bulk
from sync.mirror import SyncState, content_hash
from portal.identities import company_refs
from sync.upsert import Incoming, mark_removed, upsert_mirror
from sync.refreshers import PageResult, RefreshContext, Refresher, Snapshot, register
from stations.model_ids import mapping_lookup
from stations.mapping import _when, status_from, upstream_document
from stations.models import Connector, Evse, HardwareTemplate, Station, Technician

# Said of the stations a run skipped (counted by ``sync.engine.describe_notes``): in words, no ids.
NO_COMPANY = ("stations whose be.ENERGISED company is linked to no company in the portal "
              "(an admin links it on the Companies page)")


def _coordinate(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.000001"))


def _company_of(ctx: RefreshContext) -> int:
    if ctx.backend.company_id is None:
        raise ValueError(f"Backend {ctx.backend.name} has no company: its records cannot be placed.")
    return ctx.backend.company_id


# --- GreenFlux --------------------------------------------------------------------------

def optional_listing(ctx: RefreshContext, pages: Pages[Any], name: str, instead: str) -> Pages[Any]:
    """A listing at a path no document gives (``name`` of the backend's paths): not found there, the
    run is done with a note naming the URL, reads nothing and marks nothing removed (``finish``)."""
    notes: list[str] = []

    def gen() -> Any:
        try:
            yield from pages
        except NotFound:
            ctx.lookups["path_not_found"] = True
            notes.append(f"optional: not found at {ctx.connector.http.base_url}{ctx.connector.paths[name]}; "
                         f"{instead}")
        notes.extend(pages.notes)

    return Pages(gen, notes=notes)


@register
class GreenFluxLocations(Refresher):
    kind, entity, label = "greenflux", "locations", gettext_noop("Locations (station parents)")  # translated where shown
    interval = timedelta(hours=1)
    page_size = 1000

    def pages(self, ctx: RefreshContext) -> Iterable[Page[gf.Location]]:
        return optional_listing(ctx, ctx.connector.list_locations(), "locations",
                                "the locations are known from the stations (named by their ids)")

    def write(self, ctx: RefreshContext, items: Sequence[gf.Location]) -> PageResult:
        company = _company_of(ctx)
        rows = []
        for loc in items:
            fields = {
                "company_id": company, "name": (loc.name or loc.id)[:200], "country_code": (loc.country_code or "")[:2],
                "address": (loc.address or "")[:300], "city": (loc.city or "")[:100],
                "postal_code": (loc.postal_code or "")[:10],
                "latitude": _coordinate(loc.latitude), "longitude": _coordinate(loc.longitude),
            }
            doc = {k: v for k, v in asdict(loc).items() if v is not None}
            rows.append(Incoming(loc.id, fields, doc, content_hash(doc | {"company": company})))
        return upsert_mirror(ctx, Location, rows).result

    def finish(self, ctx: RefreshContext) -> int:
        if ctx.lookups.get("path_not_found"):
            return 0
        return mark_removed(ctx, Location.objects.all())


@register
class GreenFluxTemplates(Refresher):
    kind, entity, label = "greenflux", "templates", gettext_noop("Hardware templates")  # translated where shown
    interval = timedelta(hours=1)
    page_size = 1000

    def pages(self, ctx: RefreshContext) -> Iterable[Page[gf.HardwareTemplate]]:
        return optional_listing(ctx, ctx.connector.list_templates(), "templates",
                                "an admin sets the hardware templates path the vendor gives on the backend")

    def write(self, ctx: RefreshContext, items: Sequence[gf.HardwareTemplate]) -> PageResult:
        rows = []
        for tpl in items:
            doc = tpl.to_payload()
            fields = {"name": tpl.name[:200], "evse_templates": list(doc["evse_templates"])}
            rows.append(Incoming(tpl.template_id, fields, doc, content_hash(doc)))
        return upsert_mirror(ctx, HardwareTemplate, rows).result

    def finish(self, ctx: RefreshContext) -> int:
        if ctx.lookups.get("path_not_found"):
            return 0
        return mark_removed(ctx, HardwareTemplate.objects.all())


def greenflux_station_fields(doc: dict[str, Any], writable: dict[str, Any], company: int, location: int | None,
                             template: int | None) -> dict[str, Any]:
    """A GreenFlux station document as mirror fields (the bulk twin of ``mapping.apply_greenflux``).

    ``writable`` is ``gfd.writable_document(doc)``; the read-only fields come from ``doc``.
    """
    config = gfd.configuration_of(doc)
    identity = writable["charge_station_id"]
    return {
        "company_id": company,
        "charge_box_identity": identity,
        "label": (writable["name"] or identity)[:200],
        "location_id": location,
        "deploy_state": writable["deploy_state"] or "",
        "status": status_from(writable["status"], [e.get("status") for e in writable["evses"]]),
        "charger_type": writable["charger_type"] or "",
        "default_tariff_id": writable["default_charge_station_tariff_id"] or "",
        "template_id": template,
        "etag": doc.get("etag") or "",
        "connectivity": doc.get("connectivity_status") or "",
        "protocol_version": doc.get("protocol_version") or "",
        "configuration": config,
        "firmware_version": str(config.get("firmware_version") or "")[:100],
        "iccid": str(config.get("iccid") or "")[:40],
        "imsi": str(config.get("imsi") or "")[:40],
        "serial_number": str(config.get("charge_box_serial_number") or config.get("charge_point_serial_number") or "")[:200],
    }


def write_evses(stations: dict[str, int], documents: dict[str, dict[str, Any]], new: Set[str] = frozenset()) -> None:
    """EVSEs and connectors of the stations just written: upserted by uid, the ones gone deleted.

    ``documents`` are the stations' writable documents (``gfd.writable_document``). ``new``
    stations (created by this page) have nothing to delete: their deletes are skipped.
    """
    if not stations:
        return
    evses = [
        {
            "station_id": stations[sid], "uid": e["uid"], "evse_id": e.get("evse_id") or "",
            "sequence_number": e.get("evse_sequence_number") or n, "status": e.get("status") or "UNKNOWN",
            "capabilities": e["capabilities"], "floor_level": e.get("floor_level") or "",
            "physical_reference": e.get("physical_reference") or "",
            "directions": e.get("directions", []), "parking_restrictions": e.get("parking_restrictions", []),
        }
        for sid in stations for n, e in enumerate(documents[sid]["evses"], start=1)
    ]
    # A new station's EVSEs are new too: straight in. A rewritten one's are merged by uid.
    fresh_pks = {stations[sid] for sid in new}
    evse_ids = bulk.insert_new(Evse, [e for e in evses if e["station_id"] in fresh_pks], unique=["station", "uid"])
    evse_ids.update(bulk.upsert(Evse, [e for e in evses if e["station_id"] not in fresh_pks], unique=["station", "uid"],
                                update=["evse_id", "sequence_number", "status", "capabilities", "floor_level",
                                        "physical_reference", "directions", "parking_restrictions"]))
    rewritten = [pk for sid, pk in stations.items() if sid not in new]
    if rewritten:
        again = set(rewritten)
        keep = [pk for (station, _), pk in evse_ids.items() if station in again]
        Evse.objects.filter(station_id__in=rewritten).exclude(pk__in=keep).delete()
        Connector.objects.filter(evse__station_id__in=rewritten).delete()
    bulk.insert(Connector, [
        {
            "evse_id": evse_ids[(stations[sid], e["uid"])], "connector_id": c["id"], "standard": c.get("standard"),
            "format": c.get("format"), "power_type": c.get("power_type"), "max_voltage": c.get("voltage"),
            "max_amperage": c.get("amperage"), "max_electric_power": c.get("max_electric_power"),
            "tariff_id": c.get("tariff_id") or "",
        }
        for sid in stations for e in documents[sid]["evses"] for c in e["connectors"]
    ])

def locations_from_stations(ctx: RefreshContext, refs: set[str]) -> dict[str, int]:
    """The mirror's locations for these ``location_id``s of stations, made where it has none yet.

    GreenFlux's document lists stations by location and gives no list of locations (issue 24): the
    locations are known from the stations, named by their id until a locations path (an optional
    backend setting) gives their names.
    """
    company = _company_of(ctx)
    Location.objects.bulk_create(
        [Location(backend=ctx.backend, company_id=company, upstream_id=ref, name=ref[:200],
                  sync_state=SyncState.SYNCED) for ref in sorted(refs)],
        ignore_conflicts=True,  # made meanwhile by another page or a locations refresh
    )
    known = dict(Location.objects.filter(backend=ctx.backend, upstream_id__in=list(refs))
                 .values_list("upstream_id", "pk"))
    ctx.lookups["locations"].update(known)
    return known


@dataclass
class MappedStations:
    """A page of GreenFlux stations as ``GreenFluxStations.map`` leaves it for ``write``."""

    rows: list[Incoming] = field(default_factory=list)
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> writable document
    unchanged: list[str] = field(default_factory=list)  # ids whose digest the mirror already holds
    new_locations: dict[str, str] = field(default_factory=dict)  # station id -> a location_id the mirror lacks


@register
class GreenFluxStations(Refresher):
    kind, entity, label = "greenflux", "stations", gettext_noop("Stations, EVSEs and connectors")  # translated where shown
    interval = timedelta(minutes=5)
    incremental = True
    page_size = 1000  # the upstream's cap
    tables = (Station, Evse, Connector)

    def prepare(self, ctx: RefreshContext) -> None:
        ctx.lookups["locations"] = dict(Location.objects.filter(backend=ctx.backend).values_list("upstream_id", "pk"))
        ctx.lookups["templates"] = dict(
            HardwareTemplate.objects.filter(backend=ctx.backend).values_list("upstream_id", "pk")
        )
        ctx.lookups["digests"] = {}
        if ctx.full:
            # Every id and identity the mirror holds: the rows of a page that are neither are new
            # and go straight in, without a lookup (a first full refresh: all of them).
            ctx.known[Station] = Snapshot(Station.objects.filter(backend=ctx.backend), "charge_box_identity")
            # One read of the live rows serves the whole run: the synced ones' digests, which a
            # page is compared with before any parsing, and the list ``finish`` checks for rows
            # gone upstream (a row created meanwhile was not live when the listing began).
            digests, live = ctx.lookups["digests"], []
            synced = SyncState.SYNCED
            for pk, uid, digest, state in (
                Station.objects.filter(backend=ctx.backend, removed_at__isnull=True, upstream_id__isnull=False)
                .values_list("pk", "upstream_id", "content_hash", "sync_state").iterator(chunk_size=10_000)
            ):
                live.append((pk, uid))
                if state == synced:
                    digests[uid] = digest
            ctx.live[Station] = live

    def pages(self, ctx: RefreshContext) -> Iterable[Page[RawJson]]:
        return ctx.connector.list_station_raw(date_from=None if ctx.full else ctx.since)

    def map(self, ctx: RefreshContext, items: Sequence[RawJson]) -> MappedStations:
        """Digest each station's bytes as sent; parse and map only those whose digest the mirror lacks.

        The digest covers the bytes plus the resolved links (company, location, template), so a
        station whose parent arrived after it is rewritten once the link resolves. A station the
        mirror holds with this digest is left alone without being parsed: most of a full
        refresh of a quiet estate.
        """
        company = _company_of(ctx)
        locations, templates, digests = ctx.lookups["locations"], ctx.lookups["templates"], ctx.lookups["digests"]
        mapped = MappedStations()
        unchanged = mapped.unchanged
        links: dict[tuple[Any, Any], bytes] = {}
        sha256, keys_of = hashlib.sha256, gfd.station_keys  # the hot loop of a quiet run
        for raw in items:
            keys = keys_of(raw)
            csid = keys.charge_station_id
            if csid.__class__ is not str:
                csid = str(csid)
            location_ref = keys.location_id
            location = locations.get(location_ref if location_ref.__class__ is str else str(location_ref))
            template_ref = keys.charge_station_template_id
            template = templates.get(str(template_ref)) if template_ref else None
            link = links.get((location, template))
            if link is None:
                link = links[(location, template)] = orjson.dumps([company, location, template])
            hasher = sha256(raw)
            hasher.update(link)
            digest = hasher.hexdigest()
            if digests.get(csid) == digest:
                unchanged.append(csid)
                continue
            doc = gfd.station_document(raw)
            writable = gfd.writable_document(doc)  # = Station.from_api(doc).writable(), without the objects
            identity = writable["charge_station_id"]
            last_updated = doc.get("last_updated")
            if location is None and location_ref:
                mapped.new_locations[identity] = str(location_ref)
            mapped.rows.append(Incoming(
                identity, greenflux_station_fields(doc, writable, company, location, template),
                {**writable, "etag": doc.get("etag"), "last_updated": last_updated},  # = upstream_document()
                digest, _when(last_updated),
            ))
            mapped.documents[identity] = writable
        return mapped

    def write(self, ctx: RefreshContext, items: MappedStations) -> PageResult:
        ctx.seen.update(items.unchanged)
        result = PageResult(unchanged=len(items.unchanged))
        if items.new_locations:
            made = locations_from_stations(ctx, set(items.new_locations.values()))
            for row in items.rows:
                ref = items.new_locations.get(row.upstream_id)
                if ref is not None:
                    row.fields["location_id"] = made.get(ref)
        if items.rows:
            done = upsert_mirror(ctx, Station, items.rows, natural_key="charge_box_identity")
            write_evses(done.written, items.documents, done.created)
            result.add(done.result)
        return result

    def finish(self, ctx: RefreshContext) -> int:
        return mark_removed(ctx, Station.objects.all())


# --- be.ENERGISED -----------------------------------------------------------------------

@register
class BeEnergisedTechnicians(Refresher):
    kind, entity, label = "beenergised", "technicians", gettext_noop("Technicians")  # translated where shown
    interval = timedelta(hours=1)

    def pages(self, ctx: RefreshContext) -> Iterable[Page[be.Technician]]:
        return ctx.connector.list_technicians(limit=ctx.connector.page_size)

    def write(self, ctx: RefreshContext, items: Sequence[be.Technician]) -> PageResult:
        company = _company_of(ctx)
        rows = []
        for tech in items:
            doc = {"id": tech.id, "uuid": tech.uuid, "name": tech.name, "email": tech.email}
            fields = {"company_id": company, "uuid": tech.uuid or "", "name": tech.name[:200], "email": tech.email or ""}
            rows.append(Incoming(str(tech.id), fields, doc, content_hash(doc | {"company": company})))
        return upsert_mirror(ctx, Technician, rows).result

    def finish(self, ctx: RefreshContext) -> int:
        return mark_removed(ctx, Technician.objects.all())


@register
class BeEnergisedStations(Refresher):
    kind, entity, label = "beenergised", "stations", gettext_noop("Stations")  # translated where shown
    interval = timedelta(minutes=15)
    page_size = 500  # the upstream's cap
    tables = (Station,)

    def prepare(self, ctx: RefreshContext) -> None:
        ctx.lookups["companies"] = company_refs(ctx.backend)
        ctx.lookups["models"] = mapping_lookup()  # (company, modelId) -> model: each company's own mapping
        ctx.lookups["technicians"] = dict(
            Technician.objects.filter(backend=ctx.backend).values_list("upstream_id", "pk")
        )

    def pages(self, ctx: RefreshContext) -> Iterable[Page[be.Station]]:
        return ctx.connector.list_stations()

    def write(self, ctx: RefreshContext, items: Sequence[be.Station]) -> PageResult:
        result, rows = PageResult(), []
        for record in items:
            company = ctx.lookups["companies"].get(record.company_uuid) or ctx.backend.company_id
            if company is None or not record.id:
                result.errors += 1
                result.notes.append(NO_COMPANY)
                ctx.seen.add(record.id or "")  # skipped, not gone: never mark it removed
                continue
            model = ctx.lookups["models"].get((company, record.model_id))
            technician = (
                ctx.lookups["technicians"].get(str(record.technician_user_id))
                if record.technician_user_id is not None else None
            )
            doc = upstream_document(record)
            fields = {
                "company_id": company, "label": record.label[:200], "charge_box_identity": record.charge_box_identity,
                "model_id": model, "time_zone": record.time_zone or "",
                "public_display_name": (record.public_display_name or "")[:200],
                "serial_number": (record.serialnumber or "")[:200], "iccid": (record.iccid or "")[:40],
                "imsi": (record.imsi or "")[:40], "firmware_version": (record.firmware_version or "")[:100],
                "technician_id": technician,
            }
            digest = content_hash({"doc": doc, "links": [company, model, technician]})
            rows.append(Incoming(record.id, fields, doc, digest, _when(record.updated_at)))
        if rows:
            result.add(upsert_mirror(ctx, Station, rows, natural_key="charge_box_identity").result)
        return result

    def finish(self, ctx: RefreshContext) -> int:
        return mark_removed(ctx, Station.objects.all())
