"""In a real browser, at 1280 and 390 px: the bell shows the unread count on every page, the Alerts page
lists the alert, acknowledging with a note shows who and when, and a subscription change is kept (issue 28).
The top bar stays under 130 px at 390 with the bell in it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from alerts.evaluation import alerts_evaluate
from alerts.models import Channel, Kind, Subscription
from portal.models import User
from stations.models import Connectivity
from tests.browser.axe import assert_accessible
from tests.browser.conftest import screenshot, sign_in
from tests.factories import PASSWORD, StationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bell_acknowledge_and_subscription(page: Page, live_server: Any, operator: User) -> None:
    base = live_server.url
    company = operator.companies.get()
    StationFactory(company=company, label="Depot 7", connectivity=Connectivity.OFFLINE)
    StationFactory(company=company, label="Harbour 2", connectivity=Connectivity.OFFLINE)
    alerts_evaluate(timezone.now() - timedelta(minutes=6))
    alerts_evaluate()

    sign_in(page, base, operator.username, PASSWORD)
    bell = page.locator("#alerts-bell")
    expect(bell).to_have_attribute("aria-label", "Alerts: 2 unread")
    header = page.locator("header.topbar").bounding_box()
    assert header and header["height"] < 130, header
    screenshot(page, f"alerts-bell-{page.viewport_size['width']}")

    bell.click()
    expect(page).to_have_url(f"{base}/alerts/")
    expect(page.locator("#alerts-bell")).to_have_attribute("aria-label", "Alerts: 0 unread")
    assert_accessible(page, where="alerts list")
    page.get_by_role("link", name="Depot 7 is offline").click()
    page.get_by_label("Note").fill("Technician on the way")
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("Alert acknowledged.")).to_be_visible()
    acknowledged = page.locator("dd", has_text=f"by {operator.username} at")
    expect(acknowledged).to_contain_text("Technician on the way")
    assert_accessible(page, where="alert")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    page.goto(f"{base}/account/")
    page.get_by_role("link", name="Which alerts reach you").click()
    choice = page.get_by_role("group", name=company.name).get_by_label("Station offline", exact=True)
    choice.select_option(Channel.EMAIL)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your alert choices are saved (1 changed).")).to_be_visible()
    expect(choice).to_have_value(Channel.EMAIL)
    assert_accessible(page, where="subscriptions")
    assert Subscription.objects.get(user=operator, kind=Kind.STATION_OFFLINE).channel == Channel.EMAIL
    screenshot(page, f"alerts-subscriptions-{page.viewport_size['width']}")
