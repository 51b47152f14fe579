"""Writes for accounts (users, roles, companies, invitations) and backends (settings, connection check)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from upstreams import AuthFailed, Forbidden, NotFound, RateLimited, Unavailable, UpstreamError
from portal.access import Role, company_ids, forget
from portal.audit.services import audit_record
from portal.models import Backend, Company, Membership, User
from portal.queue import enqueue
from portal.models.backends import CREDENTIAL_FIELDS

log = logging.getLogger(__name__)


def _memberships_set(user: User, roles: Mapping[Company, Role | None], actor: User | None) -> None:
    """Give ``user`` each role in its company (None: remove them from it); every change is an audit
    entry of that company, so only its admins read it."""
    current = {m.company_id: m for m in Membership.objects.filter(user=user, company__in=list(roles))}
    for company, role in roles.items():
        known = current.get(company.pk)
        before = Role(known.role).group_name if known else None
        after = role.group_name if role is not None else None
        if before == after:
            continue
        if role is None:
            known.delete()  # type: ignore[union-attr]
        elif known is None:
            Membership.objects.create(user=user, company=company, role=role)
        else:
            known.role = role
            known.save(update_fields=["role"])
        audit_record(actor=actor, action="membership.set", entity="user", entity_id=user.pk,
                     entity_label=user.username, company=company, before={"role": before}, after={"role": after})
    forget(user)


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str,
    password: str | None,
    role: Role | None = None,
    companies: Iterable[Company] = (),
    memberships: Mapping[Company, Role] | None = None,
    first_name: str = "",
    last_name: str = "",
    actor: User | None = None,
) -> User:
    """Create a user with ``role`` in each of ``companies`` (or the roles of ``memberships``); without
    a password the account can only be entered through an invitation."""
    roles: dict[Company, Role | None] = {c: role for c in companies} if memberships is None else dict(memberships)
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit_record(actor=actor, action="user.create", entity="user", entity_id=user.pk, entity_label=user.username,
                 after=_user_state(user, roles))
    _memberships_set(user, roles, actor)
    return user


@transaction.atomic
def user_update(
    *, user: User, memberships: Mapping[Company, Role | None], is_active: bool | None = None,
    actor: User | None = None,
) -> User:
    """Set the user's role in each company of ``memberships`` (None: remove them from it); the user's
    other memberships stay as they are. ``is_active`` (None: unchanged) locks the account everywhere,
    so the caller allows it only to who governs every company of the user (:func:`may_govern_account`)."""
    if is_active is not None and is_active != user.is_active:
        before = _user_state(user)
        user.is_active = is_active
        user.save(update_fields=["is_active"])
        audit_record(actor=actor, action="user.update", entity="user", entity_id=user.pk,
                     entity_label=user.username, before=before, after=_user_state(user))
    _memberships_set(user, memberships, actor)
    return user


def may_govern_account(actor: User, user: User) -> bool:
    """Whether ``actor`` may act on the account itself (its password, sign-in link, whether it may sign
    in at all): a superuser, or an admin of *every* company the user belongs to. A user who belongs
    to another company as well is reached only through their own e-mail or a superuser, so no link
    ever goes to another company's admin."""
    if actor.is_superuser:
        return True
    if user.is_superuser:
        return False
    theirs = set(Membership.objects.filter(user=user).values_list("company_id", flat=True))
    return bool(theirs) and theirs <= set(company_ids(actor, Role.ADMIN) or ())


def _user_state(user: User, roles: Mapping[Company, Role | None] | None = None) -> dict[str, object]:
    """An account's state for the audit (roles are the memberships' own entries, per company)."""
    names = ([c.name for c, r in roles.items() if r is not None] if roles is not None
             else list(user.companies.values_list("name", flat=True)))
    return {"email": user.email, "active": user.is_active, "companies": sorted(names)}


def user_invite_url(request: HttpRequest, user: User, *, actor: User) -> str:
    """A one-time link to choose a password: Django's reset token, void once used. Only for who
    governs the whole account (:func:`may_govern_account`): the link opens every company of the user."""
    if not may_govern_account(actor, user):
        raise PermissionDenied("Only a platform administrator can make a sign-in link for this person.")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return request.build_absolute_uri(reverse("invite_accept", args=[uid, token]))


# -- Backends: create, edit, (de)activate, and the connection check --------------------

# A check counts what the credentials see. Only be.ENERGISED reports a total
# (``meta.pagination.total``); the others are counted page by page, up to a bound.
CHECK_COUNT_MAX = 5000
CHECK_MESSAGE_MAX = 500  # Backend.check_message's max_length


@transaction.atomic
def backend_create(
    *, name: str, kind: str, company: Company | None, base_url: str, credentials: dict[str, Any],
    paths: dict[str, str] | None = None, actor: User | None = None,
) -> Backend:
    backend = Backend(name=name, kind=kind, company=company, base_url=base_url, paths=dict(paths or {}))
    backend.credentials = _clean_credentials(kind, credentials)
    backend.save()
    _audit_backend(actor, "backend.create", backend, None, _backend_state(backend))
    return backend  # its refresh schedules follow on commit (sync.schedules.ensure_schedules_of_new_backend)


def _backend_state(backend: Backend) -> dict[str, Any]:
    """What the audit keeps of a backend: settings, and which credentials are set (never their values)."""
    return {
        "name": backend.name, "kind": backend.kind, "company": str(backend.company or ""),
        "base_url": backend.base_url, "active": backend.is_active, "paths": dict(backend.paths or {}),
        "auth fields set": sorted(k for k, v in backend.credentials.items() if v),
    }


def _audit_backend(actor: User | None, action: str, backend: Backend, before: Any, after: Any) -> None:
    audit_record(actor=actor, action=action, entity="backend", entity_id=backend.pk, entity_label=backend.name,
                 company=backend.company, before=before, after=after)


@transaction.atomic
def backend_update(
    *, backend: Backend, name: str, company: Company | None, base_url: str, credentials: dict[str, Any],
    paths: dict[str, str] | None = None, actor: User | None = None,
) -> Backend:
    """Change a backend. A blank credential value keeps the stored one (secrets are write-only).

    The kind never changes here: mirror rows and operations of the old kind would be orphaned.
    A changed URL or credential voids the last check, which said nothing about the new settings.
    """
    before = _backend_state(backend)
    stored = backend.credentials
    merged = {**stored, **{k: v for k, v in credentials.items() if v not in ("", None)}}
    merged = _clean_credentials(backend.kind, merged)
    new_paths = dict(backend.paths or {}) if paths is None else dict(paths)
    settings_changed = merged != stored or base_url != backend.base_url or new_paths != (backend.paths or {})
    backend.name, backend.company, backend.base_url, backend.paths = name, company, base_url, new_paths
    backend.credentials = merged
    if settings_changed:
        backend.checked_at, backend.check_ok, backend.check_message = None, None, ""
    backend.save()
    after = _backend_state(backend)
    if merged != stored:
        after["auth fields changed"] = sorted(k for k in merged if merged.get(k) != stored.get(k))
    _audit_backend(actor, "backend.update", backend, before, after)
    return backend


@transaction.atomic
def backend_set_active(*, backend: Backend, active: bool, actor: User | None = None) -> Backend:
    before = _backend_state(backend)
    backend.is_active = active
    backend.save(update_fields=["is_active"])
    _audit_backend(actor, "backend.activate" if active else "backend.deactivate", backend, before,
                   _backend_state(backend))
    return backend


def backend_check_request(*, backend: Backend) -> None:
    """Enqueue a connection check once the surrounding transaction commits (views never call upstreams)."""
    transaction.on_commit(lambda: enqueue("portal.check_backend", (backend.pk,)))


def backend_check(backend: Backend) -> Backend:
    """Read one small page upstream and record what happened (run by the ``portal.check_backend`` task)."""
    try:
        ok, message = True, _probe(backend)
    except ValueError as exc:  # get_connector names missing fields, never their values
        ok, message = False, f"Settings incomplete: {exc}"
    except UpstreamError as exc:
        ok, message = False, _describe_failure(exc)
    except Exception as exc:  # a bad URL or a bug: say what kind of failure, keep details in the log
        log.warning("Connection check of backend %s raised", backend.pk, exc_info=True)
        ok, message = False, f"Check failed: {type(exc).__name__}"
    message = _without_secrets(backend, message)[:CHECK_MESSAGE_MAX]
    Backend.objects.filter(pk=backend.pk).update(checked_at=timezone.now(), check_ok=ok, check_message=message)
    backend.refresh_from_db()
    return backend


def _clean_credentials(kind: str, credentials: dict[str, Any]) -> dict[str, Any]:
    """Keep only the fields the kind uses, so no stray value lingers in the encrypted blob."""
    names = {name for name, _label, _secret in CREDENTIAL_FIELDS[kind]}
    return {k: v for k, v in credentials.items() if k in names}


def _probe(backend: Backend) -> str:
    options: dict[str, Any] = {"timeout": 10.0, "max_attempts": 2}
    with backend.connector(**options) as connector:
        kind = backend.kind
        if kind in (Backend.Kind.BEENERGISED, Backend.Kind.GREENFLUX):
            what, pages = "stations", connector.list_stations()
        elif kind == Backend.Kind.MODELS:
            what, pages = "models", connector.list_models()
        else:
            what, pages = "locations", connector.list_locations()
        count, complete = _count(pages)
        message = f"Connected: {count if complete else f'at least {count}'} {what} visible"
        _suggest_identities(backend, connector)
        if kind == Backend.Kind.GREENFLUX:
            message += _check_optional(connector, "templates", "hardware templates", connector.list_templates)
            message += _check_optional(connector, "locations", "locations", connector.list_locations)
    return message


def _suggest_identities(backend: Backend, connector: Any) -> None:
    """Note which company the token's records name (first page only), for the Companies page."""
    from portal.identities import suggestions_record

    if backend.kind == Backend.Kind.BEENERGISED:
        first = next(iter(connector.list_stations()), None)
        suggestions_record(backend, [s.company_uuid for s in (first.items if first else ())])
    elif backend.kind == Backend.Kind.CHARGEYE:
        first = next(iter(connector.list_locations()), None)
        suggestions_record(backend, [loc.tenant_id_cpo for loc in (first.items if first else ())])


def _check_optional(connector: Any, name: str, what: str, listing: Any) -> str:
    """A path no document gives (a backend setting): a warning when it does not answer, never a failure.

    The check passes or fails on the documented calls alone (issue 24): the portal does without
    these (locations are known from the stations, a template is chosen by id).
    """
    url = f"{connector.http.base_url}{connector.paths[name]}"
    try:
        found, complete = _count(listing())
    except (NotFound, Forbidden) as exc:
        return f"; optional: not found at {url} ({what}: HTTP {exc.status})"
    except UpstreamError as exc:
        return f"; optional: {what} at {url} did not answer ({type(exc).__name__})"
    return f"; {found if complete else f'at least {found}'} {what} at {url}"


def _count(pages: Any) -> tuple[int, bool]:
    """How many records the listing holds: the upstream's total when it gives one, else counted.

    Counting stops past ``CHECK_COUNT_MAX`` (a check must stay quick); ``False`` then says the
    figure is a lower bound.
    """
    seen = 0
    for page in pages:
        if page.total is not None:
            return page.total, True
        seen += len(page.items)
        if seen >= CHECK_COUNT_MAX and page.next is not None:
            return seen, False
    return seen, True


def _describe_failure(exc: UpstreamError) -> str:
    if isinstance(exc, AuthFailed):
        return f"Authentication failed, check the credentials: {exc.message}"
    if isinstance(exc, Forbidden):
        return f"Access refused, the credentials lack a permission: {exc.message}"
    if isinstance(exc, NotFound):
        return f"Not found, check the base URL: {exc.message}"
    if isinstance(exc, RateLimited):
        return f"Rate limited, try again in a minute: {exc.message}"
    if isinstance(exc, Unavailable):
        return f"Upstream unreachable or failing: {exc.message}"
    return f"Upstream refused the request: {exc.message}"


def _without_secrets(backend: Backend, message: str) -> str:
    """The connectors scrub their messages already; this is the second lock on the door."""
    for name, _label, secret in CREDENTIAL_FIELDS.get(backend.kind, []):
        value = str(backend.credentials.get(name) or "")
        if secret and value:
            message = message.replace(value, "***")
    return message


def user_set_preferences(*, user: User, language: str, time_zone: str) -> User:
    """Remember the language and time zone ``user`` chose on their page ("" for the browser's / the portal's).

    Not audited: it changes how the portal speaks to this person only, nothing of a company."""
    user.language = language
    user.time_zone = time_zone
    user.save(update_fields=["language", "time_zone"])
    return user
