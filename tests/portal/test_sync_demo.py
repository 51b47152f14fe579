"""The demo seed: backends on the simulator, their schedules and a first refresh that fills the pages."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from locations.models import Location
from models_catalog.models import StationModel
from portal.models import Backend, SyncRun
from portal.sync import refreshers_for
from simulator.seed_data import MODEL_SPECS
from simulator.testing import SimulatorHandle
from stations.models import Station, Technician


@pytest.mark.django_db
def test_seed_demo_creates_backends_schedules_and_a_populated_estate(
    simulator: SimulatorHandle, settings: object, tmp_path: Path
) -> None:
    settings.SIMULATOR_URL = simulator.root_url  # type: ignore[attr-defined]
    settings.VAR_DIR = tmp_path  # type: ignore[attr-defined]
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert sorted(Backend.objects.values_list("kind", flat=True)) == [
        "beenergised", "beenergised", "chargeye", "greenflux", "models"]
    assert not SyncRun.objects.exclude(status=SyncRun.Status.DONE).exists(), out.getvalue()
    expected = sum(len(refreshers_for(b.kind)) for b in Backend.objects.all())
    assert PeriodicTask.objects.filter(task="portal.refresh").count() == expected >= 9
    kinds = set(Station.objects.values_list("backend__kind", flat=True))
    assert kinds == {"greenflux", "beenergised"}
    assert Station.objects.values("company").distinct().count() == 2
    assert Technician.objects.exists() and Location.objects.filter(backend__kind="chargeye").exists()
    # be.ENERGISED stations found their catalogue model through the demo's model numbering.
    alfen = StationModel.objects.get(vendor=MODEL_SPECS[0]["vendor"], model=MODEL_SPECS[0]["model"])
    assert alfen.beenergised_model_id == 1
    be = Station.objects.filter(backend__kind="beenergised")
    assert be.filter(model__isnull=False).count() == be.count()
    # A second start changes nothing and makes no second set of backends.
    call_command("seed_demo", stdout=StringIO())
    assert Backend.objects.count() == 5
    latest = SyncRun.objects.filter(entity="stations", backend__kind="beenergised").order_by("-pk").first()
    assert latest.rows_unchanged > 0 and latest.rows_created == latest.rows_updated == 0
