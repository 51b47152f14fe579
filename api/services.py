"""Writes of the API's own records: personal tokens (create, revoke, note their use)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from api.models import ApiToken
from portal.audit.services import audit_record
from portal.models import User

TOKEN_TAG = "cpt"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def split_token(token: str) -> tuple[str, str] | None:
    """``cpt_<prefix>_<secret>`` -> (prefix, whole token); None for anything else."""
    tag, _, rest = token.partition("_")
    prefix, _, secret = rest.partition("_")
    if tag != TOKEN_TAG or not prefix or not secret:
        return None
    return prefix, token


@transaction.atomic
def api_token_create(*, user: User, name: str, scope: str, expires_at: datetime | None) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the token itself, which is never stored or shown again."""
    prefix = secrets.token_hex(4)
    token = f"{TOKEN_TAG}_{prefix}_{secrets.token_urlsafe(30)}"
    row = ApiToken.objects.create(user=user, name=name, prefix=prefix, digest=token_digest(token), scope=scope,
                                  expires_at=expires_at)
    audit_record(actor=user, action="api_token.create", entity="api_token", entity_id=row.pk, entity_label=name,
                 after={"name": name, "scope": scope, "expires_at": expires_at.isoformat() if expires_at else None})
    return row, token


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken) -> None:
    if token.revoked_at:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=user, action="api_token.revoke", entity="api_token", entity_id=token.pk,
                 entity_label=token.name)


def api_token_mark_used(token: ApiToken) -> None:
    """Note the token's use at most once a minute (a script calling every second writes no row per call)."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
