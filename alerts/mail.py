"""Alert e-mail: news of alerts grouped into one message per user every few minutes (or once a day for a
digest), written in the user's language and time zone, in plain text and HTML, and sent through
Django's mail API (SMTP settings from the environment) as a durable delivery (``alerts.durable``).

In the demo (``ALERTS_MAIL_TO_MAILBOX``) nothing is sent: the message stays in the Demo mailbox page.
"""

from __future__ import annotations

import smtplib
from datetime import timedelta
from itertools import groupby
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from alerts import durable
from alerts.models import AlertMail, MailItem
from portal.models import User

SEND_TASK = "alerts.send_mail"


def group_seconds() -> float:
    return float(getattr(settings, "ALERTS_MAIL_GROUP_SECONDS", 120))


def digest_seconds() -> float:
    return float(getattr(settings, "ALERTS_DIGEST_SECONDS", 24 * 3600))


def _compose(user: User, items: list[MailItem], digest: bool) -> AlertMail:
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(user.time_zone or settings.TIME_ZONE):
        opened = [i for i in items if i.event == MailItem.Event.OPENED]
        if digest:
            subject = gettext("Daily alert digest: %(n)s new") % {"n": len(opened)}
        elif len(items) == 1:
            subject = (gettext("Alert: %(headline)s") if opened else gettext("Resolved: %(headline)s")) % {
                "headline": items[0].alert.headline}
        else:
            subject = ngettext("%(n)s alert changed", "%(n)s alerts changed", len(items)) % {"n": len(items)}
        context = {"user": user, "items": items, "digest": digest, "site": settings.ALERTS_SITE_URL.rstrip("/")}
        text = render_to_string("alerts/mail.txt", context)
        html = render_to_string("alerts/mail.html", context)
    return AlertMail(user=user, to=user.email, subject=f"[{gettext('Charging portal')}] {subject}"[:200],
                     body_text=text, body_html=html, digest=digest)


def mail_compose(now: Any = None) -> list[int]:
    """Group each user's waiting news into one message once the oldest has waited long enough."""
    now = now or timezone.now()
    made: list[int] = []
    with transaction.atomic():
        waiting = list(MailItem.objects.select_for_update(skip_locked=True, of=("self",)).filter(mail__isnull=True).select_related(
            "alert", "alert__company", "user").order_by("user_id", "digest", "created_at"))
        for (user_id, digest), group in groupby(waiting, key=lambda i: (i.user_id, i.digest)):
            items = list(group)
            wait = digest_seconds() if digest else group_seconds()
            if items[0].created_at > now - timedelta(seconds=wait):
                continue
            user = items[0].user
            if not user.email or not user.is_active:
                MailItem.objects.filter(pk__in=[i.pk for i in items]).delete()
                continue
            mail = _compose(user, items, digest)
            mail.save()
            MailItem.objects.filter(pk__in=[i.pk for i in items]).update(mail=mail)
            made.append(mail.pk)
        durable.hand_over(AlertMail, made, SEND_TASK)
    return made


def _describe(exc: Exception) -> str:
    where = f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
    if isinstance(exc, (ConnectionError, OSError)) and not isinstance(exc, smtplib.SMTPException):
        return gettext("The SMTP server %(where)s (EMAIL_HOST, EMAIL_PORT) cannot be reached: %(error)s") % {
            "where": where, "error": exc}
    return gettext("The SMTP server %(where)s refused the message: %(error)s") % {"where": where, "error": exc}


def _send(mail: AlertMail) -> dict[str, Any]:
    if settings.ALERTS_MAIL_TO_MAILBOX:
        return {}  # the demo: the message stays in the Demo mailbox page
    message = EmailMultiAlternatives(mail.subject, mail.body_text, settings.DEFAULT_FROM_EMAIL, [mail.to],
                                     headers={"Message-ID": f"<alert-mail-{mail.pk}@{settings.ALERTS_MAIL_DOMAIN}>"})
    message.attach_alternative(mail.body_html, "text/html")
    try:
        with get_connection(timeout=float(settings.EMAIL_TIMEOUT or 10)) as connection:
            connection.send_messages([message])
    except Exception as exc:
        raise RuntimeError(_describe(exc)) from exc
    return {}


def mail_send(mail_id: int) -> str:
    return durable.deliver(AlertMail, mail_id, SEND_TASK, _send)
