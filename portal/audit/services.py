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


def audit_records_many(*, actor: Any, entries: list[dict[str, Any]]) -> None:
    """Write many entries in one insert (a confirmed batch); same cleaning as :func:`audit_record`."""
    person = actor if getattr(actor, "is_authenticated", False) else None
    name = person.get_username() if person else "system"
    AuditEntry.objects.bulk_create([
        AuditEntry(actor=person, actor_name=name, action=e["action"], entity=e["entity"],
                   entity_id=str(e.get("entity_id") or ""), entity_label=str(e.get("entity_label", ""))[:200],
                   company_id=e.get("company_id"), before=_clean(e.get("before")), after=_clean(e.get("after")))
        for e in entries
    ], batch_size=5000)
