"""Every CSV download the portal offers, with a formula planted in every free-text field an upstream or
a user can fill: no cell (nor a part of one after a separator) reaches a spreadsheet as a formula.

Formulas are planted as an outsider would: in the upstreams over HTTP (a GreenFlux station edited on
the platform, a be.ENERGISED station and a catalogue model created through the vendors' APIs), then
refreshed into the mirror; in an uploaded import file; and in the names an admin gives a company and a
backend. The check reads the downloads back as a spreadsheet would and knows nothing of the writer.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from upstreams import beenergised as be_api
from upstreams import models_api
from portal.models import Backend, Company, Operation, SyncRun, User
from sync.engine import refresh_run
from simulator.testing import SimulatorHandle
from stations.bulk.models import Batch, BatchItem
from stations.csv_import.format import COLUMN_NAMES
from stations.csv_import.models import ImportJob
from stations.models import Station
from tests.conftest import client_for
from tests.upstream import make_backend, mirror_greenflux_parents, mirror_technicians

STARTS = ("=", "+", "-", "@", "\t", "\r", "x;=", "x,+", "x\t@", "x\n-")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_planted: dict[str, str] = {}


def formula(tag: str) -> str:
    """A formula (starting as ``STARTS`` take turns, also after a separator inside the cell), tagged."""
    start = STARTS[len(_planted) % len(STARTS)]
    value = f'{start}HYPERLINK("http://evil.example/{tag}")'
    _planted[tag] = value
    return value


def runs_as_formula(cell: str) -> bool:
    """Whether a spreadsheet could read ``cell``, or a part of it that a reader splitting on ``,`` ``;``,
    tab or a line break would make a cell, as a formula. A quote in front makes it text; numbers are fine."""
    for part in re.split(r"(?<=[,;\t\r\n])", cell):
        rest = part.lstrip(' "')
        if rest and rest[0] in "=+-@\t\r\n\uff1d\uff0b\uff0d\uff20" and not NUMBER.fullmatch(rest.strip(" ,;\t\r\n")):
            return True
    return False


def csv_routes() -> set[str]:
    """The names of every URL whose route ends in ``.csv``: the downloads the portal offers."""
    names: set[str] = set()

    def walk(patterns: list, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif isinstance(p, URLPattern) and str(p.pattern).endswith(".csv"):
                names.add(namespace + (p.name or ""))

    walk(get_resolver().url_patterns, "")
    return names


def read(client: Client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8-sig")
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


@pytest.fixture
def planted(simulator: SimulatorHandle, company_a: Company, operator: User, admin_user: User) -> dict[str, str]:
    _planted.clear()
    # An admin names the company and the backends (forms of their own pages; the names reach every file).
    Company.objects.filter(pk=company_a.pk).update(name=formula("company"))
    gf = make_backend(simulator, "greenflux", company_a, name=formula("gf-backend"))
    be = make_backend(simulator, "beenergised", company_a, name=formula("be-backend"))
    catalogue = make_backend(simulator, "models", None, name="Catalogue")
    mirror_greenflux_parents(gf)
    mirror_technicians(be)

    # Upstreams fill their own fields: a GreenFlux station edited on the platform ...
    upstream_id = simulator.store.values("gf_stations")[0]["charge_station_id"]
    simulator.touch_station(upstream_id, name=formula("gf-name"),
                            default_charge_station_tariff_id=formula("gf-tariff"))
    # ... a catalogue model and a be.ENERGISED station created through the vendors' APIs.
    with catalogue.connector() as connector:
        connector.create_model(models_api.StationModel(
            vendor=formula("vendor"), model=formula("model"), power_type="AC_3_PHASE",
            connectors=(models_api.ModelConnector(id=1, connection_type="IEC_62196_T2", format="SOCKET", max_amperage=32,
                                                  max_voltage=400, max_power_watts=22000),),
            ocpp_url="wss://ocpp.example/", friendly_name=formula("friendly")))
    with be.connector() as connector:
        connector.create_station(be_api.Station(
            label=formula("be-label"), charge_box_identity=formula("id"), model_id=77,
            company_uuid=company_a.upstream_ref, time_zone="Europe/Amsterdam",
            public_display_name=formula("be-display"), serialnumber=formula("be-serial")))
    for backend, entity in ((catalogue, "models"), (gf, "stations"), (be, "stations")):
        run = refresh_run(backend, entity, full=True)
        assert run.status == SyncRun.Status.DONE, run.message
    # The admin maps the be.ENERGISED model id to the planted catalogue model, on its page.
    from models_catalog.models import StationModel

    model = StationModel.objects.get(vendor=_planted["vendor"])
    response = client_for(admin_user).post(reverse("stations:model_mapping"), {"model": model.pk, "model_id": 77})
    assert response.status_code == 302, response.content.decode()[:2000]

    # An operator uploads a file with a formula in every column (its rows come back in "rows to fix").
    header = ",".join(COLUMN_NAMES)
    cells = [formula(f"import-{name}") for name in COLUMN_NAMES]
    quoted = ",".join('"' + c.replace('"', '""') + '"' for c in cells)
    client = client_for(operator)
    client.post(reverse("stations:import_list"),
                {"file": io.BytesIO(f"{header}\r\n{quoted}\r\n".encode())})
    job = ImportJob.objects.get(created_by=operator)

    # A bulk change whose row the upstream refused with a message quoting the planted value.
    station = Station.objects.get(backend=gf, upstream_id=upstream_id)
    op = Operation.objects.create(kind="station.patch", backend=gf, company=company_a, target_type="station",
                                  target_id=station.pk, status=Operation.Status.FAILED,
                                  error_message=formula("upstream-message"), payload={"changes": {}})
    batch = Batch.objects.create(kind=Batch.Kind.CHANGE, params={"deploy_state": "Production"}, created_by=operator)
    batch.companies.set([company_a])
    BatchItem.objects.create(batch=batch, station=station, company=company_a, label=station.label,
                             identity=station.charge_box_identity, outcome=BatchItem.Outcome.CHANGE,
                             diff=[["Deploy state", formula("diff-old"), "Production"]], operation=op,
                             changes={"deploy_state": "Production"})
    return {"stations:export": reverse("stations:export"),
            "stations:import_template": reverse("stations:import_template"),
            "stations:import_rows_to_fix": reverse("stations:import_rows_to_fix", args=[job.pk]),
            "stations:batch_failed_csv": reverse("stations:batch_failed_csv", args=[batch.pk])}


def test_no_download_lets_a_planted_formula_run(planted: dict[str, str], operator: User) -> None:
    assert set(planted) == csv_routes(), "a new download: plant formulas into it and check it here"
    client = client_for(operator)
    unsafe, seen = [], set()
    for name, url in planted.items():
        for number, row in enumerate(read(client, url), start=1):
            for column, cell in enumerate(row, start=1):
                seen.update(tag for tag in _planted if f"evil.example/{tag}" in cell)
                if runs_as_formula(cell):
                    unsafe.append(f"{name} row {number} column {column}: {cell!r}")
    assert not unsafe, "\n".join(unsafe)
    # Every planted field reached a download (else the check above proved nothing for it).
    assert seen == set(_planted), sorted(set(_planted) - seen)
