"""Subscriptions, grouped e-mail, webhook signing and URL checks, without a worker (issue 28)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail as outbox
from django.urls import reverse
from django.utils import timezone

from alerts import mail
from alerts.evaluation import alerts_evaluate
from alerts.models import Alert, AlertMail, Channel, Kind, MailItem, Subscription, Webhook, WebhookDelivery
from alerts.webhooks import sign
from portal.models import Company, User
from stations.models import Connectivity
from tests.conftest import client_for
from tests.factories import StationFactory

pytestmark = pytest.mark.django_db


def test_signature_matches_the_standard_webhooks_example() -> None:
    """The specification's own example (standard-webhooks, libraries' test vectors)."""
    assert sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                b'{"test": 2432232314}') == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def open_offline(company: Company, n: int = 1) -> list[Alert]:
    StationFactory.create_batch(n, company=company, connectivity=Connectivity.OFFLINE)
    alerts_evaluate(timezone.now() - timedelta(seconds=400))
    alerts_evaluate()
    return list(Alert.objects.all())


def test_subscription_page_saves_a_choice_per_kind_and_company(viewer: User) -> None:
    client = client_for(viewer)
    page = client.get(reverse("alerts:subscriptions"))
    assert page.status_code == 200
    company = viewer.companies.get()
    field = f"c{company.pk}-{Kind.STATION_OFFLINE}"
    data = {f"c{company.pk}-{kind}": Channel.IN_APP for kind in Kind.values} | {field: Channel.EMAIL}
    assert client.post(reverse("alerts:subscriptions"), data).status_code == 302
    assert Subscription.objects.get(user=viewer).channel == Channel.EMAIL
    assert 'value="email" selected' in client.get(reverse("alerts:subscriptions")).content.decode()


def test_news_is_grouped_into_one_message_per_user_in_text_and_html(settings, viewer: User, company_a: Company):  # type: ignore[no-untyped-def]
    settings.ALERTS_MAIL_TO_MAILBOX = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Subscription.objects.create(user=viewer, company=company_a, kind=Kind.STATION_OFFLINE, channel=Channel.EMAIL)
    open_offline(company_a, 3)
    assert MailItem.objects.filter(user=viewer).count() == 3
    assert mail.mail_compose() == []  # not yet: the group waits a few minutes for more news
    made = mail.mail_compose(timezone.now() + timedelta(seconds=mail.group_seconds() + 1))
    assert len(made) == 1
    assert mail.mail_send(made[0]) == "sent"
    [message] = outbox.outbox
    assert "3 alerts changed" in message.subject and message.alternatives[0].mimetype == "text/html"
    assert message.body.count(" is offline") == 3


def test_a_user_of_another_company_gets_nothing(other_company_user: User, company_a: Company) -> None:
    Subscription.objects.create(user=other_company_user, company=company_a, kind=Kind.STATION_OFFLINE,
                                channel=Channel.EMAIL)  # a subscription left from an old membership
    open_offline(company_a)
    assert not MailItem.objects.exists()


def test_switched_off_kinds_leave_the_bell(viewer: User, company_a: Company) -> None:
    open_offline(company_a)
    client = client_for(viewer)
    assert 'aria-hidden="true">1<' in client.get(reverse("alerts:bell")).content.decode()
    Subscription.objects.create(user=viewer, company=company_a, kind=Kind.STATION_OFFLINE, channel=Channel.OFF)
    assert 'aria-hidden="true">0<' in client.get(reverse("alerts:bell")).content.decode()


def test_unreachable_smtp_server_keeps_the_mail_waiting_with_a_clear_reason(settings, viewer: User,  # type: ignore[no-untyped-def]
                                                                            company_a: Company) -> None:
    from simulator.ports import free_port

    settings.ALERTS_MAIL_TO_MAILBOX = False
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # pytest-django's is in memory
    Subscription.objects.create(user=viewer, company=company_a, kind=Kind.STATION_OFFLINE, channel=Channel.EMAIL)
    open_offline(company_a)
    [made] = mail.mail_compose(timezone.now() + timedelta(hours=1))
    assert mail.mail_send(made) == "retry"
    row = AlertMail.objects.get()
    assert row.state == "queued" and row.attempts == 1 and row.not_before is not None
    assert "EMAIL_HOST" in row.last_error and "cannot be reached" in row.last_error
    page = client_for(viewer).get(reverse("alerts:mailbox")).content.decode()
    assert "Waiting to be sent" in page and "EMAIL_HOST" in page


def test_the_demo_keeps_mail_in_its_mailbox(settings, viewer: User, company_a: Company) -> None:  # type: ignore[no-untyped-def]
    settings.ALERTS_MAIL_TO_MAILBOX = True
    Subscription.objects.create(user=viewer, company=company_a, kind=Kind.STATION_OFFLINE, channel=Channel.DIGEST)
    open_offline(company_a)
    assert mail.mail_compose(timezone.now() + timedelta(minutes=10)) == []  # a digest waits a day
    [made] = mail.mail_compose(timezone.now() + timedelta(days=1, seconds=1))
    assert mail.mail_send(made) == "sent"
    page = client_for(viewer).get(reverse("alerts:mailbox")).content.decode()
    assert "Demo mailbox" in page and "Daily alert digest" in page


@pytest.mark.parametrize(("url", "debug", "ok"), [
    ("https://hooks.example.org/alerts", False, True),
    ("http://hooks.example.org/alerts", False, False),
    ("http://localhost:9000/alerts", False, False),
    ("http://localhost:9000/alerts", True, True),
    ("http://hooks.example.org/alerts", True, False),
])
def test_webhook_urls_are_https_except_localhost_in_debug(settings, admin_user: User, company_a: Company,  # type: ignore[no-untyped-def]
                                                          url: str, debug: bool, ok: bool) -> None:
    settings.DEBUG = debug
    answer = client_for(admin_user).post(reverse("alerts:webhooks", args=[company_a.pk]), {"url": url})
    assert Webhook.objects.filter(url=url).exists() == ok
    if ok:
        assert "whsec_" in answer.content.decode()  # the secret, shown once
    else:
        assert answer.status_code == 400 and "must start with https://" in answer.content.decode()


def test_each_company_webhook_gets_a_delivery_and_others_see_none(admin_user: User, other_company_user: User,
                                                                  company_a: Company) -> None:
    hook = Webhook.objects.create(company=company_a, url="https://hooks.example.org/a", encrypted_secret="")
    open_offline(company_a)
    delivery = WebhookDelivery.objects.get()
    assert delivery.webhook == hook and delivery.event == "alert.opened" and delivery.message_id.startswith("msg_")
    assert client_for(other_company_user).get(reverse("alerts:webhook", args=[company_a.pk, hook.pk])).status_code in (
        403, 404)
    page = client_for(admin_user).get(reverse("alerts:webhook", args=[company_a.pk, hook.pk])).content.decode()
    assert "alert.opened" in page
