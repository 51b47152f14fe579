"""In a real browser: the station list fits its container, folds its rarer filters, and every page
writes power in kW and times on the 24-hour clock; quick-edit inputs show their whole value; a favicon."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from models_catalog.models import StationModel
from portal.access import Role
from portal.models import SyncRun
from sync.engine import refresh_run
from simulator.seed import COMPANIES as SIM_COMPANIES
from simulator.testing import SimulatorHandle
from stations.models import Station
from tests.browser.conftest import screenshot, sign_in
from tests.factories import PASSWORD, CompanyFactory, UserFactory
from tests.upstream import make_backend

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TWELVE_HOUR = re.compile(r"\b\d{1,2}(:\d\d)?\s?[ap]\.?m\.?(?!\w)", re.I)


@pytest.fixture
def estate(simulator: SimulatorHandle) -> str:
    """A company on two platforms (GreenFlux and be.ENERGISED) with the model catalogue; returns the operator."""
    company = CompanyFactory(name="Voltera Fleet", upstream_ref=SIM_COMPANIES[0]["uuid"])
    UserFactory(username="fleet", role=Role.OPERATOR, companies=[company])
    assert refresh_run(make_backend(simulator, "models", None, name="Models"), "models").status == SyncRun.Status.DONE
    greenflux = make_backend(simulator, "greenflux", company, name="GreenFlux Benelux")
    for entity in ("locations", "templates", "stations"):
        assert refresh_run(greenflux, entity).status == SyncRun.Status.DONE
    be = make_backend(simulator, "beenergised", company, name="be.ENERGISED DACH")
    assert refresh_run(be, "technicians").status == SyncRun.Status.DONE
    assert refresh_run(be, "stations").status == SyncRun.Status.DONE
    return "fleet"


def overflow(page: Page, selector: str) -> int:
    """How many pixels the element's content is wider than the element (0 when it fits)."""
    return int(page.locator(selector).first.evaluate("e => Math.max(0, e.scrollWidth - e.clientWidth)"))


def no_twelve_hour_clock(page: Page) -> None:
    text = page.locator("main").inner_text()
    assert not TWELVE_HOUR.search(text), TWELVE_HOUR.search(text)


def test_station_list_fits_and_folds_its_rarer_filters(page: Page, live_server: object, estate: str) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, estate, PASSWORD)
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert icon and page.request.get(f"{base}{icon}").ok
    page.goto(f"{base}{reverse('stations:list')}")
    expect(page.locator("#station-results tbody tr").first).to_be_visible()
    screenshot(page, "station-list")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert overflow(page, "#station-results .table-wrap") == 0, "the table is wider than its container"
    more = page.locator("details.more-filters")
    expect(more).not_to_have_attribute("open", "")
    expect(page.get_by_label("Deploy state")).to_be_hidden()
    expect(page.get_by_label("Status", exact=True)).to_be_visible()
    # At 1280 the first rows are in view under the filters (they took 440 px). At 390 the search,
    # filters and the bulk-action bar fill the first screen by design.
    first_row = page.locator("#station-results tbody tr").first.bounding_box()
    width, height = page.viewport_size["width"], page.viewport_size["height"]  # type: ignore[index]
    assert first_row and (width < 600 or first_row["y"] + first_row["height"] < height)
    no_twelve_hour_clock(page)

    # A folded filter in use opens the fold by itself (here from a link, no JavaScript needed).
    page.goto(f"{base}{reverse('stations:list')}?deploy_state=Stock")
    expect(page.locator("details.more-filters")).to_have_attribute("open", "")
    expect(page.get_by_label("Deploy state")).to_have_value("Stock")
    expect(page.locator("details.more-filters summary")).to_contain_text("1 in use")
    # Opening it by hand and choosing a value filters in place.
    page.goto(f"{base}{reverse('stations:list')}")
    page.locator("details.more-filters summary").click()
    page.get_by_label("Deploy state").select_option("Production")
    expect(page).to_have_url(re.compile(r"deploy_state=Production"))
    screenshot(page, "station-list-more-filters")


def test_quick_edit_inputs_show_their_values_and_power_is_in_kw(page: Page, live_server: object,
                                                                 estate: str) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, estate, PASSWORD)
    station = Station.objects.filter(backend__kind="greenflux", evses__connectors__max_electric_power__gt=0,
                                     default_tariff_id__gt="").distinct().first()
    assert station is not None
    page.goto(f"{base}{reverse('stations:detail', args=[station.pk])}")
    inputs = page.locator(".quick-edit input[type=text], .quick-edit select")
    expect(inputs.first).to_be_visible()
    screenshot(page, "station-detail")
    for i in range(inputs.count()):
        box = inputs.nth(i)
        assert box.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), box.evaluate("e => e.name + '=' + e.value")
    main = page.locator("main").inner_text()
    assert re.search(r"\d kW", main) and not re.search(r"\d W\b", main)
    no_twelve_hour_clock(page)

    model = StationModel.objects.filter(connectors__0__maxPowerWatts__gt=0).first()
    assert model is not None
    page.goto(f"{base}{reverse('models_catalog:detail', args=[model.pk])}")
    main = page.locator("main").inner_text()
    watts = model.connectors[0]["maxPowerWatts"]
    assert f"{watts / 1000:g} kW" in main and not re.search(r"\d W\b", main)
    screenshot(page, "model-detail")
    for name in ("operations:list", "sync:list", "dashboard"):
        page.goto(f"{base}{reverse(name)}")
        no_twelve_hour_clock(page)
