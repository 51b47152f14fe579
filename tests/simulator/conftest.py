"""Helpers for the simulator's own tests: an httpx client and per-kind auth headers.

The ``simulator_server``/``simulator`` fixtures come from
``simulator.pytest_plugin`` (registered in tests/conftest.py).
"""

from __future__ import annotations

from typing import Any, Iterator

import httpx
import pytest

from simulator.testing import SimulatorHandle


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10.0) as client:
        yield client


def be_token(sim: SimulatorHandle, http: httpx.Client, client_index: int = 0) -> str:
    client = sim.credentials["beenergised"]["clients"][client_index]
    resp = http.post(sim.credentials["beenergised"]["token_url"], params={
        "grant_type": "client_credentials", "client_id": client["client_id"], "client_secret": client["client_secret"]})
    assert resp.status_code == 200, resp.text
    return resp.json()["access_token"]


def ce_token(sim: SimulatorHandle, http: httpx.Client) -> str:
    creds = sim.credentials["chargeye"]
    resp = http.get(creds["refresh_url"], headers={"Authorization": f"Bearer {creds['refresh_token']}"})
    assert resp.status_code == 200, resp.text
    return resp.json()["token"]


@pytest.fixture
def be(simulator: SimulatorHandle, http: httpx.Client) -> dict[str, Any]:
    """be.ENERGISED API root and headers of company A's client."""
    return {"api": simulator.base_url("beenergised") + "/api/cpoapi/v1",
            "headers": {"Authorization": f"Bearer {be_token(simulator, http)}"}}


@pytest.fixture
def gf(simulator: SimulatorHandle) -> dict[str, Any]:
    return {"base": simulator.base_url("greenflux"),
            "headers": {"Authorization": f"Bearer {simulator.credentials['greenflux']['token']}"}}


@pytest.fixture
def models(simulator: SimulatorHandle) -> dict[str, Any]:
    creds = simulator.credentials["models"]
    return {"url": simulator.base_url("models") + "/asset-management/v1/charging-station-models",
            "admin": {"Authorization": f"Bearer {creds['admin_token']}"},
            "user": {"Authorization": f"Bearer {creds['token']}"}}


@pytest.fixture
def ce(simulator: SimulatorHandle, http: httpx.Client) -> dict[str, Any]:
    return {"base": simulator.base_url("chargeye"), "headers": {"Authorization": f"Bearer {ce_token(simulator, http)}"}}
