"""Reads for the accounts pages: the companies a user may pick, the users an admin may manage and the
backends an admin manages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from django.db.models import Prefetch, QuerySet

from portal.access import Role, company_ids, scoped
from portal.models import Backend, Company, Membership, User


def companies_for(user: User, min_role: Role = Role.VIEWER) -> QuerySet[Company]:
    """The companies where the user holds ``min_role`` (a picker of a write offers only those), or all
    for a superuser."""
    ids = company_ids(user, min_role)
    companies = Company.objects.all()
    return companies if ids is None else companies.filter(id__in=ids)


def users_for_admin(admin: User) -> QuerySet[User]:
    """The people an admin governs: members of a company where the admin is admin (superusers: every
    user). Their ``memberships`` are prefetched as the admin may see them: only those of companies the
    admin governs, so a person shared with another company never names it on this admin's pages."""
    users = User.objects.order_by("username")
    ids = company_ids(admin, Role.ADMIN)
    mine = Membership.objects.select_related("company").order_by("company__name")
    if ids is None:
        return users.prefetch_related(Prefetch("memberships", queryset=mine, to_attr="shown_memberships"))
    users = users.prefetch_related(Prefetch("memberships", queryset=mine.filter(company__in=ids),
                                            to_attr="shown_memberships"))
    return users.filter(pk__in=Membership.objects.filter(company__in=ids).values("user_id"), is_superuser=False)


# -- Backends (the admin Backends page) --


def backends_for(user: User) -> QuerySet[Backend]:
    """Backends an admin manages: those of the companies where they are admin, plus the company-less
    ones (shared catalogue, multi-tenant ChargEye); superusers see all."""
    backends = Backend.objects.select_related("company")
    if company_ids(user) is None:
        return backends
    return scoped(backends, user, min_role=Role.ADMIN) | backends.filter(company__isnull=True)


SHARED_BACKEND = ("This backend is shared by every company; only the platform's admins change its settings, "
                  "so that no company's admin changes another company's records.")


SHARED_COUNTS = gettext_lazy("Counted over every company: the figures are for the platform's admins.")


def counts_shown(user: User, backend: Backend) -> bool:
    """Whether ``user`` may read how many records ``backend`` holds (a refresh's rows, a connection
    check's count): a backend of their companies, or the model catalogue, whose records are every
    company's. A backend shared by every company (a multi-tenant ChargEye) counts other companies'
    records with the reader's, so only the platform's admins (superusers) read its figures."""
    return backend.company_id is not None or backend.kind == Backend.Kind.MODELS or company_ids(user) is None


def governs(user: User, backend: Backend) -> bool:
    """Whether ``user`` (an admin) may change ``backend``'s settings (name, credentials, paths, schedules,
    removal holds): a backend of one of their companies. A backend shared by every company (no company:
    the model catalogue, a multi-tenant ChargEye) changes other companies' records too, so only the
    platform's admins (superusers) change it."""
    ids = company_ids(user, Role.ADMIN)
    return ids is None or (backend.company_id is not None and backend.company_id in ids)
