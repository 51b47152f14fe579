"""A station goes offline in the simulator: refreshes read it over HTTP, a real worker evaluates the rules
after each one, and the alert opens after the threshold and resolves when the station is back; a flap
shorter than the threshold opens nothing (issue 28). The company's threshold is 3 s to keep it quick."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from alerts.models import Alert, AlertSettings, Kind
from portal.models import Backend, User
from simulator.testing import SimulatorHandle
from stations.models import Connectivity, Station
from sync.engine import refresh_run
from tests.conftest import client_for
from tests.worker import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.usefixtures("celery_worker_process")]

THRESHOLD = 3


def refresh(backend: Backend) -> None:
    assert refresh_run(backend, "stations", full=True).status == "done"


def offline_alerts(station: Station):  # type: ignore[no-untyped-def]
    return Alert.objects.filter(kind=Kind.STATION_OFFLINE, subject_key=str(station.pk))


def test_offline_station_opens_one_alert_after_the_threshold_and_it_resolves_when_back(
        transactional_db: None, simulator: SimulatorHandle, gf_backend: Backend, viewer: User) -> None:
    AlertSettings.objects.create(company=gf_backend.company, offline_after=THRESHOLD, hold_down=0)
    refresh(gf_backend)
    station = Station.objects.filter(backend=gf_backend, connectivity=Connectivity.ONLINE).order_by("pk").first()
    simulator.set_connectivity(station.upstream_id, "Offline")
    refresh(gf_backend)  # the worker's evaluation sees it offline, and comes back when the threshold is due
    assert not offline_alerts(station).exists()
    wait_for(lambda: offline_alerts(station).exists(), timeout=30)
    time.sleep(1.5)
    refresh(gf_backend)  # more evaluations: still one alert
    time.sleep(1.5)
    assert offline_alerts(station).count() == 1
    page = client_for(viewer).get(reverse("alerts:list")).content.decode()
    assert f"{station.label} is offline" in page

    simulator.set_connectivity(station.upstream_id, "Online")
    refresh(gf_backend)
    wait_for(lambda: offline_alerts(station).filter(resolved_at__isnull=False).exists(), timeout=30)
    assert offline_alerts(station).count() == 1


def test_a_flap_shorter_than_the_threshold_opens_nothing(
        transactional_db: None, simulator: SimulatorHandle, gf_backend: Backend) -> None:
    AlertSettings.objects.create(company=gf_backend.company, offline_after=THRESHOLD)
    refresh(gf_backend)
    station = Station.objects.filter(backend=gf_backend, connectivity=Connectivity.ONLINE).order_by("pk").first()
    simulator.set_connectivity(station.upstream_id, "Offline")
    refresh(gf_backend)
    simulator.set_connectivity(station.upstream_id, "Online")
    refresh(gf_backend)
    time.sleep(THRESHOLD + 2)  # the follow-up evaluation planned for the threshold finds it back online
    refresh(gf_backend)
    time.sleep(1)
    assert not offline_alerts(station).exists()
