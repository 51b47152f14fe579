"""Writes to locations (create, update through the outbox) and the network sampling.

A location write changes the mirror row (marked pending) and records an
outbox operation in one transaction; the worker sends it to ChargEye after
commit. The sampling lives in ``locations.sampling``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from upstreams import chargeye_types as ce
from locations.mapping import EDITABLE, apply_chargeye, comparable, document, labels_for, upstream_value
from locations.models import Location
from outbox import conflicts as fc
from portal.identities import company_ref
from portal.access import Role, require_role
from sync.mirror import SyncState
from portal.models import Backend, Company, Operation, User
from outbox.operations import operation_create


def _require_operator(user: User | None, company: object) -> None:
    """A person's write needs the operator role in the record's company (``portal.access``); the
    system's own writes (no user) are not a person's."""
    if user is not None and getattr(user, "is_authenticated", False):
        require_role(user, Role.OPERATOR, company)


class NoBackend(Exception):
    """No active ChargEye backend serves the company."""


@dataclass
class LocationInput:
    """A validated location (``locations.forms.LocationForm`` produces these)."""

    name: str
    latitude: Decimal
    longitude: Decimal
    address: str = ""
    city: str = ""
    postal_code: str = ""
    country_code: str = ""
    labels: list[str] = field(default_factory=list)


def chargeye_backend_for(company: Company) -> Backend:
    """The company's own ChargEye backend, else a shared one (no company)."""
    backends = Backend.objects.filter(kind=Backend.Kind.CHARGEYE, is_active=True)
    backend = backends.filter(company=company).order_by("pk").first() or backends.filter(
        company__isnull=True).order_by("pk").first()
    if backend is None:
        raise NoBackend(f"No ChargEye backend is set up for {company.name}; ask an admin to add one.")
    return backend


def _values(data: LocationInput, company: Company, backend: Backend) -> dict[str, Any]:
    return {
        "name": data.name, "address": data.address, "city": data.city, "postal_code": data.postal_code,
        "country_code": data.country_code, "latitude": data.latitude, "longitude": data.longitude,
        "labels": labels_for(data.labels, company_ref(company, backend)),
    }


@transaction.atomic
def location_create(*, user: User | None, company: Company, data: LocationInput,
                    backend: Backend | None = None) -> Location:
    """Create the mirror row (pending) with a fresh customer reference, and the create operation."""
    _require_operator(user, company)
    backend = backend or chargeye_backend_for(company)
    location = Location.objects.create(
        backend=backend, company=company, sync_state=SyncState.PENDING,
        location_ref=f"portal-{uuid.uuid4()}", **_values(data, company, backend),
    )
    operation_create(
        kind="location.create", backend=backend, company=company, target_type="location", target_id=location.pk,
        target_label=location.name, payload={"location": document(location)}, user=user,
    )
    return location


def shown_of(location: Location) -> dict[str, Any]:
    """The values an edit form shows, as JSON (what ``services.location_update`` compares against)."""
    return {
        "name": location.name, "address": location.address, "city": location.city,
        "postal_code": location.postal_code, "country_code": location.country_code,
        "latitude": str(location.latitude) if location.latitude is not None else None,
        "longitude": str(location.longitude) if location.longitude is not None else None,
        "labels": list(location.label_values),
    }


def _same(name: str, value: Any, shown: Any) -> bool:
    if name == "labels":
        return [label.get("value") for label in value] == list(shown or [])
    if name in ("latitude", "longitude"):
        return shown is not None and value is not None and Decimal(str(shown)) == Decimal(str(value))
    return value == shown


@transaction.atomic
def location_update(*, user: User | None, location: Location, data: LocationInput,
                    shown: dict[str, Any] | None = None) -> Operation | None:
    """Send the fields the user changed against what their form ``shown`` (ChargEye updates are partial).

    ``shown`` is what the edit form showed (``shown_of``); without it
    (a caller with no form) the mirror now is the base. A field someone else
    changed meanwhile is never sent back unless this user changed it too.
    The operation carries the shown value of each changed field, so the
    worker can tell whether ChargEye changed it since (``LocationUpdate``).
    None when nothing changed.
    """
    _require_operator(user, location.company_id)
    location = Location.objects.select_for_update().select_related("company", "backend").get(pk=location.pk)
    if shown is None:
        shown = shown_of(location)
    changes: dict[str, Any] = {}
    base: dict[str, Any] = {}
    for name, value in _values(data, location.company, location.backend).items():
        same = _same(name, value, shown.get(name))
        if not same:
            setattr(location, name, value)
            changes[EDITABLE[name]] = upstream_value(name, value)
            base[EDITABLE[name]] = _shown_upstream(name, shown.get(name))
    if not changes:
        return None
    location.sync_state = SyncState.PENDING
    location.save()
    # An update of a location whose create is still on its way waits for it (it needs the upstream id).
    parent = Operation.objects.filter(
        target_type="location", target_id=location.pk, kind="location.create", status__in=Operation.OPEN,
    ).first()
    return operation_create(
        kind="location.update", backend=location.backend, company=location.company, target_type="location",
        target_id=location.pk, target_label=location.name, payload={"changes": changes, "shown": base}, user=user,
        parent=parent,
    )


def _shown_upstream(name: str, shown: Any) -> Any:
    """A value the form showed (``shown_of``'s JSON) as ChargEye holds it."""
    if name in ("latitude", "longitude"):
        return None if shown in (None, "") else float(Decimal(str(shown)))
    if name == "labels":
        return [{"value": v} for v in shown or []]
    return upstream_value(name, shown)


@transaction.atomic
def location_conflict_reapply(*, user: User | None, location: Location, op_id: int) -> Operation | None:
    """"Send mine over theirs": the user's changes again, based on ChargEye's values the page showed.

    The mirror shows ChargEye's version with the user's changes on top
    (pending). If ChargEye changed one of those fields again since the
    conflict, the new operation becomes a new conflict; nothing is ever
    sent over a value the user was not shown. Returns None when ChargEye
    already held every change (then nothing is sent and the row is synced).
    Raises ``outbox.conflicts.NotAConflict`` for a resolved operation.
    """
    _require_operator(user, location.company_id)
    location = Location.objects.select_for_update().select_related("company", "backend").get(pk=location.pk)
    op = fc.conflict_lock(op_id, "location", location.pk)
    payload = fc.reapply_payload(op, comparable)
    record = (op.upstream_current or {}).get("record") or {}
    if payload is None:
        fc.conflict_resolve(op, "reapplied", "Resolved: ChargEye already held your change; nothing was sent.")
        apply_chargeye(location, ce.Location.from_api(record))
        location.sync_state = fc.mirror_state("location", location.pk)
        location.save()
        return None
    apply_chargeye(location, ce.Location.from_api({**record, **payload["changes"]}))
    location.sync_state = SyncState.PENDING
    location.content_hash = ""
    location.save()
    new = operation_create(
        kind="location.update", backend=location.backend, company=location.company, target_type="location",
        target_id=location.pk, target_label=location.name, payload=payload, user=user,
    )
    fc.conflict_resolve(op, "reapplied", f"Resolved: your change was sent over ChargEye's (operation #{new.pk}).",
                        superseded_by=new.pk)
    return new


@transaction.atomic
def location_conflict_discard(*, user: User | None, location: Location, op_id: int) -> Location:
    """Drop the user's change: the mirror keeps ChargEye's version (the next refresh brings anything newer)."""
    _require_operator(user, location.company_id)
    location = Location.objects.select_for_update().get(pk=location.pk)
    op = fc.conflict_lock(op_id, "location", location.pk)
    fc.conflict_resolve(op, "discarded", "Resolved: your change was discarded; ChargEye's version is kept.")
    apply_chargeye(location, ce.Location.from_api((op.upstream_current or {}).get("record") or {}))
    location.sync_state = fc.mirror_state("location", location.pk)
    location.content_hash = ""
    location.save()
    return location
