"""The refresh engine's rules: one run at a time, schedules per backend, stale runs closed, the command."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from portal.models import Backend, Company, SyncLock, SyncRun
from sync.engine import lock_acquire, refresh_run
from sync.schedules import refresh_schedules_ensure, runs_expire_stale, schedule_name, schedule_set_interval
from simulator.testing import SimulatorHandle
from stations.models import Technician
from tests.upstream import make_backend


@pytest.fixture
def be(simulator: SimulatorHandle, company_a: Company) -> Backend:
    return make_backend(simulator, "beenergised", company_a)


def test_a_second_run_is_skipped_while_one_holds_the_lock(be: Backend) -> None:
    running = SyncRun.objects.create(backend=be, entity="technicians", status=SyncRun.Status.RUNNING)
    assert lock_acquire(be, "technicians", running)
    second = refresh_run(be, "technicians")
    assert second.status == SyncRun.Status.SKIPPED
    assert f"run #{running.pk}" in second.message
    assert not Technician.objects.exists()
    # Another entity of the same backend has its own lock.
    assert refresh_run(be, "stations").status == SyncRun.Status.DONE


def test_a_lapsed_lease_lets_the_next_run_take_over(be: Backend) -> None:
    dead = SyncRun.objects.create(backend=be, entity="technicians", status=SyncRun.Status.RUNNING)
    assert lock_acquire(be, "technicians", dead)
    SyncLock.objects.filter(backend=be).update(lease_until=timezone.now() - timedelta(seconds=1))
    run = refresh_run(be, "technicians")
    assert run.status == SyncRun.Status.DONE, run.message
    assert SyncLock.objects.get(backend=be, entity="technicians").run is None  # released at the end
    assert runs_expire_stale() == 1  # the dead one is closed
    dead.refresh_from_db()
    assert dead.status == SyncRun.Status.FAILED and "worker" in dead.message


def test_lost_queued_run_is_closed(be: Backend) -> None:
    lost = SyncRun.objects.create(backend=be, entity="stations")
    SyncRun.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(hours=1))
    fresh = SyncRun.objects.create(backend=be, entity="technicians")
    assert runs_expire_stale() == 1
    lost.refresh_from_db(), fresh.refresh_from_db()
    assert lost.status == SyncRun.Status.FAILED and fresh.status == SyncRun.Status.QUEUED


def test_every_backend_gets_a_schedule_per_entity(simulator: SimulatorHandle, company_a: Company) -> None:
    gf = make_backend(simulator, "greenflux", company_a)
    be = make_backend(simulator, "beenergised", company_a)
    assert refresh_schedules_ensure() == 6
    names = set(PeriodicTask.objects.filter(task="portal.refresh").values_list("name", flat=True))
    assert names == {schedule_name(gf.pk, e) for e in ("locations", "templates", "stations")} | {
        schedule_name(be.pk, e) for e in ("maintenance_windows", "stations", "technicians")}
    stations = PeriodicTask.objects.get(name=schedule_name(gf.pk, "stations"))
    assert stations.interval.every == 300 and '"entity": "stations"' in stations.kwargs
    # An admin's interval survives; an inactive backend's schedules pause.
    schedule_set_interval(gf, "stations", minutes=42, enabled=True)
    gf.is_active = False
    gf.save()
    assert refresh_schedules_ensure() == 0
    stations.refresh_from_db()
    assert stations.interval.every == 42 * 60 and not stations.enabled
    assert PeriodicTask.objects.get(name=schedule_name(be.pk, "stations")).enabled


def test_unknown_entity_is_refused(be: Backend) -> None:
    with pytest.raises(ValueError, match="has no entity 'models'"):
        refresh_run(be, "models")


def test_command_refreshes_in_the_foreground_with_progress(be: Backend) -> None:
    out = StringIO()
    call_command("refresh", be.name, "technicians", "--full", "--page-size", "2", stdout=out)
    text = out.getvalue()
    assert "%" in text and "] " in text  # the bar
    assert "done (full)" in text and f"{Technician.objects.count()} created" in text
    run = SyncRun.objects.get()
    assert run.trigger == SyncRun.Trigger.COMMAND and run.pages > 1


def test_command_explains_a_wrong_backend_or_entity(be: Backend) -> None:
    with pytest.raises(CommandError, match="No backend named"):
        call_command("refresh", "nope", "stations", stdout=StringIO())
    with pytest.raises(CommandError, match="refreshes: maintenance_windows, stations, technicians"):
        call_command("refresh", str(be.pk), "models", stdout=StringIO())


def test_command_fails_loudly_on_an_outage(be: Backend, simulator: SimulatorHandle) -> None:
    simulator.set_faults("beenergised", next_5xx=100)
    with pytest.raises(CommandError, match="failed"):
        call_command("refresh", be.name, "technicians", stdout=StringIO())
    assert SyncRun.objects.get().status == SyncRun.Status.FAILED


def test_housekeeping_schedules_new_backends_and_prunes_old_runs(be: Backend) -> None:
    from sync.tasks import refresh_housekeeping

    old = SyncRun.objects.create(backend=be, entity="stations", status=SyncRun.Status.DONE)
    SyncRun.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    recent = SyncRun.objects.create(backend=be, entity="stations", status=SyncRun.Status.DONE)
    refresh_housekeeping()
    assert list(SyncRun.objects.values_list("pk", flat=True)) == [recent.pk]
    assert PeriodicTask.objects.filter(name=schedule_name(be.pk, "stations")).exists()
