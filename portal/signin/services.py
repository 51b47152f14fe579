"""Second factors as admins see them: who holds which, and resetting a person's factors (audited)."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied
from django.db import transaction

from portal.audit.services import audit_record
from portal.models import User
from portal.services import may_govern_account


def factors_of(user: User) -> list[str]:
    """The kinds of factor ``user`` holds, sorted ("recovery_codes", "totp", "webauthn")."""
    return sorted(set(Authenticator.objects.filter(user_id=user.pk).values_list("type", flat=True)))


@transaction.atomic
def user_factors_reset(*, user: User, actor: Any) -> int:
    """Remove every second factor of ``user`` (a lost phone or key): they enrol again at their next
    sign-in where their role requires it. Only for who governs the whole account, as a sign-in link
    (``portal.services.may_govern_account``, issue 23): a superuser, or an admin of every company the
    person belongs to. Returns how many authenticators were removed."""
    if not may_govern_account(actor, user):
        raise PermissionDenied("Only a platform administrator can reset this person's second factors.")
    before = factors_of(user)
    removed, _ = Authenticator.objects.filter(user_id=user.pk).delete()
    audit_record(actor=actor, action="user.factors_reset", entity="user", entity_id=user.pk,
                 entity_label=user.username, before={"factors": before}, after={"factors": []})
    return removed


def audit_factor_change(action: str) -> Any:
    """A receiver for allauth's ``authenticator_added``/``authenticator_removed``: a person's own change
    to their factors is in the audit trail as well."""

    def receiver(sender: object, request: Any = None, user: Any = None, authenticator: Any = None,
                 **kwargs: object) -> None:
        if user is None or authenticator is None:
            return
        audit_record(actor=user, action=action, entity="user", entity_id=user.pk, entity_label=user.username,
                     after={"factor": authenticator.type})

    return receiver
