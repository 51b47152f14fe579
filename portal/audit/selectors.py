"""Reads of the audit trail, scoped by the companies of the data each entry holds.

An entry of a company's record shows to that company's admins. An entry about a
user shows to the admins who manage that user now (``users_for_admin``), and the
companies it lists are cut to the reader's own: an admin of B reads that a user
they share with A was created, never A's name. Other company-less entries (shared
backends, the catalogue) show when their author shares a company with the reader.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from portal.access import Role, company_ids
from portal.audit.models import AuditEntry
from portal.models import Company, User
from portal.selectors import users_for_admin


def entries_for(user: User) -> QuerySet[AuditEntry]:
    """The audit is an admin's page: entries of the companies where the reader is admin."""
    entries = AuditEntry.objects.select_related("company")
    ids = company_ids(user, Role.ADMIN)
    if ids is None:
        return entries
    managed = [str(pk) for pk in users_for_admin(user).values_list("pk", flat=True)]
    return entries.filter(
        Q(company__in=ids)
        | Q(company__isnull=True, entity="user", entity_id__in=managed)
        | (Q(company__isnull=True, actor__companies__in=ids) & ~Q(entity="user"))
    ).distinct()


def _visible_companies(value: Any, names: set[str] | None) -> Any:
    if names is None or not isinstance(value, dict) or not isinstance(value.get("companies"), list):
        return value
    return {**value, "companies": [c for c in value["companies"] if c in names]}


def entry_states(entry: AuditEntry, user: User) -> tuple[Any, Any]:
    """The entry's before and after, with only the companies the reader belongs to named."""
    ids = company_ids(user)
    names = None if ids is None else set(Company.objects.filter(pk__in=ids).values_list("name", flat=True))
    return _visible_companies(entry.before, names), _visible_companies(entry.after, names)
