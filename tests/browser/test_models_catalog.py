"""In a real browser: an admin archives a model, and the create-station picker no longer offers it."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import Page, expect

from portal.access import Role
from tests.browser.conftest import screenshot, sign_in
from tests.factories import PASSWORD, BackendFactory, CompanyFactory, StationModelFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _create_station_url() -> str | None:
    try:
        return reverse("stations:create")
    except NoReverseMatch:
        return None


@pytest.mark.skipif(_create_station_url() is None, reason="The create-station page (stations:create) does not exist yet.")
def test_archived_model_is_gone_from_the_create_station_picker(page: Page, live_server: object) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    company = CompanyFactory(name="Voltera Fleet")
    UserFactory(username="boss", role=Role.ADMIN, companies=[company])
    be = BackendFactory(name="be.ENERGISED Voltera", kind="beenergised", company=company,
                        credentials={"token_url": "http://127.0.0.1:9/t", "client_id": "x", "client_secret": "x"})
    models = BackendFactory(name="Models", kind="models", company=None)
    keep = StationModelFactory(backend=models, vendor="Alfen", model="Eve Single", friendly_name="Alfen Eve Single",
                               beenergised_model_id=101, upstream_id="m-101")
    gone = StationModelFactory(backend=models, vendor="ABB", model="Terra AC", friendly_name="ABB Terra AC",
                               beenergised_model_id=102, upstream_id="m-102")

    sign_in(page, base, "boss", PASSWORD)
    page.goto(f"{base}{reverse('models_catalog:list')}")
    page.get_by_role("link", name="ABB Terra AC").click()
    page.get_by_role("link", name="Archive…").click()
    expect(page.get_by_text("0 stations", exact=False)).to_be_visible()
    page.get_by_role("button", name="Archive the model").click()
    expect(page.get_by_text("is archived: it can no longer be picked for new stations")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "model-archived")

    page.goto(f"{base}{_create_station_url()}?backend={be.pk}")
    picker = page.get_by_label("Model")
    expect(picker).to_be_visible()
    options = picker.locator("option").all_inner_texts()
    assert any(str(keep) in o for o in options), options
    assert not any(str(gone) in o for o in options), options


def test_admin_adds_a_connector_in_place(page: Page, live_server: object) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    UserFactory(username="boss", role=Role.ADMIN, companies=[CompanyFactory(name="Voltera Fleet")])
    BackendFactory(name="Models", kind="models", company=None)
    sign_in(page, base, "boss", PASSWORD)
    page.goto(f"{base}{reverse('models_catalog:create')}")
    page.get_by_label("Vendor").fill("Kempower")
    page.get_by_role("button", name="Add a connector").click()
    expect(page.get_by_role("group", name="Connector 2")).to_be_visible()
    expect(page.get_by_label("Vendor")).to_have_value("Kempower")  # typed values stay
    screenshot(page, "model-create")
