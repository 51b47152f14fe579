"""Station write pages: roles, company scoping, and create/edit/conflict end to end with a real worker."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sync.mirror import SyncState
from portal.models import Backend, Company, Operation, User
from simulator.testing import SimulatorHandle
from stations.models import HardwareTemplate, Station
from tests.factories import BackendFactory, StationFactory
from tests.stations.test_forms import gf_post
from tests.worker import wait_for

WRITE_URLS = [
    ("stations:create", False), ("stations:edit", True), ("stations:quick", True),
    ("stations:quick_edit", True), ("stations:refresh", True), ("stations:conflict", True),
    ("stations:conflict_reapply", True), ("stations:conflict_discard", True),
]


def quick_data(client: Client, station: Station, field: str, value: Any) -> dict[str, Any]:
    """A quick edit's POST as the station's page renders it: the value and the version the form showed."""
    forms = client.get(reverse("stations:actions", args=[station.pk])).context["quick_forms"]
    form = next(f for f in forms if f.field_name == field)
    return {f"quick-{field}-value": value, f"quick-{field}-shown_token": form.initial["shown_token"]}


def url_for(name: str, station: Station) -> str:
    if name == "stations:create":
        return reverse(name)
    kwargs: dict[str, Any] = {"station_id": station.pk}
    if name == "stations:quick_edit":
        kwargs["field"] = "label"
    if name.startswith("stations:conflict_"):
        kwargs["op_id"] = 1
    return reverse(name, kwargs=kwargs)


@pytest.fixture
def station_a(company_a: Company) -> Station:
    backend = BackendFactory(name="GF A", kind="greenflux", company=company_a)
    return StationFactory(backend=backend, company=company_a, upstream_id="A-1", etag="e1")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "needs_station"), WRITE_URLS)
def test_viewer_gets_403_on_every_write_url(
    viewer_client: Client, station_a: Station, name: str, needs_station: bool
) -> None:
    url = url_for(name, station_a)
    assert viewer_client.get(url).status_code == 403
    assert viewer_client.post(url, {"value": "x"}).status_code == 403
    assert Operation.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "needs_station"), [u for u in WRITE_URLS if u[1]])
def test_operator_of_another_company_gets_404(
    client: Client, other_company_user: User, station_a: Station, name: str, needs_station: bool
) -> None:
    client.force_login(other_company_user)
    url = url_for(name, station_a)
    method = client.get if name in ("stations:edit", "stations:quick", "stations:conflict") else client.post
    assert method(url).status_code == 404
    station_a.refresh_from_db()
    assert station_a.label != "x" and Operation.objects.count() == 0


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client: Client, station_a: Station) -> None:
    response = client.get(reverse("stations:edit", args=[station_a.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_create_form_lists_only_the_users_backends(
    operator_client: Client, company_a: Company, company_b: Company
) -> None:
    BackendFactory(name="Mine", kind="greenflux", company=company_a)
    BackendFactory(name="Theirs", kind="greenflux", company=company_b)
    BackendFactory(name="Catalogue", kind="models", company=None)
    html = operator_client.get(reverse("stations:create")).content.decode()
    assert "Mine" in html and "Theirs" not in html and "Catalogue" not in html


@pytest.mark.django_db
def test_beenergised_station_offers_no_edit(operator_client: Client, company_a: Company) -> None:
    backend = BackendFactory(name="BE A", kind="beenergised", company=company_a)
    station = StationFactory(backend=backend, company=company_a, upstream_id="uuid-1")
    response = operator_client.get(reverse("stations:edit", args=[station.pk]))
    assert "has no way to change a station" in response.content.decode()
    assert "<form method=\"post\" class=\"stacked\"" not in response.content.decode()
    response = operator_client.post(reverse("stations:edit", args=[station.pk]), {"label": "New"})
    assert response.status_code == 409 and Operation.objects.count() == 0
    actions = operator_client.get(reverse("stations:actions", args=[station.pk])).content.decode()
    assert "has no way to change a station" in actions and "Quick edits" not in actions


@pytest.mark.django_db
def test_bad_quick_edit_is_refused_next_to_the_field(operator_client: Client, station_a: Station) -> None:
    url = reverse("stations:quick_edit", args=[station_a.pk, "deploy_state"])
    response = operator_client.post(url, quick_data(operator_client, station_a, "deploy_state", "Live"),
                                    HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and 'id="station-actions"' in html
    assert "Select a valid choice" in html and "HX-Trigger" not in response
    assert Operation.objects.count() == 0


@pytest.mark.django_db
def test_a_save_confirmed_before_its_page_is_drawn_hides_the_waiting_message(
    operator_client: Client, station_a: Station
) -> None:
    """A quick worker may confirm a save before the browser follows the redirect: the page is drawn settled.

    Its "will show as synced" message is then hidden at once (stations.css), as when a poll finds the
    station settled; nothing polls any more, so it would otherwise stay for good.
    """
    url = reverse("stations:quick_edit", args=[station_a.pk, "deploy_state"])
    response = operator_client.post(url, quick_data(operator_client, station_a, "deploy_state", "Production"))
    # The worker was quicker: the station is synced and its operation done.
    Station.objects.filter(pk=station_a.pk).update(sync_state=SyncState.SYNCED)
    Operation.objects.filter(target_id=station_a.pk).update(status=Operation.Status.DONE)
    page = operator_client.get(response["Location"]).content.decode()
    assert "until-synced" in page and "it will show as synced when the upstream confirms" in page
    assert '<div id="station-live" data-settled' in page and "every 2s" not in page
    Station.objects.filter(pk=station_a.pk).update(sync_state=SyncState.PENDING)
    assert '<div id="station-live" data-settled' not in operator_client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_quick_edit_through_htmx_swaps_the_actions_and_announces_the_write(
    operator_client: Client, station_a: Station
) -> None:
    url = reverse("stations:quick_edit", args=[station_a.pk, "deploy_state"])
    response = operator_client.post(url, quick_data(operator_client, station_a, "deploy_state", "Production"),
                                    HTTP_HX_REQUEST="true")
    assert response["HX-Trigger"] == "stationsChanged, operationsChanged"
    html = response.content.decode()
    assert "pending" in html and "every 2s" not in html  # the station page, told, polls until it settles
    op = Operation.objects.get()
    assert op.kind == "station.patch" and op.payload["changes"] == {"deploy_state": "Production"}
    assert op.payload["check"] == "fields"  # a quick edit conflicts only on its own field


@pytest.mark.django_db
def test_quick_edit_without_the_version_it_showed_is_refused(operator_client: Client, station_a: Station) -> None:
    url = reverse("stations:quick_edit", args=[station_a.pk, "deploy_state"])
    data = quick_data(operator_client, station_a, "deploy_state", "Production")
    data["quick-deploy_state-shown_token"] = data["quick-deploy_state-shown_token"][:-3] + "abc"
    html = operator_client.post(url, data, HTTP_HX_REQUEST="true").content.decode()
    assert "no longer knows which version" in html and Operation.objects.count() == 0


@pytest.mark.django_db
def test_full_edit_carries_the_version_it_showed(operator_client: Client, station_a: Station) -> None:
    url = reverse("stations:edit", args=[station_a.pk])
    form = operator_client.get(url).context["form"]
    assert form.shown.etag == "e1" and 'name="shown"' in operator_client.get(url).content.decode()
    response = operator_client.post(url, {"shown": form.initial["shown"], "label": "Renamed", "location": "",
                                          "default_tariff_id": "T", "deploy_state": "Stock"})
    assert "Choose a location, or type its location id." in response.content.decode()  # nothing sent
    assert Operation.objects.count() == 0


# --- end to end: the views, the outbox, a real worker and the simulator ------------------------

@pytest.fixture
def transactional(transactional_db: None, celery_worker_process: Any) -> None:
    """The worker is another process: it only sees committed rows."""


def settled(station: Station, timeout: float = 60) -> Station:
    wait_for(lambda: not Operation.objects.filter(target_id=station.pk, status__in=Operation.OPEN).exists(),
             timeout=timeout)
    station.refresh_from_db()
    return station


def created(response: Any) -> Station:
    assert response.status_code == 302, response.content.decode()[:2000]
    return Station.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def remote(backend: Backend, cbid: str) -> Any:
    with backend.connector() as connector:
        return connector.get_station(cbid)


@pytest.mark.worker
def test_create_with_manual_evses_end_to_end(
    transactional: None, operator_client: Client, gf_backend: Backend
) -> None:
    data = gf_post(gf_backend, **{
        "charge_box_identity": "VIEW-MANUAL-1", "evse-count": 2, "evse-1-conn-count": 2,
        "evse-1-conn-0-standard": "IEC_62196_T2_COMBO", "evse-1-conn-0-format": "CABLE", "evse-1-conn-0-power_type": "DC",
        "evse-1-conn-0-max_voltage": 500, "evse-1-conn-0-max_amperage": 125, "evse-1-conn-0-max_electric_power": "50",
        "evse-1-conn-1-standard": "CHADEMO", "evse-1-conn-1-format": "CABLE", "evse-1-conn-1-power_type": "DC",
        "evse-1-conn-1-max_voltage": 500, "evse-1-conn-1-max_amperage": 125,
    })
    response = operator_client.post(reverse("stations:create"), data)
    station = created(response)
    page = operator_client.get(response["Location"]).content.decode()
    assert f"Sent to {gf_backend.name}; it will show as synced when the upstream confirms." in page
    station = settled(station)
    assert station.sync_state == SyncState.SYNCED
    assert [[c.standard for c in e.connectors] for e in remote(gf_backend, "VIEW-MANUAL-1").evses] == [
        ["IEC_62196_T2"], ["IEC_62196_T2_COMBO", "CHADEMO"]]


@pytest.mark.worker
def test_create_from_template_with_directions_end_to_end(
    transactional: None, operator_client: Client, gf_backend: Backend
) -> None:
    template = HardwareTemplate.objects.filter(backend=gf_backend).first()
    data = gf_post(gf_backend, charge_box_identity="VIEW-TPL-1", evse_source="template", template=template.pk,
                   directions="Level -1, by the lifts", parking_restrictions="EV_ONLY")
    station = settled(created(operator_client.post(reverse("stations:create"), data)))
    assert station.sync_state == SyncState.SYNCED
    evses = remote(gf_backend, "VIEW-TPL-1").evses
    assert len(evses) == len(template.evse_templates)
    assert all(e.directions[0].text == "Level -1, by the lifts" and e.parking_restrictions == ("EV_ONLY",)
               for e in evses)


def _edit(client: Client, station: Station, **changes: Any) -> Any:
    url = reverse("stations:edit", args=[station.pk])
    form = client.get(url).context["form"]
    data = {"shown": form.initial["shown"], "label": form.initial["label"], "location": station.location_id,
            "default_tariff_id": station.default_tariff_id, "deploy_state": station.deploy_state,
            "charger_type": station.charger_type, **changes}
    return client.post(url, {k: v for k, v in data.items() if v is not None})


@pytest.mark.worker
def test_edit_then_stale_etag_conflict_then_reapply(
    transactional: None, simulator: SimulatorHandle, operator_client: Client, gf_backend: Backend
) -> None:
    station = settled(created(operator_client.post(reverse("stations:create"),
                                                   gf_post(gf_backend, charge_box_identity="VIEW-EDIT-1"))))
    # The first edit of a never-updated station (no etag upstream yet) goes through.
    assert _edit(operator_client, station, charger_type="Business").status_code == 302
    station = settled(station)
    assert station.sync_state == SyncState.SYNCED and station.etag
    assert remote(gf_backend, "VIEW-EDIT-1").charger_type == "Business"

    # Someone else edits it between our load and our save.
    url = reverse("stations:edit", args=[station.pk])
    seen = operator_client.get(url).context["form"].initial["shown"]
    simulator.touch_station("VIEW-EDIT-1", default_charge_station_tariff_id="TARIFF-SOMEONE-ELSE")
    operator_client.post(url, {"shown": seen, "label": "My new name", "location": station.location_id,
                               "default_tariff_id": station.default_tariff_id, "deploy_state": "Stock",
                               "charger_type": "Business"})
    station = settled(station)
    assert station.sync_state == SyncState.CONFLICT
    actions = operator_client.get(reverse("stations:actions", args=[station.pk])).content.decode()
    assert "Resolve the conflict" in actions
    assert operator_client.get(url)["Location"] == reverse("stations:conflict", args=[station.pk])

    page = operator_client.get(reverse("stations:conflict", args=[station.pk]))
    html = page.content.decode()
    assert "My new name" in html and "TARIFF-SOMEONE-ELSE" in html  # both versions, nothing lost
    rows = {r["label"]: r for r in page.context["rows"]}
    assert rows["Name"]["mine_changed"] and rows["Default tariff id"]["theirs_changed"]
    assert not any(r["path"].startswith("evses") for r in page.context["rows"])  # nobody touched the EVSEs
    op = page.context["op"]
    assert remote(gf_backend, "VIEW-EDIT-1").name == "Form depot"

    operator_client.post(reverse("stations:conflict_reapply", args=[station.pk, op.pk]))
    station = settled(station)
    assert station.sync_state == SyncState.SYNCED
    upstream = remote(gf_backend, "VIEW-EDIT-1")
    assert upstream.name == "My new name" and upstream.default_charge_station_tariff_id == "TARIFF-SOMEONE-ELSE"
    # Resolving twice does nothing more.
    again = operator_client.post(reverse("stations:conflict_reapply", args=[station.pk, op.pk]), follow=True)
    assert "already resolved" in again.content.decode()


@pytest.mark.worker
def test_conflict_discard_shows_the_upstream_version(
    transactional: None, simulator: SimulatorHandle, operator_client: Client, gf_backend: Backend
) -> None:
    station = settled(created(operator_client.post(reverse("stations:create"),
                                                   gf_post(gf_backend, charge_box_identity="VIEW-DISCARD-1"))))
    url = reverse("stations:edit", args=[station.pk])
    seen = operator_client.get(url).context["form"].initial["shown"]
    simulator.touch_station("VIEW-DISCARD-1", name="Renamed elsewhere")
    _edit(operator_client, station, shown=seen, label="Mine")
    station = settled(station)
    assert station.sync_state == SyncState.CONFLICT
    op = operator_client.get(reverse("stations:conflict", args=[station.pk])).context["op"]
    response = operator_client.post(reverse("stations:conflict_discard", args=[station.pk, op.pk]), follow=True)
    station.refresh_from_db()
    assert station.label == "Renamed elsewhere" and station.sync_state == SyncState.SYNCED
    assert "Your change was discarded" in response.content.decode()


@pytest.mark.worker
def test_quick_edit_and_refresh_end_to_end(
    transactional: None, simulator: SimulatorHandle, operator_client: Client, gf_backend: Backend
) -> None:
    station = settled(created(operator_client.post(reverse("stations:create"),
                                                   gf_post(gf_backend, charge_box_identity="VIEW-QUICK-1"))))
    url = reverse("stations:quick_edit", args=[station.pk, "label"])
    assert operator_client.post(url, quick_data(operator_client, station, "label", "Quick name")).status_code == 302
    station = settled(station)
    assert remote(gf_backend, "VIEW-QUICK-1").name == "Quick name" and station.label == "Quick name"
    simulator.touch_station("VIEW-QUICK-1", name="Changed upstream")
    operator_client.post(reverse("stations:refresh", args=[station.pk]))
    station = settled(station)
    assert station.label == "Changed upstream"
