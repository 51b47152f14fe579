"""Company A's be.ENERGISED stations mirrored from the simulator, for the maintenance tests."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from portal.models import Backend
from sync.engine import refresh_run
from stations.models import Station


@pytest.fixture
def be_stations(be_backend: Backend) -> list[Station]:
    """Every be.ENERGISED station of company A, mirrored by a real refresh."""
    assert refresh_run(be_backend, "stations").status == "done"
    return list(Station.objects.filter(backend=be_backend).order_by("label", "id"))


def local_input(moment: datetime) -> str:
    """A moment as a datetime-local field takes it (the portal's time zone)."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def soon(hours: float = 2) -> datetime:
    return (timezone.now() + timedelta(hours=hours)).replace(second=0, microsecond=0)


@pytest.fixture
def many_be_stations(simulator, request: pytest.FixtureRequest) -> list[Station]:
    """A larger estate (company A holds 60+ be.ENERGISED stations), mirrored; the next test resets it back."""
    simulator.reset(stations=600)
    backend = request.getfixturevalue("be_backend")
    assert refresh_run(backend, "stations").status == "done"
    return list(Station.objects.filter(backend=backend).order_by("label", "id"))
