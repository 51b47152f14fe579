"""Recording audit entries. Secrets never enter the trail: keys that look secret are masked."""

from __future__ import annotations

from typing import Any

import orjson

from portal.audit.models import AuditEntry
from portal.copy_insert import insert_rows

SECRET_WORDS = ("secret", "token", "password", "credential")
ENTRY_FIELDS = ("actor_id", "actor_name", "action", "entity", "entity_id", "entity_label", "company_id", "before",
                "after")


def _clean_fast(value: Any) -> Any:
    """:func:`_clean`, without walking a value (10,000 station documents) that cannot hold a secret key:
    one whose JSON, lowered as :func:`_clean` lowers each key, holds none of the words anywhere."""
    if isinstance(value, (dict, list)):
        try:
            text = orjson.dumps(value).decode().lower()
        except orjson.JSONEncodeError:  # e.g. a key that is not a string: str(key) is what counts
            return _clean(value)
        if not any(word in text for word in SECRET_WORDS):
            return value
    return _clean(value)


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("•••" if any(w in str(k).lower() for w in SECRET_WORDS) else _clean(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def actor_name(person: Any) -> str:
    """Who acted, as the trail shows it: the username, and the API token's name when one was used."""
    if person is None:
        return "system"
    token = getattr(person, "_api_token", None)  # set by api.auth for a token's requests
    return (f"{person.get_username()} (API token “{token.name}”)" if token else person.get_username())[:150]


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
        actor=person, actor_name=actor_name(person), action=action, entity=entity,
        entity_id=str(entity_id or ""), entity_label=str(entity_label)[:200], company=company,
        before=_clean(before), after=_clean(after),
    )


def audit_records_many(*, actor: Any, entries: list[dict[str, Any]]) -> None:
    """Write many entries in one insert (a confirmed batch: COPY, ``portal.copy_insert``); same
    cleaning as :func:`audit_record`."""
    person = actor if getattr(actor, "is_authenticated", False) else None
    name = actor_name(person)
    insert_rows(AuditEntry, ENTRY_FIELDS, [
        (person.pk if person else None, name, e["action"], e["entity"], str(e.get("entity_id") or ""),
         str(e.get("entity_label", ""))[:200], e.get("company_id"), _clean_fast(e.get("before")),
         _clean_fast(e.get("after")))
        for e in entries
    ])
