"""A real Celery worker on Redis runs a task end to end."""

from __future__ import annotations

import pytest

from portal.models import WorkerHeartbeat
from portal.tasks import record_heartbeat
from tests.worker import wait_for


@pytest.mark.worker
def test_worker_runs_heartbeat_task(transactional_db: None, celery_worker_process: object) -> None:
    assert not WorkerHeartbeat.objects.exists()
    record_heartbeat.delay()
    wait_for(lambda: WorkerHeartbeat.objects.exists(), timeout=30)
    assert WorkerHeartbeat.objects.count() == 1
