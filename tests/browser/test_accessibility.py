"""Every main page, as each role, at 1280 and 390 px: no serious or critical axe-core violation,
and nothing wider than the window (wide tables scroll inside their own box, the page does not).

The pages are the ones the navigation offers the role (so a new page in the
navigation is checked without editing this test), plus one record's page of
each kind and the create forms the role may use.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from locations.models import NetworkStation
from portal.access import Role
from portal.context_processors import NAVIGATION
from portal.models import Company
from stations.models import Connectivity, Status
from tests.browser.axe import assert_accessible, report, violations
from tests.browser.conftest import sign_in
from tests.factories import (
    PASSWORD,
    LocationFactory,
    StationFactory,
    StationModelFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = {"viewer": Role.VIEWER, "operator": Role.OPERATOR, "admin": Role.ADMIN}
CREATE_PAGES = {Role.OPERATOR: ["stations:create", "locations:create"], Role.ADMIN: ["models_catalog:create"]}


@pytest.fixture
def records(company_a: Company) -> dict[str, str]:
    model = StationModelFactory(friendly_name="Eve Single Pro-line", connectors=[
        {"connectionType": "IEC_62196_T2", "format": "SOCKET", "maxAmperage": 32, "maxVoltage": 400,
         "maxPowerWatts": 22000}])
    depot = LocationFactory(company=company_a, name="Depot Noord", latitude="52.37", longitude="4.89",
                            address="Danzigerkade 1", city="Amsterdam")
    LocationFactory(company=company_a, name="Hub Zuid", latitude="51.92", longitude="4.47", city="Rotterdam")
    station = StationFactory(company=company_a, location=depot, model=model, status=Status.CHARGING,
                             connectivity=Connectivity.ONLINE, label="Depot bay 01")
    StationFactory(company=company_a, location=depot, status=Status.UNKNOWN, connectivity=Connectivity.OFFLINE)
    NetworkStation.objects.create(backend=depot.backend, company=company_a, location=depot, station_id="KP1",
                                  name="Depot K1", is_offline=True, seen_at="2026-01-01T00:00:00Z")
    return {
        "stations:detail": reverse("stations:detail", args=[station.pk]),
        "locations:detail": reverse("locations:detail", args=[depot.pk]),
        "models_catalog:detail": reverse("models_catalog:detail", args=[model.pk]),
    }


def pages_for(role: Role, records: dict[str, str]) -> list[str]:
    urls = [reverse(name) for _, name, need in NAVIGATION if role >= need]
    urls += list(records.values()) + [reverse("password_change")]
    for need, names in CREATE_PAGES.items():
        if role >= need:
            urls += [reverse(name) for name in names]
    return urls


@pytest.mark.parametrize("who", list(ROLES))
def test_every_main_page_has_no_serious_axe_violation(page: Page, live_server: object, company_a: Company,
                                                       records: dict[str, str], who: str) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    UserFactory(username=who, role=ROLES[who], companies=[company_a])
    page.goto(f"{base}{reverse('login')}")
    assert_accessible(page, where="sign-in page")
    sign_in(page, base, who, PASSWORD)
    checked, failures = [], []
    for url in pages_for(ROLES[who], records):
        response = page.goto(f"{base}{url}")
        assert response is not None and response.status == 200, url
        page.wait_for_load_state("networkidle")
        found = violations(page)
        if found:
            failures.append(f"{url}:\n{report(found)}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 1:
            failures.append(f"{url}: {overflow} px wider than the window")
        checked.append(url)
    assert not failures, "\n".join(failures)  # every page's findings at once
    assert len(checked) >= 10
