"""A realistic, deterministic estate for all four kinds, and the seeded credentials.

The same ``(stations, seed)`` always gives byte-identical records: ids come
from a seeded RNG and timestamps from :data:`simulator.common.SEED_ANCHOR`,
never from the wall clock.  Live figures (current power, sessions, errors)
are not stored: :mod:`simulator.live` derives them from the time of the read.

``COMPANIES`` are fixed; the portal's demo seed uses them ("company A" and
"company B" are the first two).  Stations are split over the kinds
be.ENERGISED 40 %, GreenFlux 35 %, ChargEye 25 %; the models kind holds the
catalogue.  100 000 stations take a few seconds (plain dict building, no
per-record validation).
"""

from __future__ import annotations

import random
import unicodedata
import uuid
from typing import Any, Iterator

from .common import SEED_ANCHOR_TS, iso_millis, iso_seconds, no_gc
from .ocpi import STATION_FIELD_ORDER, connector_from_spec, evse_id_for
from .seed_data import CITIES, FIRST_NAMES, LAST_NAMES, LOCATION_NAMES, MODEL_SPECS, TARIFFS
from .state import Store

DEFAULT_STATIONS = 300
DEFAULT_SEED = 20250601
_NS = uuid.UUID("6f1d3c52-94a4-4c0b-8f0e-5b7a1d2e3f40")  # namespace for stable uuid5 ids

# Fixed company UUIDs; be.ENERGISED companyUuid and ChargEye tenant ids.
COMPANIES: list[dict[str, str]] = [
    {"uuid": "3f1c2b7e-8a4d-4c1e-9b2f-0a1d2c3e4f51", "name": "Voltaro Fleet Services", "short": "voltaro", "domain": "voltaro.example"},
    {"uuid": "8b2e4d61-3c7a-4f59-a1d8-6e0f2b9c7a42", "name": "Nordlicht Mobility GmbH", "short": "nordlicht", "domain": "nordlicht.example"},
    {"uuid": "c4a9f0d3-5e1b-4a27-8c6d-9f3e1a0b2d73", "name": "Rijnstroom Laadpunten B.V.", "short": "rijnstroom", "domain": "rijnstroom.example"},
    {"uuid": "e7d5b1a8-2f6c-4d3e-b9a0-1c8f7e6d5b94", "name": "Iberia eCharge S.L.", "short": "iberia", "domain": "iberia-echarge.example"},
]
COMPANY_A, COMPANY_B = COMPANIES[0]["uuid"], COMPANIES[1]["uuid"]

# Seeded credentials.  One be.ENERGISED client per company: a client
# credential is bound to its company (docs/upstream-contract.md).
BE_CLIENTS: list[dict[str, str]] = [
    {"client_id": f"sim-be-{c['short']}", "client_secret": f"sim-be-secret-{c['short']}-2f9a", "company_uuid": c["uuid"]}
    for c in COMPANIES
]
GREENFLUX_TOKEN = "sim-greenflux-token-5c1e9a7b"
MODELS_ADMIN_TOKEN = "sim-models-admin-token-9d3b"
MODELS_TOKEN = "sim-models-user-token-4a7e"
CHARGEYE_REFRESH_TOKEN = "sim-chargeye-refresh-token-1f6d"

# Share of stations per kind (the rest goes to ChargEye).
_SHARE_BE, _SHARE_GF = 0.40, 0.35
_COMPANY_CYCLE = (0, 1, 0, 1, 2, 3)  # A and B run most of the estate
_DAY = 86400.0


def stable_uuid(*parts: object) -> str:
    """A uuid5 that depends only on ``parts`` (models, templates, technicians)."""
    return str(uuid.uuid5(_NS, "/".join(str(p) for p in parts)))


def model_catalogue() -> list[dict[str, Any]]:
    """The models-kind records, one per :data:`MODEL_SPECS` entry, in order."""
    out = []
    for i, spec in enumerate(MODEL_SPECS):
        created = SEED_ANCHOR_TS - (900 - 25 * i) * _DAY
        slug = f"{spec['vendor']}-{spec['model']}".lower().replace(" ", "-")
        out.append({
            "id": stable_uuid("model", spec["vendor"], spec["model"]),
            "vendor": spec["vendor"],
            "model": spec["model"],
            "friendlyName": spec["friendlyName"],
            "powerType": spec["powerType"],
            "connectors": [
                {"id": n + 1, "connectionType": c[0], "format": c[1], "maxAmperage": c[2], "maxVoltage": c[3], "maxPowerWatts": c[4]}
                for n, c in enumerate(spec["connectors"])
            ],
            "configurationKeys": {"ocppUrl": f"wss://ocpp.{spec['vendor'].lower()}.example/ocpp16"},
            "imageUrl": f"https://assets.example.com/charging-stations/{slug}.png",
            "isArchived": bool(spec.get("archived")),
            "createdAt": iso_seconds(created),
            "updatedAt": iso_seconds(created + (400 if spec.get("archived") else 30) * _DAY),
        })
    return out


def _power_type(spec: dict[str, Any], voltage: int) -> str:
    if spec["powerType"] == "DC":
        return "DC"
    return "AC_1_PHASE" if voltage <= 240 else "AC_3_PHASE"


def evse_templates_for(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """GreenFlux ``evse_templates`` for a model (one EVSE per connector or one for all)."""
    conns = [
        {"standard": c[0], "format": c[1], "power_type": _power_type(spec, c[3]), "voltage": c[3], "amperage": c[2], "max_electric_power": c[4]}
        for c in spec["connectors"]
    ]
    caps = ["REMOTE_START_STOP_CAPABLE", "RFID_READER"] + (["CREDIT_CARD_PAYABLE"] if spec["powerType"] == "DC" else [])
    groups = [conns] if spec["layout"] == "one" else [[c] for c in conns]
    return [{"evse_sequence_number": n + 1, "capabilities": caps, "connectors": g} for n, g in enumerate(groups)]


def _templates() -> list[dict[str, Any]]:
    out = []
    for i, spec in enumerate(MODEL_SPECS):
        if spec.get("archived"):
            continue
        out.append({
            "template_id": stable_uuid("template", spec["vendor"], spec["model"]),
            "name": f"{spec['vendor']} {spec['model']}",
            "evse_templates": evse_templates_for(spec),
            "last_updated": iso_seconds(SEED_ANCHOR_TS - (600 - 10 * i) * _DAY),
        })
    return out


def _technicians() -> list[dict[str, Any]]:
    """Six technicians per company, the last one inactive (hidden by the API)."""
    out, tid = [], 4100
    for ci, company in enumerate(COMPANIES):
        for k in range(6):
            first = FIRST_NAMES[(ci * 7 + k * 5) % len(FIRST_NAMES)]
            last = LAST_NAMES[(ci * 3 + k * 11) % len(LAST_NAMES)]
            tid += 1
            # Mailbox names are ASCII: "Lefèvre" becomes "lefevre".
            ascii_name = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode()
            email_local = ascii_name.lower().replace(" ", "").replace("'", "")
            out.append({
                "id": tid,
                "uuid": stable_uuid("technician", tid),
                "name": f"{first} {last}",
                "email": f"{email_local}@{company['domain']}",
                "companyUuid": company["uuid"],
                "active": k != 5,
            })
    return out


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _digits(rng: random.Random, n: int) -> str:
    return str(rng.randrange(10 ** (n - 1), 10**n))


def build_estate(stations: int = DEFAULT_STATIONS, seed: int = DEFAULT_SEED) -> tuple[dict[str, list[tuple[str, dict[str, Any]]]], dict[str, Any]]:
    """Every collection of a fresh estate, plus the meta to store beside it."""
    rng = random.Random(seed)
    data: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    data["companies"] = [(c["uuid"], {"uuid": c["uuid"], "name": c["name"]}) for c in COMPANIES]
    data["be_clients"] = [(c["client_id"], dict(c)) for c in BE_CLIENTS]
    techs = _technicians()
    data["be_technicians"] = [(str(t["id"]), t) for t in techs]
    models = model_catalogue()
    data["models"] = [(m["id"], m) for m in models]
    templates = _templates()
    data["gf_templates"] = [(t["template_id"], t) for t in templates]
    tpl_by_model = {(t["name"]): t for t in templates}

    n_be = int(stations * _SHARE_BE)
    n_gf = int(stations * _SHARE_GF)
    n_ce = stations - n_be - n_gf
    # Dozens of locations for the default estate, about one per 8 stations at scale.
    n_loc = max(36, stations // 8)
    places = [_place(rng, i) for i in range(n_loc)]
    gf_places = places[1::3] or places[:1]
    ce_places = places[2::3] or places[:1]

    active_models = [(i, s) for i, s in enumerate(MODEL_SPECS) if not s.get("archived")]
    kempower = [(i, s) for i, s in active_models if s["vendor"] == "Kempower"]
    techs_by_company: dict[str, list[int]] = {}
    for t in techs:
        if t["active"]:
            techs_by_company.setdefault(t["companyUuid"], []).append(t["id"])

    data["be_stations"] = list(_be_stations(rng, n_be, places, active_models, techs_by_company))
    data["gf_locations"] = [(p["gf_id"], _gf_location(p)) for p in gf_places]
    data["gf_stations"] = list(_gf_stations(rng, n_gf, gf_places, active_models, tpl_by_model))
    data["ce_locations"] = [(p["ce_id"], _ce_location(p)) for p in ce_places]
    data["ce_stations"] = list(_ce_stations(rng, n_ce, ce_places, kempower))
    meta = {"seed": {"stations": stations, "seed": seed}, "token_secret": f"sim-signing-{seed}-{rng.getrandbits(64):x}", "revoked_before": {}}
    return data, meta


def seed_store(store: Store, stations: int = DEFAULT_STATIONS, seed: int = DEFAULT_SEED) -> None:
    """Replace everything in ``store`` with a fresh estate (also ``/_sim/reset``)."""
    with no_gc():
        data, meta = build_estate(stations, seed)
        store.replace_all(data, meta)


def _place(rng: random.Random, i: int) -> dict[str, Any]:
    city, country, cc, tz, lat, lng, postals, streets = CITIES[i % len(CITIES)]
    street = streets[(i // len(CITIES)) % len(streets)]
    company = COMPANIES[_COMPANY_CYCLE[i % len(_COMPANY_CYCLE)]]
    name = LOCATION_NAMES[(i * 5 + i // len(CITIES)) % len(LOCATION_NAMES)].format(street=street, city=city)
    return {
        "i": i, "city": city, "country": country, "cc": cc, "tz": tz, "company": company,
        "lat": round(lat + rng.uniform(-0.045, 0.045), 6), "lng": round(lng + rng.uniform(-0.07, 0.07), 6),
        "street": street, "number": str(rng.randint(1, 240)), "postal": postals[i % len(postals)],
        "name": name, "gf_id": _uuid(rng), "ce_id": _uuid(rng),
        "created": SEED_ANCHOR_TS - rng.uniform(200, 1000) * _DAY,
    }


class _Numbering:
    """Station names numbered per place: "Köln Hohe Straße 01", "… 02", never one name twice.

    (They were numbered ``k % 8``, which gave one place three stations of the same name.) The
    numbers come from a count, not the rng, so every other seeded value stays as it was.
    """

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def __call__(self, prefix: str) -> str:
        self.seen[prefix] = self.seen.get(prefix, 0) + 1
        return f"{prefix} {self.seen[prefix]:02d}"


def _stamps(rng: random.Random) -> tuple[float, float]:
    created = SEED_ANCHOR_TS - rng.uniform(20, 800) * _DAY
    return created, created + rng.uniform(0, SEED_ANCHOR_TS - created)


def _be_stations(rng: random.Random, n: int, places: list[dict[str, Any]], models: list[tuple[int, dict[str, Any]]],
                 techs: dict[str, list[int]]) -> Iterator[tuple[str, dict[str, Any]]]:
    numbered = _Numbering()
    for k in range(n):
        p = places[rng.randrange(len(places))]
        mi, spec = models[rng.randrange(len(models))]
        created, updated = _stamps(rng)
        sid = _uuid(rng)
        company = p["company"]["uuid"]
        pool = techs.get(company, [])
        serial = _digits(rng, 12)
        yield sid, {
            "id": sid,
            "label": numbered(f"{p['city']} {p['street']}"),
            "chargeBoxIdentity": f"{spec['vendor'][:3].upper()}-{serial}-{k}",
            "modelId": mi + 1,
            "companyUuid": company,
            "timeZone": p["tz"],
            "publicDisplayName": f"{p['name']} #{k % 8 + 1}",
            "iccid": "8931" + _digits(rng, 15),
            "imsi": "20404" + _digits(rng, 10),
            "serialnumber": serial,
            "firmwareVersion": spec["fw"],
            "address": {"street": p["street"], "houseNumber": p["number"], "postalCode": p["postal"], "city": p["city"], "countryCode": p["cc"]},
            "geolocation": {"latitude": round(p["lat"] + rng.uniform(-0.0004, 0.0004), 6), "longitude": round(p["lng"] + rng.uniform(-0.0004, 0.0004), 6)},
            "technicianUserId": pool[rng.randrange(len(pool))] if pool and rng.random() < 0.7 else None,
            # Not from the rng, so adding them left every other seeded value as it was.
            "connectors": [{"uuid": stable_uuid("be-connector", sid, n), "connectorId": n}
                           for n in range(1, len(spec["connectors"]) + 1)],
            "createdAt": iso_seconds(created),
            "updatedAt": iso_seconds(updated),
        }


def _gf_location(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": p["gf_id"], "country_code": p["cc"], "party_id": "GFX", "name": p["name"],
        "address": f"{p['street']} {p['number']}", "city": p["city"], "postal_code": p["postal"], "country": p["cc"],
        "coordinates": {"latitude": f"{p['lat']:.6f}", "longitude": f"{p['lng']:.6f}"},
        "time_zone": p["tz"], "last_updated": iso_seconds(p["created"]),
    }


def _gf_stations(rng: random.Random, n: int, places: list[dict[str, Any]], models: list[tuple[int, dict[str, Any]]],
                 tpl_by_model: dict[str, dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    numbered = _Numbering()
    for k in range(n):
        p = places[rng.randrange(len(places))]
        _, spec = models[rng.randrange(len(models))]
        tpl = tpl_by_model[f"{spec['vendor']} {spec['model']}"]
        created, updated = _stamps(rng)
        stamp = iso_seconds(updated)
        csid = f"GFX{100000 + k}"
        online = rng.random() < 0.93
        evses = []
        for et in tpl["evse_templates"]:
            status = "AVAILABLE" if online else "UNKNOWN"
            if online and rng.random() < 0.12:
                status = rng.choice(("CHARGING", "OUTOFORDER", "BLOCKED"))
            evses.append({
                "uid": _uuid(rng), "evse_id": evse_id_for(csid, et["evse_sequence_number"], p["cc"]),
                "evse_sequence_number": et["evse_sequence_number"], "status": status, "capabilities": list(et["capabilities"]),
                "connectors": [connector_from_spec(str(i + 1), c, stamp) for i, c in enumerate(et["connectors"])],
                "floor_level": None, "physical_reference": str(et["evse_sequence_number"]),
                "directions": [], "parking_restrictions": ["EV_ONLY"] if rng.random() < 0.3 else [], "last_updated": stamp,
            })
        # About a third were never updated after creation, so still have no etag.
        etag = _uuid(rng) if rng.random() < 0.67 else None
        rec = {
            "charge_station_id": csid, "location_id": p["gf_id"], "name": numbered(p["name"]),
            "default_charge_station_tariff_id": TARIFFS[2 if spec["powerType"] == "DC" else rng.randrange(2)],
            "deploy_state": "Production" if rng.random() < 0.9 else rng.choice(("Stock", "Deprecated")),
            "status": "AVAILABLE" if online else "UNKNOWN",
            "charger_type": rng.choice(("Public", "Public", "Business", "Home")),
            "contactless_type": "Payter" if spec["powerType"] == "DC" else None,
            "charge_station_template_id": tpl["template_id"], "evses": evses, "etag": etag,
            "heartbeat_interval": 120 if spec["powerType"] != "DC" else 300,
            "charge_point_model": spec["model"], "charge_point_vendor": spec["vendor"],
            "charge_point_serial_number": _digits(rng, 18), "charge_box_serial_number": _digits(rng, 17),
            "client_ip_address": f"95.{rng.randint(96, 143)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            "firmware_version": spec["fw"], "iccid": "8945" + _digits(rng, 12), "imsi": "2380" + _digits(rng, 10),
            "meter_serial_number": "unknown", "meter_type": "unknown", "remote_manageable": True,
            "connectivity_status": "Online" if online else "Offline",
            "protocol_version": "Ocpp16", "endpoint": "ws://ocpp-public-a.greenflux.com",
            "last_updated": stamp,
        }
        yield csid, {f: rec[f] for f in STATION_FIELD_ORDER}


def _ce_location(p: dict[str, Any]) -> dict[str, Any]:
    company = p["company"]["uuid"]
    lat, lng = p["lat"], p["lng"]
    return {
        "id": p["ce_id"], "locationId": f"{p['company']['short'][:3].upper()}-{p['cc']}-{p['i']:04d}", "name": p["name"],
        "address": f"{p['street']} {p['number']}", "city": p["city"], "postalCode": p["postal"], "state": None,
        "country": p["country"], "countryCode": p["cc"], "lat": lat, "lng": lng,
        "bounds": [[round(lat - 0.0008, 6), round(lng - 0.0012, 6)], [round(lat + 0.0008, 6), round(lng + 0.0012, 6)]],
        "geo": [lat, lng],
        "labels": [{"tenantIds": [company], "value": "fleet"}],
        "positionEstimate": {"confidence": 0.92, "lastUpdated": iso_millis(p["created"]), "lat": lat, "lng": lng},
        "roamingPoolId": None,
        "tenantIdCPO": company, "tenantIdEMSP": None, "tenantIdMaintenance": company, "tenantIds": [company],
    }


_CE_TYPES = {"IEC_62196_T2_COMBO": "CCS", "CHADEMO": "CHAdeMO", "IEC_62196_T2": "Type2"}


def _ce_stations(rng: random.Random, n: int, places: list[dict[str, Any]],
                 models: list[tuple[int, dict[str, Any]]]) -> Iterator[tuple[str, dict[str, Any]]]:
    for k in range(n):
        p = places[rng.randrange(len(places))]
        _, spec = models[rng.randrange(len(models))]
        company = p["company"]
        sid = f"KP{2200000 + k}"
        created, _ = _stamps(rng)
        connectors = [
            {"connectorId": i + 1, "name": f"{sid}-{i + 1}", "type": _CE_TYPES.get(c[0], c[0]), "maxPowerKw": c[4] / 1000}
            for i, c in enumerate(spec["connectors"])
        ]
        yield sid, {
            "stationId": sid, "name": f"{p['name']} K{k % 8 + 1}", "model": spec["model"], "vendorName": spec["vendor"],
            "firmwareVersion": spec["fw"], "maxPowerKw": max(c[4] for c in spec["connectors"]) / 1000,
            "locationUid": p["ce_id"], "operationalStatus": "IN_OPERATION" if rng.random() < 0.94 else "IN_MAINTENANCE",
            "classification": {"access": rng.choice(("PRIVATE", "PUBLIC")), "applicationTypes": ["DEPOT"], "facilities": [], "parkingType": "PARKING_LOT"},
            "commissioningRequired": False, "customer": {"id": company["uuid"], "name": company["name"]},
            "customerSuppliedId": f"{company['short'][:3].upper()}-{k:05d}", "groupPath": f"/{company['short']}/{p['city']}",
            "labels": [{"tenantIds": [company["uuid"]], "value": "fleet"}], "licenseId": None, "licenseTenantId": None,
            "manufacturingInfo": {"deliveryDate": iso_millis(created - 30 * _DAY), "extraOrders": [], "orderNumber": f"SO-{_digits(rng, 7)}",
                                  "partnerId": None, "partnerName": None, "productId": spec["model"].upper().replace(" ", "-"),
                                  "productName": spec["friendlyName"], "serialNumber": f"KEM{_digits(rng, 9)}", "serialNumberStatus": "VALID", "stock": None},
            "notes": None, "operator": company["name"], "stationCapabilities": "DC_CHARGING",
            "tenantIdCPO": company["uuid"], "tenantIdEMSP": None, "tenantIdMaintenance": company["uuid"], "tenantIds": [company["uuid"]],
            "connectors": connectors,
        }
