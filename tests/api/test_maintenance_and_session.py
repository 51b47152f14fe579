"""Maintenance windows over the API, and the browser's session using the same API with CSRF."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from maintenance.models import MaintenanceWindow
from portal.models import Backend, Operation
from stations.models import Station
from tests.maintenance.conftest import be_stations  # noqa: F401  (be.ENERGISED stations mirrored)


def test_plan_a_window_then_cancel_is_refused_until_its_path_is_set(be_stations: list[Station], be_backend: Backend,
                                                                    operator, api_for) -> None:
    api = api_for(operator)
    station = be_stations[0]
    start = timezone.now() + timedelta(days=1)
    past = api.send("POST", "/api/v1/maintenance-windows/", {
        "station": station.pk, "starts_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "ends_at": start.isoformat(), "comment": "Too late"})
    assert past.status_code == 400 and past.json()["errors"][0]["field"] == "starts_at"
    planned = api.send("POST", "/api/v1/maintenance-windows/", {
        "station": station.pk, "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat(),
        "comment": "Firmware update"})
    assert planned.status_code == 202, planned.content
    assert Operation.objects.get(pk=planned.json()["id"]).kind == "maintenance.create"
    window = MaintenanceWindow.objects.get(station=station, comment="Firmware update")
    cancel = api.send("POST", f"/api/v1/maintenance-windows/{window.pk}/cancel/")
    assert cancel.status_code == 409 and "does not document it" in cancel.json()["detail"]
    window.refresh_from_db()
    assert window.cancelled_at is None


def test_the_browser_session_works_with_csrf(operator, db) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(operator)
    assert browser.get("/api/v1/stations/").status_code == 200
    refused = browser.post("/api/v1/stations/", {}, content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
