"""GreenFlux against an upstream written from the documents alone (issue 24): hardware templates at the
vendor's own path, served whole whatever the offset."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from portal.models import Company, SyncRun
from portal.sync import refresh_run
from simulator.testing import SimulatorHandle
from stations.models import HardwareTemplate
from tests.upstream import make_backend

VENDOR_TEMPLATES = "/charge-station-templates"


def test_a_template_list_that_ignores_paging_is_read_whole_with_a_note_on_the_sync_page(
    simulator: SimulatorHandle, company_a: Company, admin_client_portal: Client
) -> None:
    simulator.documents_only()
    backend = make_backend(simulator, "greenflux", company_a, paths={"templates": VENDOR_TEMPLATES})
    run = refresh_run(backend, "templates")
    assert run.status == SyncRun.Status.DONE, run.message
    upstream = {t["template_id"] for t in simulator.store.values("gf_templates")}
    assert len(upstream) >= 2
    assert set(HardwareTemplate.objects.filter(backend=backend).values_list("upstream_id", flat=True)) == upstream
    assert "ignores paging" in run.message and "whole list" in run.message
    page = admin_client_portal.get(reverse("sync:list")).content.decode()
    assert "ignores paging" in page
    # Read again: still whole, nothing taken as removed.
    again = refresh_run(backend, "templates", full=True)
    assert again.status == SyncRun.Status.DONE and again.rows_removed == 0
    assert HardwareTemplate.objects.filter(backend=backend, removed_at__isnull=True).count() == len(upstream)
