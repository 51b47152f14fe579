"""The rules over the mirror: one alert per condition and record, after the threshold, resolved by itself,
no new alert while flapping; scoping, acknowledging and the bell (issue 28)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alerts.evaluation import alerts_evaluate
from alerts.models import Alert, AlertSettings, Kind
from portal.models import Company, Operation, User
from stations.models import Connectivity, Station
from tests.conftest import client_for
from tests.factories import StationFactory

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0)


def at(seconds: float):  # type: ignore[no-untyped-def]
    return T0 + timedelta(seconds=seconds)


def go(station: Station, connectivity: str) -> None:
    Station.objects.filter(pk=station.pk).update(connectivity=connectivity)


@pytest.fixture
def station(company_a: Company) -> Station:
    return StationFactory(company=company_a, label="Depot 7", connectivity=Connectivity.ONLINE)


def test_offline_opens_one_alert_after_five_minutes_and_resolves_when_back(station: Station) -> None:
    go(station, Connectivity.OFFLINE)
    assert alerts_evaluate(at(0)).opened == []
    assert alerts_evaluate(at(299)).opened == []
    opened = alerts_evaluate(at(300)).opened
    assert len(opened) == 1
    alert = Alert.objects.get()
    assert (alert.kind, alert.company_id, alert.subject_label) == (Kind.STATION_OFFLINE, station.company_id,
                                                                  "Depot 7")
    assert alert.link == reverse("stations:detail", args=[station.pk])
    assert alerts_evaluate(at(400)).opened == []  # still offline: still the one alert
    go(station, Connectivity.ONLINE)
    assert alerts_evaluate(at(500)).resolved == [alert.pk]
    alert.refresh_from_db()
    assert alert.resolved_at == at(500)


def test_a_thirty_second_flap_opens_nothing(station: Station) -> None:
    go(station, Connectivity.OFFLINE)
    alerts_evaluate(at(0))
    go(station, Connectivity.ONLINE)
    alerts_evaluate(at(30))
    go(station, Connectivity.OFFLINE)
    alerts_evaluate(at(60))  # offline again: the clock starts again
    assert alerts_evaluate(at(330)).opened == []
    assert not Alert.objects.exists()


def test_after_it_resolves_the_same_condition_waits_out_the_hold_down(station: Station) -> None:
    go(station, Connectivity.OFFLINE)
    alerts_evaluate(at(0))
    alerts_evaluate(at(300))
    go(station, Connectivity.ONLINE)
    alerts_evaluate(at(310))
    go(station, Connectivity.OFFLINE)
    alerts_evaluate(at(320))
    assert alerts_evaluate(at(620)).opened == []  # past the threshold, but within the 10-minute hold-down
    assert Alert.objects.count() == 1
    assert len(alerts_evaluate(at(910)).opened) == 1  # still offline after the hold-down: a new alert
    assert Alert.objects.filter(resolved_at__isnull=True).count() == 1


def test_thresholds_are_per_company(station: Station, company_b: Company) -> None:
    AlertSettings.objects.create(company=station.company, offline_after=60)
    other = StationFactory(company=company_b, connectivity=Connectivity.OFFLINE)
    go(station, Connectivity.OFFLINE)
    alerts_evaluate(at(0))
    alerts_evaluate(at(61))
    assert list(Alert.objects.values_list("subject_key", flat=True)) == [str(station.pk)]
    alerts_evaluate(at(301))
    assert Alert.objects.filter(subject_key=str(other.pk)).exists()


def test_failed_write_opens_at_once_and_links_to_the_operation(station: Station) -> None:
    op = Operation.objects.create(kind="station.patch", backend=station.backend, company=station.company,
                                  target_type="station", target_id=station.pk, target_label="Depot 7",
                                  status=Operation.Status.FAILED, error_message="Refused: bad tariff",
                                  finished_at=at(0))
    alerts_evaluate(at(1))
    alert = Alert.objects.get(kind=Kind.WRITE_FAILED)
    assert alert.detail == "Refused: bad tariff" and alert.link == reverse("operations:detail", args=[op.pk])
    Operation.objects.filter(pk=op.pk).update(status=Operation.Status.DONE)
    alerts_evaluate(at(2))
    alert.refresh_from_db()
    assert alert.resolved_at is not None


def test_another_companys_user_sees_none_of_it(station: Station, viewer: User, other_company_user: User) -> None:
    go(station, Connectivity.OFFLINE)
    alerts_evaluate(at(-400))
    alerts_evaluate(at(0))
    alert = Alert.objects.get()
    mine, theirs = client_for(viewer), client_for(other_company_user)
    assert "Depot 7" in mine.get(reverse("alerts:list")).content.decode()
    assert "Depot 7" not in theirs.get(reverse("alerts:list")).content.decode()
    assert theirs.get(reverse("alerts:detail", args=[alert.pk])).status_code == 404
    assert theirs.post(reverse("alerts:detail", args=[alert.pk]), {"note": "mine now"}).status_code == 404
    assert 'class="bell-count" aria-hidden="true">0<' in theirs.get(reverse("alerts:bell")).content.decode()


def test_bell_counts_unread_until_the_alerts_page_is_opened_and_acknowledging_keeps_a_note(
        station: Station, operator: User) -> None:
    client = client_for(operator)
    go(station, Connectivity.OFFLINE)
    alerts_evaluate(timezone.now() - timedelta(seconds=400))
    alerts_evaluate()
    page = client.get(reverse("stations:list")).content.decode()
    assert 'class="bell-count" aria-hidden="true">1<' in page and 'href="/alerts/"' in page
    client.get(reverse("alerts:list"))
    assert 'aria-hidden="true">0<' in client.get(reverse("alerts:bell")).content.decode()
    alert = Alert.objects.get()
    answer = client.post(reverse("alerts:detail", args=[alert.pk]), {"note": "Technician on the way"})
    assert answer.status_code == 302
    alert.refresh_from_db()
    assert (alert.acknowledged_by, alert.acknowledge_note) == (operator, "Technician on the way")
    detail = client.get(reverse("alerts:detail", args=[alert.pk])).content.decode()
    assert "Technician on the way" in detail and "operator" in detail


def test_a_viewer_reads_but_does_not_acknowledge(station: Station, viewer: User) -> None:
    go(station, Connectivity.OFFLINE)
    alerts_evaluate(at(-400))
    alerts_evaluate(at(0))
    alert = Alert.objects.get()
    assert client_for(viewer).post(reverse("alerts:detail", args=[alert.pk]), {"note": "x"}).status_code == 403


def test_one_evaluation_costs_the_same_queries_for_two_or_forty_offline_stations(company_a: Company) -> None:
    def queries(n: int) -> int:
        StationFactory.create_batch(n, company=company_a, connectivity=Connectivity.OFFLINE)
        alerts_evaluate(at(-400))
        with CaptureQueriesContext(connection) as captured:
            alerts_evaluate(at(0))
        return len(captured)

    few = queries(2)
    assert queries(38) == few
