"""The one place that decides who may do what: roles per company, and company scoping.

A user's role belongs to each of their memberships (``portal.models.Membership``): an admin of
one company may be a viewer of another. Every view goes through :func:`role_required` (does the
user hold the role in at least one company?) and reads records through :func:`scoped` or
:func:`get_scoped_or_404` (is the record in one of the user's companies?). Every *write* passes
``min_role`` to those helpers, so it is decided by the role in the record's own company: an
operator of A who is a viewer of B reads B's stations but edits only A's. Pickers offer
:func:`company_ids` ``(user, min_role)``. Superusers pass every check.

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
        """The role in the reader's language ("Viewer", "Betrachter", "Kijker")."""
        from django.utils.translation import gettext

        return {Role.VIEWER: gettext("Viewer"), Role.OPERATOR: gettext("Operator"), Role.ADMIN: gettext("Admin")}[self]

    @classmethod
    def from_group_name(cls, name: str) -> Role | None:
        """The role a form's value (``"viewer"``...) names, or None."""
        try:
            return cls[name.upper()]
        except KeyError:
            return None


CompanyRef = Any  # a company id, or a Company


def _company_id(company: CompanyRef) -> int:
    return company if isinstance(company, int) else company.pk


def roles_of(user: Any) -> dict[int, Role] | None:
    """The user's role in each of their companies (``{company id: role}``); None means every role in
    every company (superusers). Cached on the user object for the request; :func:`forget` clears it."""
    if user.is_superuser:
        return None
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        from portal.models import Membership

        cached = ({} if not user.pk else
                  {c: Role(r) for c, r in Membership.objects.filter(user_id=user.pk).values_list("company_id", "role")})
        user._portal_roles = cached
    return cached


def forget(user: Any) -> None:
    """Drop the cached roles after the user's memberships changed."""
    user.__dict__.pop("_portal_roles", None)


def role_of(user: Any, company: CompanyRef | None = None) -> Role | None:
    """The user's role in ``company``, or without one their highest role in any company; None for
    an inactive or anonymous user, or one without a role there."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    roles = roles_of(user)
    if roles is None:
        return Role.ADMIN
    if company is not None:
        return roles.get(_company_id(company))
    return max(roles.values(), default=None)


def has_role(user: Any, need: Role, company: CompanyRef | None = None) -> bool:
    """Whether the user holds ``need`` in ``company`` (without one: in at least one company)."""
    role = role_of(user, company)
    return role is not None and role >= need


def role_required(need: Role) -> Callable[[View], View]:
    """Anonymous users go to the login page; a user holding ``need`` in no company gets 403. The page
    then decides per record, with ``min_role`` (see the module docstring)."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_role(request.user, need):
                raise PermissionDenied(f"This page needs the {need.label.lower()} role.")
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def company_ids(user: Any, min_role: Role = Role.VIEWER) -> list[int] | None:
    """Ids of the companies where the user holds at least ``min_role``; None means all (superusers)."""
    roles = roles_of(user)
    if roles is None:
        return None
    return sorted(c for c, r in roles.items() if r >= min_role)


def scoped(queryset: QuerySet[M], user: Any, company_field: str = "company",
           min_role: Role = Role.VIEWER) -> QuerySet[M]:
    """Only the rows of ``queryset`` that belong to companies where the user holds ``min_role``."""
    ids = company_ids(user, min_role)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{company_field}__in": ids})


def scoped_or_own(
    queryset: QuerySet[M], user: Any, company_field: str = "company", owner_field: str = "created_by",
    min_role: Role = Role.VIEWER,
) -> QuerySet[M]:
    """Rows of the user's companies (where they hold ``min_role``), and the company-less rows the user
    made themselves."""
    ids = company_ids(user, min_role)
    if ids is None:
        return queryset
    return queryset.filter(Q(**{f"{company_field}__in": ids}) | Q(**{f"{company_field}__isnull": True,
                                                                     owner_field: user}))


def company_keys(user: Any, *, owner: bool, min_role: Role = Role.VIEWER) -> set[str] | None:
    """The keys of per-company counts (``{"<company id>" or "none": ...}``) the user may read (holding
    ``min_role``); ``owner`` adds "none", the part no company holds. None means all (superusers)."""
    ids = company_ids(user, min_role)
    if ids is None:
        return None
    return {str(i) for i in ids} | ({"none"} if owner else set())


def get_scoped_or_404(
    queryset: QuerySet[M], user: Any, company_field: str = "company", min_role: Role = Role.VIEWER, **lookup: Any
) -> M:
    """One record of the user's companies; others answer 404 so ids do not leak. With ``min_role``
    above viewer (a write), a record the user may read but not change in its company answers 403."""
    try:
        record = scoped(queryset, user, company_field).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404(f"No {queryset.model._meta.verbose_name} found.") from exc
    if min_role > Role.VIEWER:
        require_role(user, min_role, _field_value(record, company_field))
    return record


def _field_value(record: Model, field: str) -> int | None:
    """The company id a record's ``company_field`` (``company``, ``pk``, ``backend__company``) names."""
    value: Any = record
    parts = field.split("__")
    for part in parts[:-1]:
        value = getattr(value, part)
        if value is None:
            return None
    last = parts[-1]
    return value.pk if last == "pk" else getattr(value, f"{last}_id")


def may_use_company(user: Any, company: CompanyRef | None, min_role: Role = Role.VIEWER) -> bool:
    """Whether the user holds ``min_role`` in ``company`` (a company-less record: superusers only)."""
    ids = company_ids(user, min_role)
    if ids is None:
        return True
    return company is not None and _company_id(company) in ids


def require_role(user: Any, need: Role, company: CompanyRef | None) -> None:
    """For services and forms: refuse (403) a write in ``company`` without ``need`` there."""
    if not may_use_company(user, company, need):
        raise PermissionDenied(f"This needs the {need.label.lower()} role in the record's company.")


def shares_company(user: Any, person: Any) -> bool:
    """Whether ``user`` may know who ``person`` is: they are one, or share a company (superusers know
    everyone). Cached per reader for the request."""
    if person is None or user.is_superuser or person.pk == user.pk:
        return True
    known = user.__dict__.setdefault("_portal_colleagues", {})
    if person.pk not in known:
        from portal.models import Membership

        mine = company_ids(user) or []
        known[person.pk] = Membership.objects.filter(user_id=person.pk, company_id__in=mine).exists()
    return known[person.pk]


def person_shown(user: Any, person: Any, nobody: str = "system") -> str:
    """The name of ``person`` (an author of a write) as ``user`` may read it: a username of a company
    they share, never the name of a person of another company only (the shared model catalogue's
    history reaches admins of every company)."""
    if person is None:
        return nobody
    if shares_company(user, person):
        return person.get_username()
    if person.is_superuser:
        return "a platform administrator"
    return "an admin of another company" if has_role(person, Role.ADMIN) else "a user of another company"
