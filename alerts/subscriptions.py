"""Per-user subscriptions: how a user hears of each kind of alert of each of their companies."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q

from alerts.models import Channel, Kind, Subscription
from portal.access import company_ids
from portal.models import Company


def subscription_companies(user: Any) -> list[Company]:
    """The companies whose alerts may reach the user: their own (a superuser: those they belong to)."""
    return list(Company.objects.filter(memberships__user=user).order_by("name"))


def subscriptions_of(user: Any) -> dict[tuple[int, str], str]:
    """``{(company id, kind): channel}`` for every company of the user and every kind (default: in the portal)."""
    chosen = {(s.company_id, s.kind): s.channel for s in Subscription.objects.filter(user=user)}
    return {(c.pk, kind): chosen.get((c.pk, kind), Channel.IN_APP)
            for c in subscription_companies(user) for kind in Kind.values}


@transaction.atomic
def subscriptions_save(user: Any, choices: dict[tuple[int, str], str]) -> int:
    """Store the user's choices for their own companies; returns how many changed."""
    mine = {c.pk for c in subscription_companies(user)}
    current = subscriptions_of(user)
    changed = 0
    for (company, kind), channel in choices.items():
        if company not in mine or kind not in Kind.values or channel not in Channel.values:
            continue
        if current.get((company, kind)) != channel:
            Subscription.objects.update_or_create(user=user, company_id=company, kind=kind,
                                                  defaults={"channel": channel})
            changed += 1
    return changed


def muted(user: Any) -> Q | None:
    """A condition matching the alerts the user switched off (the bell leaves them out), or None."""
    off = Subscription.objects.filter(user=user, channel=Channel.OFF)
    ids = company_ids(user)
    if ids is not None:
        off = off.filter(company_id__in=ids)
    condition = None
    for company, kind in off.values_list("company_id", "kind"):
        one = Q(company_id=company, kind=kind)
        condition = one if condition is None else condition | one
    return condition
