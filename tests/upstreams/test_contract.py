"""Every request a connector sends is in docs/upstream-contract.md (issue 11).

Each public method of each connector runs against the simulator through a
transport that records every request; a request whose method and path is not
a row of the contract table fails the test, and so does a public method this
tour does not drive (a new method must be added here, and its paths to the
contract).
"""

from __future__ import annotations

import inspect
import re
import uuid
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import httpx
import pytest

from upstreams import beenergised as be
from upstreams import chargeye_types as cet
from upstreams import NotOffered, get_connector
from upstreams import greenflux as gf
from upstreams import models_api as mo
from upstreams.beenergised import BeEnergisedConnector
from upstreams.chargeye import ChargEyeConnector
from upstreams.greenflux import GreenFluxConnector
from upstreams.models_api import ModelsConnector

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "upstream-contract.md"
ROW = re.compile(r"^\| `(GET|POST|PUT|PATCH|DELETE)` \| `(\w+)` \| `([^`]+)` \|.*\| ([^|]+) \|$")
# What a request may rest on (issue 24): a document line, or a path an admin sets on the backend.
SENDABLE = ("documented", "configured path")
CLASSES = {"beenergised": BeEnergisedConnector, "greenflux": GreenFluxConnector, "models": ModelsConnector,
           "chargeye": ChargEyeConnector}


def contract(*, sendable_only: bool = True) -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    """The table's rows per kind; only those a request may rest on unless ``sendable_only`` is False."""
    rows: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for line in CONTRACT.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            method, kind, path, status = match.groups()
            if sendable_only and not status.strip().startswith(SENDABLE):
                continue
            pattern = re.escape(path).replace(r"\{id\}", "[^/]+").replace(r"\{token_url\}", r"\{token_url\}")
            rows.setdefault(kind, []).append((method, re.compile(f"^{pattern}$")))
    return rows


def test_every_row_is_documented_a_configured_path_or_not_offered() -> None:
    statuses = [ROW.match(line).group(4).strip() for line in CONTRACT.read_text(encoding="utf-8").splitlines()
                if ROW.match(line)]
    assert statuses and all(s.startswith((*SENDABLE, "not offered")) for s in statuses), sorted(set(statuses))
    text = CONTRACT.read_text(encoding="utf-8")
    # The documents are named by file name only: no path out of the repository.
    assert "shared/" not in text and not re.search(r"(?<!\.)\.\./", text)


def test_a_request_no_document_gives_is_not_sent_without_its_path(simulator: Any) -> None:
    recorder = Recorder()
    kind = "beenergised"
    with get_connector(kind, simulator.base_url(kind), simulator.credentials[kind], transport=recorder,
                       max_attempts=1) as connector:
        assert not connector.offers("maintenance_cancel")
        with pytest.raises(NotOffered):
            connector.cancel_maintenance_window("some-window")
    assert not [url for method, url in recorder.sent if method == "DELETE"]


class Recorder(httpx.HTTPTransport):
    """The real transport, noting every request it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, httpx.URL]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.method, request.url))
        return super().handle_request(request)


class Tour:
    """Calls a connector's methods by name and remembers which ones ran."""

    def __init__(self, connector: Any) -> None:
        self.connector = connector
        self.called: set[str] = set()

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self.connector, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            self.called.add(name)
            result = method(*args, **kwargs)
            return result.all() if hasattr(result, "all") and callable(result.all) else result

        return call


def _public(cls: type) -> set[str]:
    return {n for n, v in inspect.getmembers(cls, inspect.isfunction) if not n.startswith("_") and n != "close"}


def _beenergised(t: Tour) -> None:
    first = t.list_stations()[0]
    t.get_station(first.id)
    t.find_station(first.charge_box_identity)
    new = be.Station(label="Contract", charge_box_identity=f"CT-{uuid.uuid4().hex[:8]}", model_id=first.model_id or 1,
                     company_uuid=first.company_uuid, time_zone="Europe/Berlin")
    t.create_station(new)
    t.create_or_adopt(new)
    t.list_technicians()
    start = datetime.now(timezone.utc) + timedelta(days=2)
    stamp = "%Y-%m-%dT%H:%M:%SZ"
    window = be.MaintenanceWindow(start.strftime(stamp), (start + timedelta(hours=1)).strftime(stamp), "Contract",
                                  first.id)
    made = t.create_maintenance_window(window)
    t.find_maintenance_window(window)
    t.list_maintenance_windows()
    t.list_station_maintenance_windows(first.id)
    assert t.offers("maintenance_cancel")
    t.cancel_maintenance_window(made.id)


def _greenflux(t: Tour) -> None:
    location = t.list_locations()[0]
    template = t.list_templates()[0]
    first = t.list_stations()[0]
    t.list_station_documents(location_id=first.location_id)
    t.list_station_raw(location_id=first.location_id)
    t.get_station(first.charge_station_id)
    sid = f"CT-{uuid.uuid4().hex[:8]}"
    new = gf.Station(charge_station_id=sid, location_id=location.id, deploy_state="Stock",
                     default_charge_station_tariff_id="TARIFF-AC-STD", charge_station_template_id=template.template_id)
    t.create_station(new)
    t.create_or_adopt(new)
    patched = t.patch_station(sid, {"name": "Contract"})
    t.update_station(replace(patched, name="Contract 2"))
    t.create_template(gf.HardwareTemplate(f"TPL-{uuid.uuid4().hex[:6]}", "Contract", template.evse_templates))


def _models(t: Tour) -> None:
    made = t.create_model(mo.StationModel(
        vendor="Contract", model=f"CT-{uuid.uuid4().hex[:8]}", power_type="DC", ocpp_url="wss://ocpp.example.test",
        connectors=(mo.ModelConnector(1, "CHADEMO", "CABLE", 125, 500, 50000),)))
    t.list_models()
    t.get_model(made.id)
    t.find_model(made)
    t.create_or_adopt(made)
    t.rename_model(made.id, "Contract renamed")
    t.archive_model(made.id)


def _chargeye(t: Tour) -> None:
    first = t.list_locations()[0]
    t.get_location(first.id)
    made = t.create_location(cet.Location(name="Contract depot", lat=60.19, lng=24.95, country_code="FI"))
    t.update_location(made.id, {"name": "Contract depot 2"})
    reference = cet.Location(name="Contract depot 3", lat=60.19, lng=24.95, location_id=f"CT-{uuid.uuid4().hex[:8]}")
    t.create_or_adopt_location(reference)
    t.find_location(reference.location_id)
    t.stations_of_location(first.id)
    t.network_status()
    t.current_power()
    t.hardware_errors()
    t.problematic_sessions()
    t.transactions()


# The paths an admin sets for the requests no document gives (the simulator has them outside its
# documents-only mode).
CONFIGURED = {"beenergised": {"maintenance_cancel": "/api/cpoapi/v1/maintenance_windows/{id}/"}}

TOURS = {"beenergised": _beenergised, "greenflux": _greenflux, "models": _models, "chargeye": _chargeye}


@pytest.mark.parametrize("kind", list(TOURS))
def test_every_request_of_every_connector_method_is_in_the_contract(simulator: Any, kind: str) -> None:
    rows = contract()
    assert rows.get(kind), f"no contract rows for {kind} in {CONTRACT}"
    recorder = Recorder()
    creds = simulator.credentials[kind]
    base = simulator.base_url(kind)
    with get_connector(kind, base, creds, transport=recorder, max_attempts=1, paths=CONFIGURED.get(kind)) as connector:
        tour = Tour(connector)
        TOURS[kind](tour)
    missing = _public(CLASSES[kind]) - tour.called
    assert not missing, f"drive these {kind} methods in {__file__}: {sorted(missing)}"
    base_path = httpx.URL(base).path.rstrip("/")
    unlisted = []
    for method, url in recorder.sent:
        if kind == "beenergised" and str(url.copy_with(query=None)) == creds["token_url"]:
            path = "{token_url}"
        else:
            assert url.path.startswith(base_path), f"{method} {url} left the backend's base URL"
            path = url.path[len(base_path):]
        if not any(m == method and p.match(path) for m, p in rows[kind]):
            unlisted.append(f"{method} {path}")
    assert recorder.sent
    assert not unlisted, f"{kind} sent requests that docs/upstream-contract.md does not list: {sorted(set(unlisted))}"


def test_the_contract_lists_no_path_twice() -> None:
    seen = [(k, m, p.pattern) for k, rows in contract(sendable_only=False).items() for m, p in rows]
    assert len(seen) == len(set(seen)) > 25
