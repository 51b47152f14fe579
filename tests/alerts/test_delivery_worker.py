"""Alerts delivered for real (issue 28): a station goes offline in the simulator; after the threshold one alert
opens, one e-mail reaches a real SMTP server (aiosmtpd) in plain text and HTML, and a signed webhook reaches a
real HTTP receiver that checks the signature; the station comes back and the alert resolves. Then the fault:
the SMTP server and the receiver are down, the deliveries wait and are retried, and each arrives exactly once.

The worker has a private Redis broker (``tests.faults``), so its SMTP settings are its own."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import reverse

from alerts.models import Alert, AlertMail, AlertSettings, Channel, DeliveryState, Kind, Subscription, Webhook, \
    WebhookDelivery
from alerts.webhooks import set_secret, new_secret
from portal.models import Backend, User
from simulator.ports import free_port
from simulator.testing import SimulatorHandle
from stations.models import Connectivity, Station
from sync.engine import refresh_run
from tests.alerts.receivers import SmtpServer, WebhookReceiver
from tests.conftest import client_for
from tests.faults.conftest import PrivateRedis, private_broker  # noqa: F401  (the worker's own broker)
from tests.worker import running_worker, wait_for

pytestmark = [pytest.mark.worker]

DOWN_FOR = 120  # seconds the SMTP server and the receiver are down in the fault test, as the issue says


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    yield server
    server.stop()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    hook = WebhookReceiver(free_port())
    yield hook
    hook.stop()


@pytest.fixture
def worker(transactional_db: None, private_broker: PrivateRedis, smtp: SmtpServer,  # noqa: F811
           tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp.port), "EMAIL_TIMEOUT": "3",
           "ALERTS_MAIL_TO_MAILBOX": "0", "ALERTS_MAIL_GROUP_SECONDS": "1", "OUTBOX_BACKOFF_SECONDS": "0.5",
           "OUTBOX_BACKOFF_MAX_SECONDS": "2", "ALERTS_DELIVERY_MAX_ATTEMPTS": "100"}
    with running_worker(tmp_path / "worker.log", concurrency=2, env=env, broker_url=private_broker.url) as proc:
        yield proc


def refresh(backend: Backend) -> None:
    assert refresh_run(backend, "stations", full=True).status == "done"


def quiet_estate(simulator: SimulatorHandle, backend: Backend) -> Station:
    """Every station online (the seed has offline ones), the mirror refreshed; returns one station."""
    refresh(backend)
    for upstream_id in Station.objects.filter(backend=backend, connectivity=Connectivity.OFFLINE).values_list(
            "upstream_id", flat=True):
        simulator.set_connectivity(upstream_id, "Online")
    refresh(backend)
    assert not Station.objects.offline().exists()
    return Station.objects.filter(backend=backend).order_by("pk").first()


def subscribe(user: User, backend: Backend, receiver: WebhookReceiver) -> None:
    AlertSettings.objects.create(company=backend.company, offline_after=2, hold_down=0)
    Subscription.objects.create(user=user, company=backend.company, kind=Kind.STATION_OFFLINE, channel=Channel.EMAIL)
    receiver.secret = new_secret()
    hook = Webhook(company=backend.company, url=receiver.url)
    set_secret(hook, receiver.secret)
    hook.save()


def test_offline_station_one_alert_one_email_one_signed_webhook_then_resolved(
        simulator: SimulatorHandle, gf_backend: Backend, operator: User, smtp: SmtpServer,
        receiver: WebhookReceiver, worker: subprocess.Popen[bytes]) -> None:
    smtp.start()
    receiver.start()
    station = quiet_estate(simulator, gf_backend)
    subscribe(operator, gf_backend, receiver)
    simulator.set_connectivity(station.upstream_id, "Offline")
    refresh(gf_backend)

    wait_for(lambda: Alert.objects.filter(kind=Kind.STATION_OFFLINE, subject_key=str(station.pk)).exists(), 30)
    wait_for(lambda: smtp.messages and receiver.received, 30)
    time.sleep(2)  # nothing more comes
    assert len(smtp.messages) == 1 and len(receiver.received) == 1 and receiver.refused == 0
    message = smtp.messages[0]
    assert message["To"] == operator.email and station.label in message["Subject"]
    parts = {part.get_content_type(): part.get_payload(decode=True).decode() for part in message.walk()
             if not part.is_multipart()}
    assert set(parts) == {"text/plain", "text/html"}
    assert f"{station.label} is offline" in parts["text/plain"] and "<a href=" in parts["text/html"]
    opened = receiver.received[0]["body"]
    assert opened["type"] == "alert.opened" and opened["data"]["subject"]["label"] == station.label

    hook = Webhook.objects.get()
    page = client_for(User.objects.get(username="operator")).get(
        reverse("alerts:mailbox")).content.decode()
    assert "Delivered" in page

    simulator.set_connectivity(station.upstream_id, "Online")
    refresh(gf_backend)
    wait_for(lambda: Alert.objects.filter(subject_key=str(station.pk), resolved_at__isnull=False).exists(), 30)
    wait_for(lambda: len(receiver.received) == 2 and len(smtp.messages) == 2, 30)
    assert receiver.received[1]["body"]["type"] == "alert.resolved"
    assert "Resolved" in smtp.messages[1]["Subject"]
    assert set(WebhookDelivery.objects.filter(webhook=hook).values_list("state", "response_status")) == {
        (DeliveryState.SENT, 204)}


@pytest.mark.faults
def test_smtp_server_and_receiver_down_every_delivery_arrives_once_afterwards(
        simulator: SimulatorHandle, gf_backend: Backend, admin_user: User, smtp: SmtpServer,
        receiver: WebhookReceiver, worker: subprocess.Popen[bytes]) -> None:
    station = quiet_estate(simulator, gf_backend)
    subscribe(admin_user, gf_backend, receiver)
    simulator.set_connectivity(station.upstream_id, "Offline")
    refresh(gf_backend)
    wait_for(lambda: AlertMail.objects.exists() and WebhookDelivery.objects.exists(), 30)
    went_down = time.monotonic()
    wait_for(lambda: AlertMail.objects.filter(attempts__gte=2).exists()
             and WebhookDelivery.objects.filter(attempts__gte=2).exists(), 30)
    admin = client_for(admin_user)
    mailbox = admin.get(reverse("alerts:mailbox")).content.decode()
    assert "Waiting to be sent" in mailbox and "EMAIL_HOST" in mailbox  # the page says what is wrong
    hook = Webhook.objects.get()
    deliveries = admin.get(reverse("alerts:webhook", args=[hook.company_id, hook.pk])).content.decode()
    assert "cannot be reached" in deliveries

    time.sleep(max(0.0, DOWN_FOR - (time.monotonic() - went_down)))
    smtp.start()
    receiver.start()
    wait_for(lambda: smtp.messages and receiver.received, 30)
    time.sleep(4)  # any duplicate would come now
    assert len(smtp.messages) == 1 and len(receiver.received) == 1
    assert AlertMail.objects.get().state == DeliveryState.SENT
    assert WebhookDelivery.objects.get().state == DeliveryState.SENT
