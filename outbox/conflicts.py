"""Field-by-field conflict check of a partial write, for upstreams that document no etag.

Station edits on GreenFlux are guarded by its etag (``stations.merge``). The
other writes the portal sends as *partial* updates (a ChargEye location
update, a rename in the models API) go to platforms whose documents name no
etag, no ``If-Match`` and no ``If-Unmodified-Since``, so the guard is by field
against a fresh read, just before the write:

For every field the user changed, the operation's payload carries ``shown``
(what their form showed) beside ``changes`` (what they want); the worker
reads the record (``theirs``, the upstream now) and compares per field:

* ``theirs == mine``: it is there already (someone made the same change, or
  an earlier attempt landed and its answer was lost); not sent, no conflict;
* ``theirs == shown``: nobody else changed it; it is sent;
* otherwise someone changed it upstream to something else than both: a
  **clash**. Nothing of the write is sent; the operation settles as conflict
  (``outbox.operations`` on ``connectors.Conflict``) and waits for the user to
  send theirs over it (based on the value they were shown as theirs, so a
  newer change is a new conflict) or to discard theirs.

Fields only someone else changed are never in the write, so they are kept.

Known limit (named, not solved): a change made upstream *between* the fresh
read and the write (one round trip, typically milliseconds) is still
overwritten. Closing that window needs a conditional request the upstream
would honour (RFC 9110 §13.1: ``If-Match`` on an entity tag); neither
platform documents one. The mirror's own row is locked meanwhile, so two
portal users cannot race each other this way, only a change made outside
the portal can.

This module is the shared machinery (pure comparison, resolving an operation);
each app supplies how its fields compare (``normalise``) and are shown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sync.mirror import SyncState
from portal.models import Operation

Normalise = Callable[[str, Any], Any]


def _same_value(field: str, value: Any) -> Any:
    return value


@dataclass(frozen=True)
class FieldCheck:
    """One field the user changed: what their form showed, what they want, the upstream now (normalised)."""

    field: str
    shown: Any
    mine: Any
    theirs: Any

    @property
    def landed(self) -> bool:
        """The upstream already holds the user's value: nothing to send, nothing to decide."""
        return self.theirs == self.mine

    @property
    def clash(self) -> bool:
        """Changed upstream since the form showed it, to something else than the user's value."""
        return not self.landed and self.theirs != self.shown


def field_checks(shown: Mapping[str, Any], changes: Mapping[str, Any], theirs: Mapping[str, Any],
                 normalise: Normalise = _same_value) -> list[FieldCheck]:
    """One check per changed field; ``theirs`` holds the upstream's value of each (absent is None)."""
    return [FieldCheck(name, normalise(name, shown.get(name)), normalise(name, value),
                       normalise(name, theirs.get(name)))
            for name, value in changes.items()]


def clashes(checks: list[FieldCheck]) -> list[FieldCheck]:
    return [check for check in checks if check.clash]


def to_send(changes: Mapping[str, Any], checks: list[FieldCheck]) -> dict[str, Any]:
    """The changes the upstream does not hold yet (raw, as the payload has them)."""
    landed = {check.field for check in checks if check.landed}
    return {name: value for name, value in changes.items() if name not in landed}


def is_checked(payload: Mapping[str, Any]) -> bool:
    """Whether an operation carries what its form showed (one queued before the check existed does not)."""
    return isinstance(payload.get("shown"), Mapping)


def conflict_current(record: Mapping[str, Any], theirs: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """What a conflict keeps on its operation: the upstream's record, and its value of each changed field."""
    return {"record": dict(record), "theirs": {name: theirs.get(name) for name in changes}}


def held_checks(op: Operation, normalise: Normalise = _same_value) -> list[FieldCheck]:
    """The checks of a conflict as the worker found them (the user's changes against the upstream then)."""
    current = op.upstream_current or {}
    return field_checks(op.payload.get("shown") or {}, op.payload.get("changes") or {},
                        current.get("theirs") or {}, normalise)


def reapply_payload(op: Operation, normalise: Normalise = _same_value) -> dict[str, Any] | None:
    """The payload of "send mine over theirs": the user's changes, based on theirs as the page showed it.

    None when the upstream held every change already (nothing left to send).
    """
    changes = op.payload.get("changes") or {}
    send = to_send(changes, held_checks(op, normalise))
    if not send:
        return None
    theirs = (op.upstream_current or {}).get("theirs") or {}
    return {"changes": send, "shown": {name: theirs.get(name) for name in send}}


class NotAConflict(ValueError):
    """The operation is not an open conflict of that record (resolved already, or another record's)."""


def open_conflict(target_type: str, target_id: int) -> Operation | None:
    """The record's latest unresolved conflict, if any."""
    return (Operation.objects.filter(target_type=target_type, target_id=target_id, status=Operation.Status.CONFLICT)
            .order_by("-created_at", "-id").first())


def mirror_state(target_type: str, target_id: int, *, writing: Operation | None = None) -> str:
    """The record's state once a write settles (``writing``) or a conflict is resolved: pending while
    another write to it is on its way, conflict while another waits for its author's decision, else synced."""
    others = Operation.objects.filter(target_type=target_type, target_id=target_id, status__in=Operation.OPEN)
    if writing is not None:
        others = others.exclude(pk=writing.pk)
    if others.exists():
        return SyncState.PENDING
    return SyncState.CONFLICT if open_conflict(target_type, target_id) else SyncState.SYNCED


def conflict_lock(op_id: int, target_type: str, target_id: int) -> Operation:
    """Lock an open conflict for resolving (inside a transaction); ``NotAConflict`` otherwise."""
    op = Operation.objects.select_for_update().filter(pk=op_id, target_type=target_type, target_id=target_id).first()
    if op is None or op.status != Operation.Status.CONFLICT or not op.upstream_current:
        raise NotAConflict("This operation is not an open conflict.")
    return op


@dataclass(frozen=True)
class HeldRow:
    """One changed field of a held write, as a record's page words it."""

    label: str
    mine: str
    theirs: str
    clash: bool
    landed: bool


@dataclass(frozen=True)
class HeldConflict:
    """A write held as a conflict, for the record's page (``templates/field_conflict.html``)."""

    op: Operation
    author: str  # "" when the change is the reader's own, else who made it (the page words each case)
    platform: str
    rows: list[HeldRow]
    can_reapply: bool = True
    note: str = ""

    @property
    def any_clash(self) -> bool:
        return any(row.clash for row in self.rows)


def held_conflict(op: Operation, *, user: Any, platform: str, labels: Mapping[str, str],
                  display: Callable[[str, Any], str], normalise: Normalise = _same_value,
                  can_reapply: bool = True, note: str = "") -> HeldConflict:
    """What the record's page says about a held write: per field, the user's value and the upstream's."""
    changes = op.payload.get("changes") or {}
    theirs = (op.upstream_current or {}).get("theirs") or {}
    rows = [HeldRow(labels.get(c.field, c.field), display(c.field, changes.get(c.field)),
                    display(c.field, theirs.get(c.field)), c.clash, c.landed)
            for c in held_checks(op, normalise)]
    author = op.created_by
    mine = author is None or author.pk == getattr(user, "pk", None)
    return HeldConflict(op, "" if mine else author.get_username(), platform, rows, can_reapply, note)


def conflict_resolve(op: Operation, how: str, message: str, **result: Any) -> None:
    """Settle a conflict without sending it; ``result.resolved`` ("reapplied", "discarded") is what the
    Operations page labels, as for stations."""
    op.status = Operation.Status.DISCARDED
    op.result = {**(op.result or {}), "resolved": how, **result}
    op.error_message = message
    op.save(update_fields=["status", "result", "error_message", "updated_at"])
