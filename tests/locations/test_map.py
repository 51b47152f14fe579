"""The location map: every location with coordinates from every platform, coloured by its stations."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from locations.models import Location, NetworkStation
from portal.models import Company, SyncRun, User
from sync.engine import refresh_run
from simulator.testing import SimulatorHandle
from stations.models import Connectivity, Status
from tests.conftest import client_for
from tests.factories import LocationFactory, StationFactory, UserFactory
from tests.locations.conftest import mirror_chargeye_locations
from tests.upstream import make_backend

pytestmark = pytest.mark.django_db


def places_on(html: str, map_id: str = "location-map") -> list[dict[str, Any]]:
    found = re.search(rf'<script id="{map_id}-places" type="application/json">(.*?)</script>', html, re.S)
    assert found, "the page has no map data"
    return json.loads(found.group(1))


def map_config(html: str) -> dict[str, Any]:
    found = re.search(r'<script id="map-config" type="application/json">(.*?)</script>', html, re.S)
    assert found
    return json.loads(found.group(1))


def test_locations_of_greenflux_and_chargeye_are_all_on_the_map(
        simulator: SimulatorHandle, company_a: Company, company_b: Company) -> None:
    greenflux = make_backend(simulator, "greenflux", company_a)
    assert refresh_run(greenflux, "locations").status == SyncRun.Status.DONE
    chargeye = make_backend(simulator, "chargeye", None, name="ChargEye")
    mirror_chargeye_locations(chargeye)
    everyone = UserFactory(username="root", is_superuser=True, is_staff=True)

    expected = Location.objects.filter(latitude__isnull=False, longitude__isnull=False, removed_at__isnull=True)
    gf_count = expected.filter(backend=greenflux).count()
    assert gf_count and gf_count == Location.objects.filter(backend=greenflux).count()  # GreenFlux sends coordinates
    html = client_for(everyone).get(reverse("locations:list")).content.decode()
    places = places_on(html)
    assert {p["id"] for p in places} == set(expected.values_list("id", flat=True))
    assert {p["id"] for p in places} >= set(Location.objects.filter(backend=chargeye).values_list("id", flat=True))
    first = Location.objects.filter(backend=greenflux).first()
    assert first is not None and first.city and first.address  # the address came along with the coordinates
    place = next(p for p in places if p["id"] == first.pk)
    assert (place["lat"], place["lng"]) == (float(first.latitude), float(first.longitude))
    assert place["url"] == reverse("locations:detail", args=[first.pk])


def test_marker_colour_follows_the_worst_station(company_a: Company, viewer: User) -> None:
    def at(name: str) -> Location:
        return LocationFactory(company=company_a, name=name, latitude="52.1", longitude="5.1")

    calm, busy, broken, bare = at("Calm"), at("Busy"), at("Broken"), at("Bare")
    LocationFactory(company=company_a, name="Nowhere")  # no coordinates: counted, not drawn
    StationFactory(company=company_a, location=calm, status=Status.AVAILABLE, connectivity=Connectivity.ONLINE)
    StationFactory(company=company_a, location=busy, status=Status.CHARGING, connectivity=Connectivity.ONLINE)
    StationFactory(company=company_a, location=broken, status=Status.CHARGING, connectivity=Connectivity.ONLINE)
    StationFactory(company=company_a, location=broken, status=Status.UNKNOWN, connectivity=Connectivity.OFFLINE)
    html = client_for(viewer).get(reverse("locations:list")).content.decode()
    by_name = {p["name"]: p for p in places_on(html)}
    assert set(by_name) == {"Calm", "Busy", "Broken", "Bare"}
    assert [by_name[n]["health"] for n in ("Calm", "Busy", "Broken", "Bare")] == [
        "available", "charging", "attention", "empty"]
    assert by_name["Broken"]["summary"] == "2 stations: 1 offline, 1 charging"
    assert "1 location has no coordinates" in html
    # The table fallback (what a browser without JavaScript shows) says the same.
    assert re.search(r'Broken</a>.*?Needs attention', html, re.S)


def test_chargeye_network_stations_colour_their_location(company_a: Company, viewer: User) -> None:
    depot = LocationFactory(company=company_a, name="Depot", latitude="52.1", longitude="5.1")
    NetworkStation.objects.create(backend=depot.backend, company=company_a, location=depot, station_id="KP1",
                                  is_offline=True, seen_at="2026-01-01T00:00:00Z")
    place, = places_on(client_for(viewer).get(reverse("locations:detail", args=[depot.pk])).content.decode())
    assert place["health"] == "attention" and place["summary"] == "1 station: 1 cannot charge"


def test_map_shows_only_the_users_companies(company_a: Company, company_b: Company, viewer: User) -> None:
    LocationFactory(company=company_a, name="Mine", latitude="52.1", longitude="5.1")
    theirs = LocationFactory(company=company_b, name="Theirs", latitude="48.1", longitude="11.5")
    StationFactory(company=company_b, location=theirs, connectivity=Connectivity.OFFLINE)
    html = client_for(viewer).get(reverse("locations:list")).content.decode()
    assert [p["name"] for p in places_on(html)] == ["Mine"] and "Theirs" not in html


def test_tiles_are_a_setting_and_the_outlines_a_static_file(settings: Any, viewer_client: Client,
                                                             company_a: Company) -> None:
    LocationFactory(company=company_a, latitude="52.1", longitude="5.1")
    html = viewer_client.get(reverse("locations:list")).content.decode()
    config = map_config(html)
    assert config["tiles"] is None and config["outlines"].endswith("locations/countries.geojson")
    assert "<script>" not in html  # no inline script: the CSP stays script-src 'self'
    settings.MAP_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© OpenStreetMap contributors"
    config = map_config(viewer_client.get(reverse("locations:list")).content.decode())
    assert config["tiles"] == settings.MAP_TILE_URL and config["attribution"] == "© OpenStreetMap contributors"


def test_outlines_file_is_natural_earth_countries() -> None:
    from django.contrib.staticfiles import finders

    path = finders.find("locations/countries.geojson")
    assert path, "the outlines are a static file"
    data = json.loads(open(path, encoding="utf-8").read())
    names = {f["properties"]["name"] for f in data["features"]}
    assert {"Netherlands", "Germany", "France", "Belgium"} <= names and len(names) > 150


def test_csp_allows_the_configured_tile_host_only() -> None:
    from portal.settings import _origin

    assert _origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://tile.openstreetmap.org"
    assert _origin("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://*.tile.openstreetmap.org"
    assert _origin("") is None


