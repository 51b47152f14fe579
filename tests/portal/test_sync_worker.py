""""Refresh now" end to end: the page enqueues, a real Celery worker refreshes from the simulator."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from portal.access import Role
from portal.models import Company, SyncRun
from simulator.testing import SimulatorHandle
from stations.models import Technician
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.upstream import make_backend
from tests.worker import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.usefixtures("celery_worker_process")]


def test_refresh_now_runs_on_the_worker_and_the_page_shows_the_result(
    transactional_db: None, simulator: SimulatorHandle, company_a: Company
) -> None:
    backend = make_backend(simulator, "beenergised", company_a)
    client: Client = client_for(UserFactory(username="op", role=Role.OPERATOR, companies=[company_a]))
    response = client.post(reverse("sync:refresh"), {"backend": backend.pk, "entity": "technicians"})
    run = SyncRun.objects.get()
    assert response["Location"] == reverse("sync:run", args=[run.pk])
    wait_for(lambda: SyncRun.objects.get(pk=run.pk).status not in SyncRun.OPEN, timeout=60)
    run.refresh_from_db()
    assert run.status == SyncRun.Status.DONE, run.message
    assert run.rows_created == Technician.objects.filter(company=company_a).count() > 0
    page = client.get(reverse("sync:run", args=[run.pk])).content.decode()
    assert "done" in page and f'hx-get="{reverse("sync:run", args=[run.pk])}"' not in page  # no longer polls
