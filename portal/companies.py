"""Writes for the Companies page: create and rename a company, request its identities on backends."""

from __future__ import annotations

from django.db import transaction

from portal import identities
from portal.audit.services import audit_record
from portal.access import Role, forget
from portal.models import Backend, Company, CompanyIdentity, Membership, User


@transaction.atomic
def company_create(*, name: str, actor: User) -> Company:
    """A new company; its creator joins it (an admin sees only their own companies)."""
    company = Company.objects.create(name=name)
    if not actor.is_superuser:
        Membership.objects.create(user=actor, company=company, role=Role.ADMIN)
        forget(actor)
    audit_record(actor=actor, action="company.create", entity="company", entity_id=company.pk,
                 entity_label=company.name, company=company, after={"name": name})
    return company


@transaction.atomic
def company_update(*, company: Company, name: str, refs: dict[Backend, str], actor: User,
                   require_second_factor: bool | None = None) -> list[CompanyIdentity]:
    """Rename, require a second factor of its operators and viewers (None: leave as is), and ask the upstream about every identity whose typed value changed (checks run after
    commit; the identity in use changes only once a worker confirms the new value)."""
    before = {"name": company.name, "second factor": company.require_second_factor}
    if name != company.name:
        company.name = name
        company.save(update_fields=["name"])
    if require_second_factor is not None and require_second_factor != company.require_second_factor:
        company.require_second_factor = require_second_factor
        company.save(update_fields=["require_second_factor"])
    current = {i.backend_id: i for i in CompanyIdentity.objects.filter(company=company)}
    requested = []
    for backend, ref in refs.items():
        known = current.get(backend.pk)
        in_use = known.ref if known else (company.upstream_ref or "")
        typed = known.requested_ref if known else ""
        if not ref or (ref == in_use and (known is None or known.status != CompanyIdentity.Status.REFUSED)) \
                or (ref == typed and known is not None and known.is_checking):
            continue
        requested.append(identities.identity_request(company=company, backend=backend, ref=ref))
    after = {"name": company.name, "second factor": company.require_second_factor, **{f"identity on {i.backend.name}": i.requested_ref for i in requested}}
    if after != before:
        audit_record(actor=actor, action="company.update", entity="company", entity_id=company.pk,
                     entity_label=company.name, company=company, before=before, after=after)
    return requested
