"""Backends that point at the test simulator, and small helpers to read it over HTTP."""

from __future__ import annotations

from typing import Any

from locations.models import Location
from portal.models import Backend, Company
from simulator.testing import SimulatorHandle
from stations.models import HardwareTemplate, Technician


def make_backend(simulator: SimulatorHandle, kind: str, company: Company | None, **overrides: Any) -> Backend:
    creds = simulator.credentials[kind]
    if kind == "beenergised":
        client = next(c for c in creds["clients"] if company is None or c["company_uuid"] == company.upstream_ref)
        credentials = {"token_url": creds["token_url"], "client_id": client["client_id"],
                       "client_secret": client["client_secret"]}
    elif kind == "greenflux":
        credentials = {"token": creds["token"]}
    elif kind == "models":
        credentials = {"token": creds["admin_token"]}
    else:
        credentials = {"refresh_token": creds["refresh_token"]}
    backend = Backend(
        name=overrides.pop("name", f"Simulated {kind} {company.name if company else ''}".strip()),
        kind=kind, company=company, base_url=overrides.pop("base_url", simulator.base_url(kind)), **overrides,
    )
    backend.credentials = credentials
    backend.save()
    return backend


def mirror_greenflux_parents(backend: Backend) -> None:
    """Copy the GreenFlux locations and hardware templates into the mirror (what a refresh does)."""
    with backend.connector() as connector:
        for location in connector.list_locations().items():
            Location.objects.update_or_create(
                backend=backend, upstream_id=location.id,
                defaults={"company": backend.company, "name": location.name or location.id},
            )
        for template in connector.list_templates().items():
            HardwareTemplate.objects.update_or_create(
                backend=backend, upstream_id=template.template_id,
                defaults={"name": template.name, "evse_templates": list(template.evse_templates)},
            )


def mirror_technicians(backend: Backend) -> list[Technician]:
    with backend.connector() as connector:
        return [
            Technician.objects.update_or_create(
                backend=backend, upstream_id=str(t.id),
                defaults={"company": backend.company, "uuid": t.uuid or "", "name": t.name, "email": t.email or ""},
            )[0]
            for t in connector.list_technicians().items()
        ]
