"""What happens when alerts open or resolve. The in-app bell needs nothing (it counts the rows); users
who chose e-mail or a digest get a ``MailItem`` each, and every active webhook of the company a
delivery, all in the evaluation's transaction, so nothing is lost between the two."""

from __future__ import annotations

from django.db import transaction

from alerts import mail, webhooks
from alerts.models import Alert, Channel, MailItem, Subscription
from portal.models import Membership
from portal.queue import enqueue

COMPOSE_TASK = "alerts.compose_mail"


def _mail_items(alerts: list[Alert], event: str) -> list[MailItem]:
    companies = {a.company_id for a in alerts if a.company_id}
    wanted = Subscription.objects.filter(company_id__in=companies, channel__in=[Channel.EMAIL, Channel.DIGEST])
    # Only members of the company: a subscription outlives no membership.
    members = set(Membership.objects.filter(company_id__in=companies).values_list("user_id", "company_id"))
    choice = {(s.company_id, s.kind): [] for s in wanted}
    for s in wanted:
        if (s.user_id, s.company_id) in members:
            choice[(s.company_id, s.kind)].append((s.user_id, s.channel == Channel.DIGEST))
    return [MailItem(user_id=user, alert=alert, event=event, digest=digest)
            for alert in alerts for user, digest in choice.get((alert.company_id, alert.kind), [])]


def alerts_changed(opened: list[int], resolved: list[int]) -> None:
    """Queue the deliveries of alerts just opened or resolved (in the caller's transaction)."""
    items: list[MailItem] = []
    for event, ids in ((MailItem.Event.OPENED, opened), (MailItem.Event.RESOLVED, resolved)):
        if not ids:
            continue
        alerts = list(Alert.objects.filter(pk__in=ids).select_related("company"))
        items += _mail_items(alerts, event)
        webhooks.deliveries_create(alerts, event)
    if items:
        MailItem.objects.bulk_create(items)
        wait = mail.group_seconds()
        transaction.on_commit(lambda: enqueue(COMPOSE_TASK, countdown=wait + 0.5))
