"""Companies' identities on upstream backends: which kinds need one, lookups, the request and the check.

be.ENERGISED names a station's company by ``companyUuid``; ChargEye names a
location's owner by its tenant id (``tenantIdCPO``). Each backend of those
kinds keeps one identity per company (``CompanyIdentity``). A company's
``upstream_ref`` (set by the demo seed and older setups) still answers for
every backend that has no identity of its own for it.

The check never runs in a request (docs/architecture.md: views never call an upstream):
:func:`identity_request` stores the typed value as *checking* and enqueues
``portal.check_identity`` after commit; the Companies page polls until the
worker has answered, as "Test connection" does. The check reads what the
upstream can confirm:

* be.ENERGISED: a credential acts for one company, and every station it
  lists carries its ``companyUuid``; one small page tells whether the typed
  value is that company (the technicians list carries no company id, so it
  cannot help);
* ChargEye: locations carry ``tenantIdCPO`` and ``tenantIds``; pages are
  read until one names the typed tenant.

A backend that lists nothing yet cannot judge: the value is kept as
*unconfirmed* (said so on the page). A backend that lists records of which
none belongs to the value refuses it: the message names the field, and the
identity in use stays what it was.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from upstreams import UpstreamError
from portal.models import Backend, Company, CompanyIdentity
from portal.queue import enqueue

log = logging.getLogger(__name__)

# The kinds whose records name their company, and what that upstream calls the field.
IDENTITY_FIELDS: dict[str, str] = {
    Backend.Kind.BEENERGISED: "companyUuid",
    Backend.Kind.CHARGEYE: "tenantIdCPO",
}
MAX_LENGTH = 64
CHECK_PAGES = 50  # ChargEye pages read at most (100 locations each) before giving up on finding the tenant


SUGGESTION_SECONDS = 7 * 24 * 3600
SUGGESTIONS_SHOWN = 5


def suggestions_record(backend: Backend, refs: list[str]) -> None:
    """What the upstream reports for this backend's token (``companyUuid`` of the stations it lists, or
    the ``tenantIdCPO`` of the locations), seen by a connection check in a worker, for the Companies
    page to offer (issue 24): in the cache, as a hint that is only ever confirmed by the usual check."""
    from django.core.cache import cache

    unique = list(dict.fromkeys(r for r in refs if r))[:SUGGESTIONS_SHOWN]
    cache.set(f"identity-suggestions:{backend.pk}", unique, SUGGESTION_SECONDS)


def suggestions_for(backend: Backend, company: Company) -> list[str]:
    """The identities the upstream reported for ``backend``'s token that no other company uses."""
    from django.core.cache import cache

    refs = cache.get(f"identity-suggestions:{backend.pk}") or []
    return [ref for ref in refs if ref_taken(backend, ref, company) is None]


def field_label(backend: Backend) -> str:
    """How the page names the field: the backend and the upstream's own field name."""
    return f"{backend.name} ({backend.get_kind_display()} {IDENTITY_FIELDS[backend.kind]})"


def identity_backends(company: Company | None = None) -> list[Backend]:
    """Active backends that need a company identity; for a company, those that may hold its records
    (a be.ENERGISED credential acts for its own company only)."""
    backends = Backend.objects.filter(kind__in=list(IDENTITY_FIELDS), is_active=True).select_related("company")
    if company is not None:
        backends = backends.filter(Q(company=company) | Q(company__isnull=True) | Q(kind=Backend.Kind.CHARGEYE))
    return list(backends.order_by("kind", "name"))


# -- lookups used by refreshers and writes ------------------------------------------------

def company_refs(backend: Backend) -> dict[str, int]:
    """Identity -> company id for the records of ``backend`` (its own identities win over ``upstream_ref``)."""
    refs = dict(Company.objects.exclude(upstream_ref=None).exclude(upstream_ref="")
                .values_list("upstream_ref", "pk"))
    overridden = set(CompanyIdentity.objects.filter(backend=backend).exclude(ref="").values_list("company_id", flat=True))
    refs = {ref: pk for ref, pk in refs.items() if pk not in overridden}
    refs.update(CompanyIdentity.objects.filter(backend=backend).exclude(ref="").values_list("ref", "company_id"))
    return refs


def company_ref(company: Company, backend: Backend) -> str | None:
    """The identity ``company`` has on ``backend``, or None when none is set."""
    own = CompanyIdentity.objects.filter(company=company, backend=backend).exclude(ref="").values_list(
        "ref", flat=True).first()
    return own or company.upstream_ref or None


# -- the request and the check ---------------------------------------------------------------

def identity_in_use(backend: Backend, ref: str) -> str:
    """The refusal of an identity another company uses; it never says which company (issue 23)."""
    return (f"This identity is already in use: {IDENTITY_FIELDS[backend.kind]} {ref} on {backend.name} belongs to "
            "another company; each company has its own.")


def ref_taken(backend: Backend, ref: str, company: Company) -> Company | None:
    """Another company that already uses ``ref`` on ``backend``, if any (never to be named to a user:
    :func:`identity_in_use`)."""
    other = company_refs(backend).get(ref)
    return None if other in (None, company.pk) else Company.objects.filter(pk=other).first()


def identity_request(*, company: Company, backend: Backend, ref: str) -> CompanyIdentity:
    """Store ``ref`` as the value to check and enqueue the check after commit. The identity in use
    (``ref``) does not change until the worker confirms the new value."""
    identity, _ = CompanyIdentity.objects.get_or_create(company=company, backend=backend)
    identity.requested_ref = ref
    identity.status = CompanyIdentity.Status.CHECKING
    identity.message = ""
    identity.requested_at = timezone.now()
    identity.save()
    transaction.on_commit(lambda: enqueue("portal.check_identity", (identity.pk,)))
    return identity


@dataclass(frozen=True)
class Verdict:
    status: str
    message: str


def _judge_beenergised(backend: Backend, ref: str) -> Verdict:
    field = IDENTITY_FIELDS[backend.kind]
    with backend.connector(timeout=10.0, max_attempts=2, page_size=5) as connector:
        first = next(iter(connector.list_stations()))
    uuids = {s.company_uuid for s in first.items if s.company_uuid}
    if not uuids:
        return Verdict(CompanyIdentity.Status.UNCONFIRMED,
                       f"{backend.name} lists no stations yet, so it cannot confirm {field} {ref}.")
    if ref in uuids:
        return Verdict(CompanyIdentity.Status.CONFIRMED,
                       f"Confirmed: the stations {backend.name} lists belong to {field} {ref}.")
    return Verdict(CompanyIdentity.Status.REFUSED,
                   f"{field} {ref} is not the company of {backend.name}'s credentials: the stations it lists "
                   f"belong to another {field}. Nothing was saved.")


def _judge_chargeye(backend: Backend, ref: str) -> Verdict:
    field = IDENTITY_FIELDS[backend.kind]
    seen = 0
    with backend.connector(timeout=10.0, max_attempts=2) as connector:
        for number, page in enumerate(connector.list_locations()):
            for location in page.items:
                seen += 1
                if ref == location.tenant_id_cpo or ref in location.tenant_ids:
                    return Verdict(CompanyIdentity.Status.CONFIRMED,
                                   f"Confirmed: {backend.name} shows locations of tenant {ref}.")
            if number + 1 >= CHECK_PAGES:
                break
    if not seen:
        return Verdict(CompanyIdentity.Status.UNCONFIRMED,
                       f"{backend.name} shows no locations yet, so it cannot confirm {field} {ref}.")
    return Verdict(CompanyIdentity.Status.REFUSED,
                   f"{field} {ref} is unknown to {backend.name}: none of the {seen} locations it shows "
                   f"belongs to that tenant. Nothing was saved.")


def identity_check(identity: CompanyIdentity) -> CompanyIdentity:
    """Ask the upstream about ``requested_ref`` (run by the ``portal.check_identity`` task)."""
    backend, ref = identity.backend, identity.requested_ref
    try:
        judge = _judge_beenergised if backend.kind == Backend.Kind.BEENERGISED else _judge_chargeye
        verdict = judge(backend, ref)
    except (UpstreamError, ValueError) as exc:
        verdict = Verdict(CompanyIdentity.Status.REFUSED,
                          f"{backend.name} could not be asked ({getattr(exc, 'message', exc)}); nothing was "
                          "saved. Test the backend's connection, then save again.")
    except Exception as exc:  # a bug or a bad URL: say what kind, keep the details in the log
        log.warning("Identity check %s raised", identity.pk, exc_info=True)
        verdict = Verdict(CompanyIdentity.Status.REFUSED, f"The check failed ({type(exc).__name__}); nothing was saved.")
    with transaction.atomic():
        identity = CompanyIdentity.objects.select_for_update().get(pk=identity.pk)
        if identity.requested_ref != ref:
            return identity  # typed again meanwhile: the newer request's check decides
        if verdict.status != CompanyIdentity.Status.REFUSED:
            if ref_taken(backend, ref, identity.company) is not None:
                verdict = Verdict(CompanyIdentity.Status.REFUSED, identity_in_use(backend, ref))
            else:
                identity.ref = ref
        identity.status, identity.message = verdict.status, verdict.message[:500]
        identity.checked_at = timezone.now()
        identity.save()
    return identity
