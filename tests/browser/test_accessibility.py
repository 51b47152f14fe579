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


@pytest.fixture
def job_pages(company_a: Company, operator: object) -> dict[str, str]:
    """A batch (sent), an import report with a problem, and a station in conflict, all of company A."""
    from portal.models import Operation
    from stations import merge
    from stations.bulk.models import Batch, BatchItem
    from stations.csv_import.models import ImportJob, ImportRow

    station = StationFactory(company=company_a, label="Depot bay 07", sync_state="conflict", etag="v2",
                             upstream_data={"name": "Depot bay 07 (theirs)"})
    Operation.objects.create(kind="station.put", backend=station.backend, company=company_a, target_type="station",
                             target_id=station.pk, target_label=station.label, status=Operation.Status.CONFLICT,
                             base_etag="v1", payload={"shown": merge.canonical({"name": "Depot bay 07"}),
                                                          "changes": {"name": "Mine"}},
                             upstream_current={"name": "Depot bay 07 (theirs)"}, created_by=operator)
    batch = Batch.objects.create(kind=Batch.Kind.CHANGE, status=Batch.Status.FINISHED, created_by=operator,
                                 confirmed_by=operator, summary="Change default tariff")
    batch.companies.add(company_a)
    done = Operation.objects.create(kind="station.put", backend=station.backend, company=company_a,
                                    target_type="station", target_id=station.pk, status=Operation.Status.DONE)
    BatchItem.objects.create(batch=batch, station=station, company=company_a, outcome=BatchItem.Outcome.CHANGE,
                             label=station.label, identity=station.charge_box_identity, operation=done,
                             diff=[["Default tariff", "T-OLD", "T-NEW"]])
    job = ImportJob.objects.create(created_by=operator, file_name="fleet.csv", status=ImportJob.Status.INVALID,
                                   total_rows=2, valid_rows=1)
    ImportRow.objects.create(job=job, number=2, company=company_a, raw={"charge_box_identity": "NEW-1"})
    ImportRow.objects.create(job=job, number=3, company=company_a, raw={"charge_box_identity": "NEW-2"},
                             problems=[["deploy_state", "Choose one of Stock, Production."]])
    return {
        "conflict": reverse("stations:conflict", args=[station.pk]),
        "batch": reverse("stations:batch_detail", args=[batch.pk]),
        "import report": reverse("stations:import_detail", args=[job.pk]),
        "imports": reverse("stations:import_list"),
        "network": reverse("locations:network"),
    }


def test_job_conflict_and_error_pages_have_no_axe_violation_of_any_impact(
    page: Page, live_server: object, operator: object, viewer: object, job_pages: dict[str, str]
) -> None:
    """Conflict, batch, import report (and the lists where ``landmark-unique`` was seen), 404 and 403:
    no violation of any impact, best practices included."""
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, operator.username, PASSWORD)  # type: ignore[attr-defined]
    failures = []
    pages = {**job_pages, "404": "/stations/999999/"}
    for name, url in pages.items():
        response = page.goto(f"{base}{url}")
        assert response is not None and response.status == (404 if name == "404" else 200), (name, url)
        page.wait_for_load_state("networkidle")
        found = violations(page, every_impact=True)
        if found:
            failures.append(f"{name} {url}:\n{report(found)}")
    page.context.clear_cookies()
    sign_in(page, base, viewer.username, PASSWORD)  # type: ignore[attr-defined]
    response = page.goto(f"{base}{reverse('stations:create')}")  # needs the operator role
    assert response is not None and response.status == 403
    found = violations(page, every_impact=True)
    if found:
        failures.append(f"403:\n{report(found)}")
    assert not failures, "\n".join(failures)
