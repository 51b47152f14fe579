"""Recording audit entries. Secrets never enter the trail: keys that look secret are masked."""

from __future__ import annotations

from typing import Any

from portal.audit.models import AuditEntry

SECRET_WORDS = ("secret", "token", "password", "credential")


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("•••" if any(w in str(k).lower() for w in SECRET_WORDS) else _clean(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def audit_record(
    *,
    actor: Any,
    action: str,
    entity: str,
    entity_id: Any = "",
    entity_label: str = "",
    company: Any = None,
    before: Any = None,
    after: Any = None,
) -> AuditEntry:
    """Write one entry; call inside the transaction of the change so both land or neither."""
    person = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=person, actor_name=person.get_username() if person else "system", action=action, entity=entity,
        entity_id=str(entity_id or ""), entity_label=str(entity_label)[:200], company=company,
        before=_clean(before), after=_clean(after),
    )
