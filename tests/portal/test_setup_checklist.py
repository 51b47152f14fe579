"""The setup checklist: admins only, every step ticks from real state, and it goes away when all are done."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.models import Backend, Company, CompanyIdentity, Operation, SyncRun, User
from dashboard.setup_checklist import setup_steps
from tests.factories import BackendFactory, StationFactory, StationModelFactory


def _done(user: User) -> list[bool]:
    return [step.done for step in setup_steps(user)]


def test_viewers_and_operators_never_see_it(viewer_client: Client, operator_client: Client) -> None:
    for client in (viewer_client, operator_client):
        assert "Setting up" not in client.get(reverse("dashboard")).content.decode()


def test_an_empty_estate_shows_six_steps_to_do_with_links(admin_client_portal: Client) -> None:
    html = admin_client_portal.get(reverse("dashboard")).content.decode()
    assert "Setting up" in html and html.count("to do</span>") == 6
    for name in ("backends:create", "backends:list", "companies:list", "sync:list", "stations:model_mapping",
                 "stations:create"):
        assert f'href="{reverse(name)}"' in html


def test_steps_tick_from_real_state_until_the_list_goes(
    admin_user: User, admin_client_portal: Client, company_a: Company
) -> None:
    assert _done(admin_user) == [False] * 6
    be = BackendFactory(name="BE A", kind="beenergised", company=company_a)
    ce = BackendFactory(name="CE", kind="chargeye", company=None)
    assert _done(admin_user)[0] and not _done(admin_user)[1]
    Backend.objects.update(check_ok=True)
    assert _done(admin_user)[:2] == [True, True]
    # company_a carries a seed reference, which answers for its own be.ENERGISED backend; ChargEye needs one.
    assert not _done(admin_user)[2]
    CompanyIdentity.objects.create(company=company_a, backend=ce, ref="tenant-a", status="confirmed")
    assert _done(admin_user)[2]
    assert not _done(admin_user)[3]
    for backend in (be, ce):
        SyncRun.objects.create(backend=backend, entity="stations", status=SyncRun.Status.DONE)
    assert _done(admin_user)[3]
    station = StationFactory(company=company_a, backend=be, upstream_id="s-1", upstream_data={"modelId": 7})
    assert not _done(admin_user)[4]  # model id 7 has no catalogue model
    StationModelFactory(beenergised_model_id=7, backend=ce)  # no new backend: its steps would untick
    assert _done(admin_user)[4] and not _done(admin_user)[5]
    Operation.objects.create(kind="station.create", backend=be, company=company_a, target_type="station",
                             target_id=station.pk, status=Operation.Status.FAILED)
    assert not _done(admin_user)[5]  # refused upstream: not created
    Operation.objects.filter(kind="station.create").update(status=Operation.Status.DONE)
    assert all(_done(admin_user))
    assert "Setting up" not in admin_client_portal.get(reverse("dashboard")).content.decode()


def test_a_failed_connection_untick_the_step(admin_user: User, company_a: Company) -> None:
    BackendFactory(name="GF A", kind="greenflux", company=company_a, check_ok=False)
    steps = setup_steps(admin_user)
    assert steps[0].done and not steps[1].done and "GF A" in steps[1].detail


def test_the_latest_test_or_refresh_decides_whether_the_connection_works(admin_user: User, company_a: Company) -> None:
    now = timezone.now()
    gf = BackendFactory(name="GF A", kind="greenflux", company=company_a)  # never tested by hand
    run = SyncRun.objects.create(backend=gf, entity="stations", status=SyncRun.Status.DONE, finished_at=now)
    assert setup_steps(admin_user)[1].done  # the refresh read the upstream: the connection works
    Backend.objects.filter(pk=gf.pk).update(check_ok=False, checked_at=now + timedelta(minutes=1))
    steps = setup_steps(admin_user)
    assert not steps[1].done and "Failing (the latest test or refresh): GF A" in steps[1].detail
    SyncRun.objects.filter(pk=run.pk).update(finished_at=now + timedelta(minutes=2))
    assert setup_steps(admin_user)[1].done
