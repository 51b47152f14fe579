"""Reads for the Operations page: the operations (upstream writes) a user may see, and its filters."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from portal import labels
from portal.access import Role, company_ids, has_role, scoped
from portal.models import Backend, Operation, User


def operations_for(user: User, min_role: Role = Role.VIEWER) -> QuerySet[Operation]:
    """Operations of the companies where the user holds ``min_role`` (a retry passes operator), newest
    first; company-less ones (the shared catalogue's) for admins only."""
    operations = Operation.objects.select_related("backend", "created_by", "company")
    visible = scoped(operations, user, min_role=min_role)
    if company_ids(user) is not None and has_role(user, Role.ADMIN):
        visible = visible | operations.filter(company__isnull=True)
    return visible.order_by("-created_at", "-id")


@dataclass(frozen=True)
class OperationFilters:
    status: str = ""
    kind: str = ""
    backend_id: int | None = None
    target_type: str = ""
    target: str = ""


def operations_filtered(user: User, filters: OperationFilters) -> QuerySet[Operation]:
    operations = operations_for(user)
    if filters.status:
        operations = operations.filter(status=filters.status)
    if filters.kind:
        operations = operations.filter(kind=filters.kind)
    if filters.backend_id is not None:
        operations = operations.filter(backend_id=filters.backend_id)
    if filters.target_type:
        operations = operations.filter(target_type=filters.target_type)
    if filters.target:
        operations = operations.filter(target_label__icontains=filters.target)
    return operations


def operation_filter_choices(user: User) -> dict[str, list[tuple[str, str]]]:
    """Values the filters offer: only what the user's visible operations hold."""
    visible = operations_for(user).order_by()
    kinds = sorted(set(visible.values_list("kind", flat=True).distinct()))
    target_types = sorted(set(visible.values_list("target_type", flat=True).distinct()))
    backends = Backend.objects.filter(pk__in=visible.values("backend_id")).order_by("name")
    return {
        "kind": labels.choices(kinds, "operation"),
        "target_type": labels.choices(target_types, "entity"),
        "backend": [(str(b.pk), b.name) for b in backends],
    }
