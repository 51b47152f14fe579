"""The demo seed: backends on the simulator, their schedules and a first refresh that fills the pages."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from locations.models import Location
from maintenance.models import MaintenanceWindow
from models_catalog.models import StationModel
from demo.management.commands.seed_demo import DEMO_WINDOWS
from portal.models import Backend, Company, SyncRun
from sync.refreshers import refreshers_for
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
    # Every station has a name of its own (issue 25 item 9: "Fleet Hub Berlin 04" was three stations).
    labels = list(Station.objects.values_list("label", flat=True))
    assert len(labels) == len(set(labels)) > 50, sorted({n for n in labels if labels.count(n) > 1})[:5]
    assert Technician.objects.exists() and Location.objects.filter(backend__kind="chargeye").exists()
    # be.ENERGISED stations found their catalogue model through the demo's model numbering.
    alfen = StationModel.objects.get(vendor=MODEL_SPECS[0]["vendor"], model=MODEL_SPECS[0]["model"])
    assert sorted(alfen.id_mappings.values_list("beenergised_model_id", flat=True)) == [1, 1]  # each company's
    be = Station.objects.filter(backend__kind="beenergised")
    assert be.filter(model__isnull=False).count() == be.count()
    # Maintenance windows planned upstream, mirrored, on both companies' be.ENERGISED stations.
    windows = MaintenanceWindow.objects.filter(removed_at=None)
    assert windows.count() == 2 * len(DEMO_WINDOWS)
    assert windows.values("company").distinct().count() == 2
    assert {w.comment for w in windows} == {comment for _, _, comment in DEMO_WINDOWS}
    # A second start changes nothing and makes no second set of backends.
    call_command("seed_demo", stdout=StringIO())
    assert Backend.objects.count() == 5
    latest = SyncRun.objects.filter(entity="stations", backend__kind="beenergised").order_by("-pk").first()
    assert latest.rows_unchanged > 0 and latest.rows_created == latest.rows_updated == 0
    assert MaintenanceWindow.objects.filter(removed_at=None).count() == 2 * len(DEMO_WINDOWS)  # none planned twice


@pytest.mark.django_db
def test_a_demo_database_made_with_another_simulator_port_follows_the_new_one(
    simulator: SimulatorHandle, settings: object, tmp_path: Path
) -> None:
    from demo.management.commands.seed_demo import demo_backends

    settings.VAR_DIR = tmp_path  # type: ignore[attr-defined]
    call_command("seed_demo", "--no-refresh", stdout=StringIO())
    companies = list(Company.objects.order_by("pk"))
    settings.SIMULATOR_URL = "http://127.0.0.1:9"  # type: ignore[attr-defined]  # an old demo's port
    demo_backends(companies, log=lambda line: None)
    settings.SIMULATOR_URL = simulator.root_url  # type: ignore[attr-defined]
    lines: list[str] = []
    backends = demo_backends(companies, log=lines.append)
    assert len(lines) == 5 and all("http://127.0.0.1:9" in line and simulator.root_url in line for line in lines)
    for backend in Backend.objects.all():
        assert backend.base_url.startswith(simulator.root_url + "/")
        if backend.kind == "beenergised":
            assert backend.credentials["token_url"].startswith(simulator.root_url + "/")
    # ... and they work there: a refresh through the moved be.ENERGISED backend succeeds.
    from sync.engine import refresh_run

    be = next(b for b in backends if b.kind == "beenergised")
    assert refresh_run(be, "technicians", trigger="command").status == "done"
