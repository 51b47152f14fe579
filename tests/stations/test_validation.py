"""The upstream's rules for a new station, as ``stations.validation`` applies them (no upstream needed)."""

from __future__ import annotations

import pytest

from models_catalog.models import StationModel
from portal.models import Backend, Company
from stations.services import ConnectorInput, EvseInput, StationInput
from stations.models import HardwareTemplate, Technician
from stations.validation import (GREENFLUX_CONNECTORS, validate_quick_edit, validate_station_input)
from tests.factories import BackendFactory, LocationFactory, StationFactory, StationModelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def gf(company_a: Company) -> Backend:
    return BackendFactory(name="GF", kind="greenflux", company=company_a)


@pytest.fixture
def be(company_a: Company) -> Backend:
    return BackendFactory(name="BE", kind="beenergised", company=company_a,
                          credentials={"token_url": "x", "client_id": "x", "client_secret": "x"})


def gf_input(backend: Backend, **changes: object) -> StationInput:
    location = LocationFactory(backend=backend, company=backend.company, upstream_id=f"LOC-{LocationFactory._meta.model.objects.count()}")
    data = StationInput(
        backend=backend, company=backend.company, label="Depot", charge_box_identity="GF-1", location=location,
        deploy_state="Stock", default_tariff_id="T-1",
        evses=[EvseInput(connectors=[ConnectorInput("IEC_62196_T2", "SOCKET", "AC_3_PHASE", 400, 32, 22000)])],
    )
    for name, value in changes.items():
        setattr(data, name, value)
    return data


def _model() -> StationModel:
    return StationModel.objects.filter(id_mappings__beenergised_model_id=7).first() or StationModelFactory(beenergised_model_id=7)


def be_input(backend: Backend, **changes: object) -> StationInput:
    data = StationInput(backend=backend, company=backend.company, label="BE", charge_box_identity="BE-1",
                        model=_model(), time_zone="Europe/Berlin")
    for name, value in changes.items():
        setattr(data, name, value)
    return data


def test_valid_stations_pass(gf: Backend, be: Backend) -> None:
    assert validate_station_input(gf_input(gf)) == {}
    assert validate_station_input(be_input(be)) == {}


@pytest.mark.parametrize("name", ["location", "default_tariff_id", "deploy_state", "charge_box_identity"])
def test_greenflux_required_fields(gf: Backend, name: str) -> None:
    data = gf_input(gf, **{name: None if name == "location" else ""})
    assert validate_station_input(data)[name] == "This field is required."


@pytest.mark.parametrize("name", ["label", "charge_box_identity", "model", "time_zone"])
def test_beenergised_required_fields(be: Backend, name: str) -> None:
    data = be_input(be, **{name: None if name == "model" else ""})
    assert validate_station_input(data)[name] == "This field is required."


def test_enums_and_lengths(gf: Backend) -> None:
    errors = validate_station_input(gf_input(gf, deploy_state="Live", charger_type="Private",
                                            charge_box_identity="X" * 37, default_tariff_id="T" * 37))
    assert "not one of: Stock, Production, Deprecated" in errors["deploy_state"]
    assert "Public, Home, Business" in errors["charger_type"]
    assert errors["charge_box_identity"] == "At most 36 characters (this has 37)."
    assert errors["default_tariff_id"].startswith("At most 36")


def test_connector_table_of_the_greenflux_document(gf: Backend) -> None:
    bad = EvseInput(floor_level="12345", capabilities=["FLYING"], connectors=[
        ConnectorInput("CHADEMO", "SOCKET", "DC", 500, 125),          # CHAdeMO is a cable only
        ConnectorInput("TESLA_S", "CABLE", "AC_2_PHASE", None, 0),    # not in the table; not a GreenFlux power type
    ])
    errors = validate_station_input(gf_input(gf, evses=[bad]))
    assert errors["evses.0.connectors.0.format"] == "GreenFlux takes CHADEMO as CABLE only."
    assert "not one of" in errors["evses.0.connectors.1.standard"]
    assert "not one of" in errors["evses.0.connectors.1.power_type"]
    assert errors["evses.0.connectors.1.max_voltage"] == "This field is required."
    assert errors["evses.0.connectors.1.max_amperage"] == "Must be at least 1."
    assert errors["evses.0.floor_level"].startswith("At most 4")
    assert "FLYING" in errors["evses.0.capabilities"]
    assert ("IEC_62196_T2", "CABLE") in GREENFLUX_CONNECTORS


def test_evses_or_template_needed(gf: Backend) -> None:
    assert "hardware template" in validate_station_input(gf_input(gf, evses=[]))["evses"]
    template = HardwareTemplate.objects.create(backend=gf, upstream_id="TPL-1", name="Dual", evse_templates=[])
    assert validate_station_input(gf_input(gf, evses=[], template=template)) == {}


def test_identity_unique_per_backend_whatever_the_case(gf: Backend, company_a: Company) -> None:
    StationFactory(backend=gf, company=company_a, label="Old one", charge_box_identity="gf-1")
    assert "already used by station “Old one”" in validate_station_input(gf_input(gf))["charge_box_identity"]
    other = BackendFactory(name="GF 2", kind="greenflux", company=company_a)
    assert "charge_box_identity" not in validate_station_input(gf_input(other))


def test_parents_must_belong_to_the_backend(gf: Backend, company_a: Company) -> None:
    other = BackendFactory(name="GF other", kind="greenflux", company=company_a)
    foreign_location = LocationFactory(backend=other, company=company_a, upstream_id="LOC-X", name="Elsewhere")
    foreign_template = HardwareTemplate.objects.create(backend=other, upstream_id="TPL-X", name="Theirs")
    errors = validate_station_input(gf_input(gf, location=foreign_location, template=foreign_template))
    assert errors["location"] == "Elsewhere is not a location on GF."
    assert errors["template"] == "Theirs is not a hardware template on GF."


def test_technician_of_another_company_refused(be: Backend, company_b: Company) -> None:
    other = BackendFactory(name="BE B", kind="beenergised", company=company_b,
                           credentials={"token_url": "x", "client_id": "x", "client_secret": "x"})
    tech = Technician.objects.create(backend=other, company=company_b, upstream_id="9", name="Bo Other")
    errors = validate_station_input(be_input(be, technician=tech))
    assert errors["technician"] == "Bo Other is a technician of Company B; choose one of Company A's technicians."


def test_company_must_be_the_backends(be: Backend, company_b: Company) -> None:
    assert "holds Company A's stations only" in validate_station_input(be_input(be, company=company_b))["company"]


def test_time_zone_from_the_iana_list(be: Backend) -> None:
    assert "not an IANA time zone" in validate_station_input(be_input(be, time_zone="Mars/Olympus"))["time_zone"]
    assert "time_zone" not in validate_station_input(be_input(be, time_zone="America/Argentina/Buenos_Aires"))


def test_archived_or_unmapped_model_refused_for_new_stations(be: Backend) -> None:
    archived = StationModelFactory(beenergised_model_id=8, is_archived=True)
    assert "is archived" in validate_station_input(be_input(be, model=archived))["model"]
    unmapped = StationModelFactory(beenergised_model_id=None)
    assert "no be.ENERGISED model id" in validate_station_input(be_input(be, model=unmapped))["model"]


def test_directions_and_parking(gf: Backend) -> None:
    errors = validate_station_input(gf_input(gf, directions=[{"language": "english", "text": "x" * 513}],
                                             parking_restrictions=["VIP"]))
    assert "two-letter" in errors["directions"]
    assert "VIP" in errors["parking_restrictions"]


def test_quick_edit_rules(gf: Backend, company_a: Company) -> None:
    station = StationFactory(backend=gf, company=company_a)
    assert validate_quick_edit(station, "deploy_state", "Production") is None
    assert "not one of" in validate_quick_edit(station, "deploy_state", "Gone")
    assert validate_quick_edit(station, "default_tariff_id", "") == "This field is required."
    assert validate_quick_edit(station, "label", "x" * 201).startswith("At most 200")
    assert "cannot be changed" in validate_quick_edit(station, "charge_box_identity", "X")
