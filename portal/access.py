"""The one place that decides who may do what: roles and company scoping.

Every view goes through :func:`role_required` (is the role high enough?) and
reads records through :func:`scoped` or :func:`get_scoped_or_404` (is the
record in one of the user's companies?). Superusers pass both checks.

A record is scoped by the companies of the data it *holds*, not by who made
it: an import of a user of two companies shows each reader only the rows of
their own companies. Data that names no company the maker may use (a row
naming an unknown backend) is the maker's own: :func:`scoped_or_own`.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

M = TypeVar("M", bound=Model)
View = Callable[..., HttpResponse]


class Role(enum.IntEnum):
    """Roles are cumulative: an operator may do all a viewer may, and so on."""

    VIEWER = 1
    OPERATOR = 2
    ADMIN = 3

    @property
    def group_name(self) -> str:
        return self.name.lower()

    @property
    def label(self) -> str:
        return self.name.capitalize()

    @classmethod
    def from_group_name(cls, name: str) -> Role | None:
        try:
            return cls[name.upper()]
        except KeyError:
            return None


def role_of(user: Any) -> Role | None:
    """The user's highest role, or None for a user without one."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    cached = getattr(user, "_portal_role", False)
    if cached is not False:
        return cached
    roles = [Role.from_group_name(name) for name in user.groups.values_list("name", flat=True)]
    role = max((r for r in roles if r is not None), default=None)
    user._portal_role = role
    return role


def has_role(user: Any, need: Role) -> bool:
    role = role_of(user)
    return role is not None and role >= need


def role_required(need: Role) -> Callable[[View], View]:
    """Anonymous users go to the login page; a role below ``need`` gets 403."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_role(request.user, need):
                raise PermissionDenied(f"This page needs the {need.label.lower()} role.")
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def company_ids(user: Any) -> list[int] | None:
    """Ids of the user's companies; None means all (superusers)."""
    if user.is_superuser:
        return None
    cached = getattr(user, "_portal_company_ids", None)
    if cached is None:
        cached = list(user.companies.values_list("id", flat=True))
        user._portal_company_ids = cached
    return cached


def scoped(queryset: QuerySet[M], user: Any, company_field: str = "company") -> QuerySet[M]:
    """Only the rows of ``queryset`` that belong to the user's companies."""
    ids = company_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{company_field}__in": ids})


def scoped_or_own(
    queryset: QuerySet[M], user: Any, company_field: str = "company", owner_field: str = "created_by"
) -> QuerySet[M]:
    """Rows of the user's companies, and the company-less rows the user made themselves."""
    ids = company_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(Q(**{f"{company_field}__in": ids}) | Q(**{f"{company_field}__isnull": True,
                                                                     owner_field: user}))


def company_keys(user: Any, *, owner: bool) -> set[str] | None:
    """The keys of per-company counts (``{"<company id>" or "none": ...}``) the user may read;
    ``owner`` adds "none", the part no company holds. None means all (superusers)."""
    ids = company_ids(user)
    if ids is None:
        return None
    return {str(i) for i in ids} | ({"none"} if owner else set())


def get_scoped_or_404(
    queryset: QuerySet[M], user: Any, company_field: str = "company", **lookup: Any
) -> M:
    """One record of the user's companies; others answer 404 so ids do not leak."""
    try:
        return scoped(queryset, user, company_field).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404(f"No {queryset.model._meta.verbose_name} found.") from exc


def may_use_company(user: Any, company_id: int) -> bool:
    ids = company_ids(user)
    return ids is None or company_id in ids
