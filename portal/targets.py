"""Which backend a create goes to, where several of a kind exist: the choices and the remembered default.

Model creates go to a ``models`` backend (the catalogue is shared: one
default for everybody, stored without a company); location creates go to a
ChargEye backend the company may use (its own or a shared one), the
company's last choice first. Only ChargEye locations can be created: the
GreenFlux API has no location create or update.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from portal.models import Backend, Company, TargetChoice


def targets(kind: str, company: Company | None = None) -> QuerySet[Backend]:
    """Active backends of ``kind`` a create for ``company`` may go to."""
    backends = Backend.objects.filter(kind=kind, is_active=True).order_by("name")
    if company is not None:
        backends = backends.filter(Q(company=company) | Q(company__isnull=True))
    return backends


def default_target(kind: str, company: Company | None = None) -> Backend | None:
    """The last backend chosen for ``company`` if it still qualifies, else the oldest one."""
    usable = targets(kind, company)
    chosen = TargetChoice.objects.filter(kind=kind, company=company).values_list("backend_id", flat=True).first()
    if chosen is not None:
        backend = usable.filter(pk=chosen).first()
        if backend is not None:
            return backend
    return usable.order_by("pk").first()


def target_remember(kind: str, company: Company | None, backend: Backend) -> None:
    TargetChoice.objects.update_or_create(kind=kind, company=company, defaults={"backend": backend})


def target_error(kind: str, backend: Backend | None, company: Company | None = None) -> str | None:
    """Why ``backend`` cannot take this create, or None."""
    label = "ChargEye" if kind == Backend.Kind.CHARGEYE else dict(Backend.Kind.choices)[kind]
    if backend is None:
        whose = f" for {company}" if company is not None else ""
        return f"No {label} backend is set up{whose}; ask an admin to add one on the Backends page."
    if backend.kind != kind:
        if kind == Backend.Kind.CHARGEYE and backend.kind == Backend.Kind.GREENFLUX:
            return (f"{backend.name} is a GreenFlux backend: its API cannot create locations (they are managed in "
                    "GreenFlux's own portal). Choose a ChargEye backend.")
        return f"{backend.name} is a {backend.get_kind_display()} backend, not a {label} one; choose a {label} backend."
    if not backend.is_active:
        return f"{backend.name} is inactive; choose an active backend."
    if company is not None and backend.company_id not in (None, company.pk):
        return f"{backend.name} serves {backend.company} only; choose a backend of {company}."
    return None
