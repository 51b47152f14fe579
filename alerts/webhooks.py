"""Webhooks: each alert event POSTed as JSON to a company's registered URLs, signed as the Standard
Webhooks specification says, and retried as a durable delivery (``alerts.durable``).

Signing (https://www.standardwebhooks.com/, "Signature scheme"): the secret is ``whsec_`` followed by
base64 of 24 random bytes; the signed content is ``{webhook-id}.{webhook-timestamp}.{body}``; the
``webhook-signature`` header is ``v1,`` followed by base64 of its HMAC-SHA256 under the secret's bytes.
A retry sends the same ``webhook-id`` (the receiver's key to ignore a repeat) with a new timestamp.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from alerts import durable
from alerts.models import Alert, Webhook, WebhookDelivery
from portal.crypto import decrypt_json, encrypt_json

SEND_TASK = "alerts.send_webhook"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def secret_of(webhook: Webhook) -> str:
    return decrypt_json(webhook.encrypted_secret)["secret"]


def set_secret(webhook: Webhook, secret: str) -> None:
    webhook.encrypted_secret = encrypt_json({"secret": secret})


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    content = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()


def check_url(url: str) -> None:
    """https only; plain http to this machine only while DEBUG is on (the demo, the tests)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and settings.DEBUG and parts.hostname in LOCAL_HOSTS:
        return
    raise ValidationError(_("The webhook URL must start with https:// (plain http only to localhost in the demo)."))


def payload(alert: Alert, event: str) -> dict[str, Any]:
    """What the receiver gets: the Standard Webhooks envelope (type, timestamp, data)."""
    return {
        "type": f"alert.{event}",
        "timestamp": (alert.resolved_at if event == "resolved" and alert.resolved_at else alert.opened_at).isoformat(),
        "data": {
            "id": alert.pk, "kind": alert.kind, "severity": alert.severity, "company": alert.company.name
            if alert.company else None, "subject": {"type": alert.subject_type, "key": alert.subject_key,
                                                     "label": alert.subject_label},
            "detail": alert.detail, "url": settings.ALERTS_SITE_URL.rstrip("/") + alert.link if alert.link else "",
            "opened_at": alert.opened_at.isoformat(),
            "resolved_at": alert.resolved_at.isoformat() if alert.resolved_at else None,
        },
    }


def deliveries_create(alerts: list[Alert], event: str) -> list[int]:
    """One delivery per active webhook of each alert's company (in the caller's transaction)."""
    hooks: dict[int, list[Webhook]] = {}
    for hook in Webhook.objects.filter(is_active=True, company_id__in={a.company_id for a in alerts}):
        hooks.setdefault(hook.company_id, []).append(hook)
    rows = [WebhookDelivery(webhook=hook, alert=alert, event=f"alert.{event}", payload=payload(alert, event),
                            message_id=f"msg_{uuid.uuid4().hex}")
            for alert in alerts for hook in hooks.get(alert.company_id, [])]
    made = WebhookDelivery.objects.bulk_create(rows)
    ids = [d.pk for d in made]
    durable.hand_over(WebhookDelivery, ids, SEND_TASK)
    return ids


class _Failed(Exception):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.stored = {"response_status": status}


class _Refused(durable.Refused):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.stored = {"response_status": status}


def _send(delivery: WebhookDelivery) -> dict[str, Any]:
    hook = delivery.webhook
    if not hook.is_active:
        raise durable.Refused(_("The webhook was switched off."))
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = int(time.time())
    headers = {"content-type": "application/json", "webhook-id": delivery.message_id,
               "webhook-timestamp": str(timestamp),
               "webhook-signature": sign(secret_of(hook), delivery.message_id, timestamp, body)}
    try:
        answer = httpx.post(hook.url, content=body, headers=headers, timeout=10.0, follow_redirects=False)
    except httpx.HTTPError as exc:
        raise _Failed(_("The receiver cannot be reached: %(error)s") % {"error": exc or type(exc).__name__}) from exc
    if 200 <= answer.status_code < 300:
        return {"response_status": answer.status_code}
    message = _("The receiver answered %(status)s.") % {"status": answer.status_code}
    if 400 <= answer.status_code < 500 and answer.status_code not in (408, 409, 425, 429):
        raise _Refused(message, answer.status_code)
    raise _Failed(message, answer.status_code)


def webhook_send(delivery_id: int) -> str:
    return durable.deliver(WebhookDelivery, delivery_id, SEND_TASK, _send)
