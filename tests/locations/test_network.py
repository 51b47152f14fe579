"""The network dashboard: sampled from ChargEye (the simulator over HTTP), figures equal to what it answered."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from django.test import Client
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from locations.models import ChargingTransaction, HardwareError, Location, NetworkStation, PowerSample
from locations.sampling import network_sample, read_feeds
from locations.tasks import sample_network
from portal.models import Backend, Company, User
from portal.access import Role
from simulator.seed import COMPANIES as SIM_COMPANIES
from tests.conftest import client_for
from tests.factories import CompanyFactory, UserFactory
from tests.locations.conftest import mirror_chargeye_locations

pytestmark = pytest.mark.django_db


def _frozen_now(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=dt_timezone.utc)


def _power_by_company(backend: Backend) -> dict[int, float]:
    """What ChargEye says each company draws now, from its own answers (locations → tenant → company)."""
    companies = dict(Company.objects.exclude(upstream_ref=None).values_list("upstream_ref", "pk"))
    with backend.connector() as connector:
        tenant = {loc.id: loc.tenant_id_cpo for loc in connector.list_locations().items()}
        out: dict[int, float] = {}
        for p in connector.current_power():
            company = companies.get(tenant[p.location_uid])
            if company is not None:
                out[company] = round(out.get(company, 0.0) + p.current_power_kw, 2)
    return out


def test_sample_stores_what_chargeye_answered(ce_backend: Backend, frozen_network: float) -> None:
    result = network_sample(ce_backend, now=_frozen_now(frozen_network))
    feeds = read_feeds(ce_backend)  # the same instant: the same answers
    assert result.total_power_kw == round(sum(p.current_power_kw for p in feeds.power), 2) > 0
    assert PowerSample.objects.count() == len(feeds.power)
    # Locations of tenants that are not portal companies have no company: only superusers see them.
    mirrored = Location.objects.filter(backend=ce_backend).count()
    assert 0 < PowerSample.objects.exclude(location=None).count() == mirrored < len(feeds.power)
    assert not PowerSample.objects.filter(location=None).exclude(company=None).exists()
    assert HardwareError.objects.count() == len(feeds.errors) > 0
    assert ChargingTransaction.objects.count() == len({t.tx_id for t in feeds.transactions}) > 0
    assert NetworkStation.objects.count() == sum(len(loc.stations) for loc in feeds.status)
    faulted = {e.station_id for e in feeds.errors if e.alert.get("endTime") is None}
    assert set(NetworkStation.objects.filter(is_offline=True).values_list("station_id", flat=True)) == faulted
    for sample in PowerSample.objects.exclude(location=None).select_related("location"):
        assert sample.company_id == sample.location.company_id


def test_a_second_sample_replaces_the_lists_and_keeps_the_power_history(ce_backend: Backend,
                                                                         frozen_network: float) -> None:
    now = _frozen_now(frozen_network)
    network_sample(ce_backend, now=now - timedelta(minutes=1))
    errors = HardwareError.objects.count()
    network_sample(ce_backend, now=now)
    assert HardwareError.objects.count() == errors  # upserted, not doubled
    assert PowerSample.objects.values("taken_at").distinct().count() == 2


def test_samples_older_than_8_days_are_pruned(ce_backend: Backend, frozen_network: float) -> None:
    now = _frozen_now(frozen_network)
    network_sample(ce_backend, now=now - timedelta(days=8, hours=1))
    network_sample(ce_backend, now=now - timedelta(days=6))
    network_sample(ce_backend, now=now)
    assert sorted({s.taken_at for s in PowerSample.objects.all()}) == [now - timedelta(days=6), now]


@pytest.fixture
def company_d(ce_backend: Backend) -> Company:
    """The simulator's fourth company, which runs ChargEye locations too (company B runs none)."""
    company = CompanyFactory(name="Company D", upstream_ref=SIM_COMPANIES[3]["uuid"])
    mirror_chargeye_locations(ce_backend)
    return company


def test_dashboard_figures_match_the_upstream_per_company(
        ce_backend: Backend, frozen_network: float, viewer: User, company_a: Company, company_d: Company,
        other_company_user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    now = _frozen_now(frozen_network)
    monkeypatch.setattr("django.utils.timezone.now", lambda: now)
    network_sample(ce_backend, now=now)
    expected = _power_by_company(ce_backend)
    assert expected[company_a.pk] != expected[company_d.pk]
    d_user = UserFactory(username="d-viewer", role=Role.VIEWER, companies=[company_d])

    outsider = client_for(other_company_user).get(reverse("locations:network")).content.decode()
    assert outsider.split('id="total-power">', 1)[1].split("</div>", 1)[0] == "—"  # company B has no ChargEye sites
    for user, company in ((viewer, company_a), (d_user, company_d)):
        html = client_for(user).get(reverse("locations:network")).content.decode()
        total = html.split('id="total-power">', 1)[1].split("</div>", 1)[0]
        assert total.endswith(" kW") and float(total.removesuffix(" kW")) == round(expected[company.pk], 1)
        own = Location.objects.filter(company=company, backend=ce_backend)
        other = Location.objects.filter(backend=ce_backend).exclude(company=company)
        assert all(loc.name in html for loc in own)
        assert not any(f">{loc.name}<" in html for loc in other)
        errors = HardwareError.objects.filter(company=company).count()
        assert f"({errors} in 24 h)" in html


def test_dashboard_filters_by_location(ce_backend: Backend, frozen_network: float, viewer_client: Client,
                                       company_a: Company, company_d: Company, monkeypatch: pytest.MonkeyPatch) -> None:
    now = _frozen_now(frozen_network)
    monkeypatch.setattr("django.utils.timezone.now", lambda: now)
    network_sample(ce_backend, now=now)
    busiest = PowerSample.objects.filter(company=company_a).order_by("-power_kw").first()
    html = viewer_client.get(reverse("locations:network"), {"location": busiest.location_id}).content.decode()
    total = html.split('id="total-power">', 1)[1].split("</div>", 1)[0]
    assert total.endswith(" kW") and float(total.removesuffix(" kW")) == round(busiest.power_kw, 1)
    txs = ChargingTransaction.objects.filter(location_id=busiest.location_id).count()
    assert f"{txs}</div>transaction" in html.replace("\n", "")
    # A location of another company is ignored, never shown.
    foreign = Location.objects.exclude(company=company_a).filter(backend=ce_backend).first()
    html = viewer_client.get(reverse("locations:network"), {"location": foreign.pk}).content.decode()
    assert foreign.name not in html


def test_chart_draws_the_last_24_hours_with_a_table_of_the_same_figures(
        ce_backend: Backend, frozen_network: float, viewer_client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    now = _frozen_now(frozen_network)
    monkeypatch.setattr("django.utils.timezone.now", lambda: now)
    for minutes in (0, 60, 120, 25 * 60):
        network_sample(ce_backend, now=now - timedelta(minutes=minutes))
    html = viewer_client.get(reverse("locations:network")).content.decode()
    assert '<path class="line"' in html and '<title id="chart-title-wide">' in html
    table = html.split("Total power, last 24 hours", 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 1 + 3  # the header and three samples: the one of 25 hours ago is out
    week = viewer_client.get(reverse("locations:network"), {"range": "7d"}).content.decode()
    table = week.split("Total power, last 7 days", 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 1 + 4  # a week holds the sample of 25 hours ago too


def test_a_new_demo_draws_a_line_within_minutes(ce_backend: Backend, frozen_network: float,
                                                viewer_client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three minutes of samples (one a minute, as beat does) make a line of three points, not one 15-minute dot."""
    now = _frozen_now(frozen_network)
    monkeypatch.setattr("django.utils.timezone.now", lambda: now)
    for minutes in (2, 1, 0):
        network_sample(ce_backend, now=now - timedelta(minutes=minutes))
    html = viewer_client.get(reverse("locations:network")).content.decode()
    line = html.split('<path class="line" d="', 1)[1].split('"', 1)[0]
    assert line.count("L") == 2 and line.count("M") == 1  # one segment through three points
    assert "Mean per 1 minute, since the first sample at" in html


@pytest.mark.parametrize(("params", "key", "hours"), [
    ({}, "24h", 24), ({"range": "7d"}, "7d", 24 * 7),
    ({"range": "custom", "from": "2026-11-28T08:00", "to": "2026-11-28T20:00"}, "custom", 12),
])
def test_range_picker_presets_and_custom(params: dict[str, str], key: str, hours: int) -> None:
    from django.utils import timezone

    from locations.ranges import bucket_for, time_range

    now = timezone.make_aware(datetime(2026, 11, 30, 12, 0))
    span = time_range(params, now)
    assert (span.key, span.end - span.start, span.error) == (key, timedelta(hours=hours), "")
    assert (span.end - span.start) / bucket_for(span.end - span.start) <= 300


@pytest.mark.parametrize(("params", "message"), [
    ({"range": "custom", "from": "2026-11-28T20:00", "to": "2026-11-28T08:00"}, "From must be before To"),
    ({"range": "custom", "from": "2026-01-01T00:00", "to": "2026-01-02T00:00"}, "Samples are kept 8 days"),
])
def test_a_custom_range_that_makes_no_sense_says_why(viewer_client: Client, params: dict[str, str],
                                                     message: str) -> None:
    html = viewer_client.get(reverse("locations:network"), params).content.decode()
    assert message in html and "Total charging power, last 24 hours" in html


def test_offline_counts_are_the_station_lists(viewer_client: Client, company_a: Company,
                                              company_b: Company) -> None:
    """One definition (Station.objects.offline): the dashboard's figure is the station list's Offline count."""
    from stations.models import Connectivity, Station
    from tests.factories import StationFactory

    for i in range(5):
        StationFactory(company=company_a, connectivity=Connectivity.OFFLINE if i % 2 == 0 else Connectivity.ONLINE)
    gone = StationFactory(company=company_a, connectivity=Connectivity.OFFLINE)
    Station.objects.filter(pk=gone.pk).update(removed_at=datetime(2026, 1, 1, tzinfo=dt_timezone.utc))
    StationFactory(company=company_b, connectivity=Connectivity.OFFLINE)  # another company's
    html = viewer_client.get(reverse("locations:network")).content.decode()
    figure = int(html.split('id="offline-card"><div class="figure">', 1)[1].split("<", 1)[0])
    listing = viewer_client.get(reverse("stations:list"), {"connectivity": "Offline"}).content.decode()
    assert figure == 3
    assert "<strong>3</strong> stations match" in listing
    for station in Station.objects.filter(company=company_a).offline():
        assert reverse("stations:detail", args=[station.pk]) in html.split('id="offline"', 1)[1]
    assert f'{reverse("stations:list")}?connectivity=Offline' in html


def test_viewer_without_samples_sees_an_explanation(viewer_client: Client) -> None:
    html = viewer_client.get(reverse("locations:network")).content.decode()
    assert "No figures sampled yet" in html


def test_the_task_samples_a_backend_and_beat_runs_it_every_minute(ce_backend: Backend) -> None:
    result = sample_network(ce_backend.pk)
    assert result is not None and result["locations"] == PowerSample.objects.count()
    task = PeriodicTask.objects.get(task="locations.sample_all_networks")
    assert task.enabled and task.interval.every == 60 and task.interval.period == "seconds"


def test_anonymous_and_roles(client: Client, operator_client: Client, admin_client_portal: Client) -> None:
    assert client.get(reverse("locations:network")).status_code == 302
    assert operator_client.get(reverse("locations:network")).status_code == 200
    assert admin_client_portal.get(reverse("locations:network")).status_code == 200
