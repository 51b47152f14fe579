"""Outbox handlers for mirror records written by field-checked partial updates (``outbox.conflicts``).

ChargEye locations and the catalogue's station models are written the same way: a create that
adopts what a lost answer made, and partial updates checked field by field against a fresh read.
What their handlers share lives here: applying the upstream's answer to the mirror row (folding
in a twin a refresh made meanwhile), the row's state after it, a failure, and keeping the
upstream's version on a conflict. Each app says which model, how an upstream record is copied to
its row (``copy``) and which rows point at it (``dependents``); this module knows no app.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from django.db.models import Model

from outbox import conflicts as fc
from sync.mirror import SyncState
from portal.models import Operation
from outbox.operations import OperationHandler


class FieldCheckedHandler(OperationHandler):
    """Applying answers to one kind of field-checked mirror row; subclasses add ``kind`` and ``perform``."""

    model: ClassVar[type[Model]]
    target_type: ClassVar[str]
    dependents: ClassVar[str] = ""  # the reverse relation whose rows move to our row when a twin is folded

    def copy(self, row: Any, record: Any) -> None:
        """Copy an upstream record into the mirror row (the caller saves)."""
        raise NotImplementedError

    def _locked(self, op: Operation) -> Any:
        return self.model.objects.select_for_update().get(pk=op.target_id)

    def apply(self, op: Operation, result: Any) -> dict[str, Any]:
        row = self._locked(op)
        upstream_id = getattr(result, "id", None)
        if upstream_id:
            # A refresh may have mirrored the new record before this answer landed: fold that row into ours.
            for twin in self.model.objects.filter(backend_id=row.backend_id, upstream_id=upstream_id).exclude(pk=row.pk):
                if self.dependents:
                    related = getattr(twin, self.dependents)
                    related.update(**{related.field.name: row})
                twin.delete()
        self.copy(row, result)
        row.sync_state = fc.mirror_state(self.target_type, row.pk, writing=op)
        row.save()
        return {"upstream_id": row.upstream_id}

    def on_failed(self, op: Operation) -> None:
        self.model.objects.filter(pk=op.target_id).update(sync_state=SyncState.FAILED)

    def keep_theirs(self, op: Operation, record: Any | None) -> bool:
        """On a conflict the mirror shows the upstream's version (``record``; None when the conflict carried
        none) while the user's changes wait on the operation. Whether there was a version to show."""
        row = self._locked(op)
        row.sync_state = SyncState.CONFLICT
        if record is None:
            row.save(update_fields=["sync_state"])
            return False
        self.copy(row, record)
        row.content_hash = ""  # the next refresh rewrites the row once the conflict is resolved
        row.save()
        return True

    @staticmethod
    def changes_to_send(shown: Mapping[str, Any], changes: Mapping[str, Any], theirs: Mapping[str, Any],
                        normalise: fc.Normalise, clash: Callable[[list[fc.FieldCheck]], Exception]) -> dict[str, Any]:
        """The changes the upstream does not hold yet; raises ``clash(clashing checks)`` when another writer
        changed one of the fields since the form showed it (nothing is sent then)."""
        checks = fc.field_checks(shown, changes, theirs, normalise)
        clashing = fc.clashes(checks)
        if clashing:
            raise clash(clashing)
        return fc.to_send(changes, checks)
