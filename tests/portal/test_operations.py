"""The Operations page: who sees which operations, filters, the detail page, polling and retry."""

from __future__ import annotations

import factory
import pytest
from django.test import Client
from django.urls import reverse

from locations.models import Location
from portal.models import Company, Operation
from simulator.testing import SimulatorHandle
from stations import services as station_services
from stations.services import ConnectorInput, EvseInput, StationInput
from tests.conftest import client_for
from tests.factories import BackendFactory, StationFactory
from tests.upstream import make_backend, mirror_greenflux_parents
from tests.worker import wait_for


class OperationFactory(factory.django.DjangoModelFactory):
    """An operation row as the outbox leaves it; the write path itself is tested in tests/stations."""

    class Meta:
        model = Operation

    kind = "station.patch"
    company = factory.SubFactory("tests.factories.CompanyFactory")
    backend = factory.SubFactory(BackendFactory, company=factory.SelfAttribute("..company"))
    target_type = "station"
    target_label = factory.Sequence(lambda n: f"Station {n}")
    payload = factory.LazyFunction(lambda: {"changes": {"name": "Depot"}})
    status = Operation.Status.DONE


def html(client: Client, url: str, **headers: str) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200
    return response.content.decode()


# -- roles and scoping ----------------------------------------------------------------------


def test_viewer_reads_operations_of_own_company_only(
    viewer_client: Client, company_a: Company, company_b: Company
) -> None:
    mine = OperationFactory(company=company_a, target_label="Depot Alpha")
    theirs = OperationFactory(company=company_b, target_label="Depot Bravo")
    shared = OperationFactory(company=None, backend=BackendFactory(company=None, kind="models"),
                              kind="model.rename", target_type="model", target_label="Catalogue entry")
    page = html(viewer_client, reverse("operations:list"))
    assert "Depot Alpha" in page
    assert "Depot Bravo" not in page and "Catalogue entry" not in page
    assert html(viewer_client, reverse("operations:detail", args=[mine.pk]))
    for op in (theirs, shared):
        assert viewer_client.get(reverse("operations:detail", args=[op.pk])).status_code == 404
        assert viewer_client.get(reverse("operations:row", args=[op.pk]), HTTP_HX_REQUEST="true").status_code == 404


def test_admin_also_sees_company_less_operations(admin_client_portal: Client, company_b: Company) -> None:
    OperationFactory(company=None, backend=BackendFactory(company=None, kind="models"),
                     kind="model.rename", target_type="model", target_label="Catalogue entry")
    OperationFactory(company=company_b, target_label="Depot Bravo")
    page = html(admin_client_portal, reverse("operations:list"))
    assert "Catalogue entry" in page and "Depot Bravo" not in page


def test_viewer_cannot_retry(viewer_client: Client, company_a: Company) -> None:
    op = OperationFactory(company=company_a, status=Operation.Status.FAILED, error_message="HTTP 422")
    assert viewer_client.post(reverse("operations:retry", args=[op.pk])).status_code == 403
    assert "Retry" not in html(viewer_client, reverse("operations:detail", args=[op.pk]))
    op.refresh_from_db()
    assert op.status == Operation.Status.FAILED


def test_operator_of_other_company_cannot_retry(other_company_user: object, company_a: Company) -> None:
    op = OperationFactory(company=company_a, status=Operation.Status.FAILED)
    client = client_for(other_company_user)  # type: ignore[arg-type]
    assert client.post(reverse("operations:retry", args=[op.pk])).status_code == 404
    op.refresh_from_db()
    assert op.status == Operation.Status.FAILED


def test_retry_needs_post(operator_client: Client, company_a: Company) -> None:
    op = OperationFactory(company=company_a, status=Operation.Status.FAILED)
    assert operator_client.get(reverse("operations:retry", args=[op.pk])).status_code == 405


def test_only_failed_operations_are_retried(operator_client: Client, company_a: Company) -> None:
    op = OperationFactory(company=company_a, status=Operation.Status.DONE)
    response = operator_client.post(reverse("operations:retry", args=[op.pk]), follow=True)
    assert "Only failed operations can be retried" in response.content.decode()
    op.refresh_from_db()
    assert op.status == Operation.Status.DONE


# -- the list ---------------------------------------------------------------------------------


def test_newest_first_with_status_attempts_who_and_target_link(
    viewer_client: Client, viewer: object, company_a: Company
) -> None:
    station = StationFactory(company=company_a, label="Depot Charlie")
    OperationFactory(company=company_a, target_label="Older one")
    OperationFactory(company=company_a, target_id=station.pk, target_label="Depot Charlie", attempts=3,
                     status=Operation.Status.FAILED, error_message="greenflux PATCH -> HTTP 422: name too long",
                     created_by=viewer)
    page = html(viewer_client, reverse("operations:list"))
    assert page.index("Depot Charlie") < page.index("Older one")
    assert f'href="{reverse("stations:detail", args=[station.pk])}"' in page
    assert "name too long" in page and "3 / 8" in page and ">viewer<" in page
    assert '<span class="badge bad">failed</span>' in page


@pytest.mark.parametrize(("params", "shown", "hidden"), [
    ({"status": "failed"}, "Failed one", "Done one"),
    ({"kind": "station.create"}, "Failed one", "Done one"),
    ({"target": "failed"}, "Failed one", "Done one"),
    ({"target_type": "location"}, "Done one", "Failed one"),
])
def test_filters(viewer_client: Client, company_a: Company, params: dict[str, str], shown: str, hidden: str) -> None:
    OperationFactory(company=company_a, target_label="Failed one", kind="station.create",
                     status=Operation.Status.FAILED)
    OperationFactory(company=company_a, target_label="Done one", target_type="location", kind="location.update")
    page = html(viewer_client, reverse("operations:list"), QUERY_STRING="&".join(f"{k}={v}" for k, v in params.items()))
    assert shown in page and hidden not in page


def test_filter_by_backend(viewer_client: Client, company_a: Company) -> None:
    first = OperationFactory(company=company_a, target_label="On first")
    OperationFactory(company=company_a, target_label="On second")
    page = html(viewer_client, reverse("operations:list") + f"?backend={first.backend_id}")
    assert "On first" in page and "On second" not in page


def test_invalid_filter_is_reported_and_ignored(viewer_client: Client, company_a: Company) -> None:
    OperationFactory(company=company_a, target_label="Still listed")
    page = html(viewer_client, reverse("operations:list") + "?status=exploded")
    assert "Still listed" in page
    assert "Select a valid choice" in page


def test_filter_choices_leak_no_other_company(viewer_client: Client, company_b: Company) -> None:
    OperationFactory(company=company_b, backend=BackendFactory(company=company_b, name="B secret depot"))
    assert "B secret depot" not in html(viewer_client, reverse("operations:list"))


def test_pagination_keeps_filters(viewer_client: Client, company_a: Company) -> None:
    backend = BackendFactory(company=company_a)
    for n in range(55):
        OperationFactory(company=company_a, backend=backend, target_label=f"Row {n:02d}",
                         status=Operation.Status.FAILED)
    page = html(viewer_client, reverse("operations:list") + "?status=failed")
    assert "Page 1 of 2" in page
    assert "?status=failed&amp;page=2" in page
    second = html(viewer_client, reverse("operations:list") + "?status=failed&page=2")
    assert "Row 00" in second and "Row 54" not in second


def test_open_rows_poll_and_settled_rows_do_not(viewer_client: Client, company_a: Company) -> None:
    open_op = OperationFactory(company=company_a, status=Operation.Status.QUEUED)
    done = OperationFactory(company=company_a, status=Operation.Status.DONE)
    page = html(viewer_client, reverse("operations:list"))
    row_url = reverse("operations:row", args=[open_op.pk])
    assert f'hx-get="{row_url}" hx-trigger="every 2s"' in page
    assert reverse("operations:row", args=[done.pk]) not in page
    assert 'hx-trigger="operationsChanged from:body"' in page
    # The row fragment stops polling once the operation settles.
    assert "every 2s" in html(viewer_client, row_url, HTTP_HX_REQUEST="true")
    Operation.objects.filter(pk=open_op.pk).update(status=Operation.Status.DONE)
    fragment = html(viewer_client, row_url, HTTP_HX_REQUEST="true")
    assert "every 2s" not in fragment and "<html" not in fragment and "done" in fragment
    # Without htmx the row URL leads to the operation's page.
    assert viewer_client.get(row_url)["Location"] == reverse("operations:detail", args=[open_op.pk])


def test_htmx_list_request_renders_rows_only(viewer_client: Client, company_a: Company) -> None:
    OperationFactory(company=company_a, target_label="Fragment row")
    fragment = html(viewer_client, reverse("operations:list"), HTTP_HX_REQUEST="true")
    assert "Fragment row" in fragment and "<html" not in fragment and 'id="operation-rows"' in fragment


# -- the detail page --------------------------------------------------------------------------


def test_detail_shows_payload_escaped_errors_conflict_and_chain(viewer_client: Client, company_a: Company) -> None:
    parent = OperationFactory(company=company_a, kind="station.create", target_label="Chain start")
    op = OperationFactory(
        company=company_a, parent=parent, kind="station.put", status=Operation.Status.CONFLICT,
        payload={"document": {"name": "<script>alert(1)</script>"}},
        error_message="greenflux PUT -> HTTP 412", field_errors={"name": "too long"},
        upstream_current={"name": "Renamed upstream", "etag": "e-2"},
    )
    child = OperationFactory(company=company_a, parent=op, kind="station.evse_extras",
                             status=Operation.Status.FAILED, error_message="An earlier step failed.")
    page = html(viewer_client, reverse("operations:detail", args=[op.pk]))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "HTTP 412" in page and "too long" in page and "Renamed upstream" in page
    assert reverse("operations:detail", args=[parent.pk]) in page
    assert reverse("operations:detail", args=[child.pk]) in page


def test_detail_of_open_operation_polls(viewer_client: Client, company_a: Company) -> None:
    op = OperationFactory(company=company_a, status=Operation.Status.IN_FLIGHT)
    page = html(viewer_client, reverse("operations:detail", args=[op.pk]))
    assert 'hx-trigger="every 2s"' in page and "in flight" in page


def test_child_of_failed_step_cannot_be_retried_first(operator_client: Client, company_a: Company) -> None:
    parent = OperationFactory(company=company_a, status=Operation.Status.FAILED)
    child = OperationFactory(company=company_a, parent=parent, status=Operation.Status.FAILED)
    response = operator_client.post(reverse("operations:retry", args=[child.pk]), follow=True)
    assert "retry that one first" in response.content.decode()
    child.refresh_from_db()
    assert child.status == Operation.Status.FAILED


# -- retry end to end -------------------------------------------------------------------------


@pytest.fixture
def transactional(transactional_db: None) -> None:
    """The worker is another process: it only sees committed rows."""


def _settled(op: Operation) -> Operation:
    wait_for(lambda: Operation.objects.get(pk=op.pk).status in Operation.SETTLED, timeout=60)
    op.refresh_from_db()
    return op


@pytest.mark.worker
def test_retry_reruns_a_failed_create_against_the_simulator(
    transactional: None, celery_worker_process: object, simulator: SimulatorHandle,
    company_a: Company, operator: object, operator_client: Client,
) -> None:
    backend = make_backend(simulator, "greenflux", company_a)
    mirror_greenflux_parents(backend)
    # The upstream refuses the token once: a non-retryable failure, the operation fails at once.
    simulator.set_faults("greenflux", next_401=1)
    station = station_services.station_create(user=operator, data=StationInput(  # type: ignore[arg-type]
        backend=backend, company=company_a, label="Retry depot", charge_box_identity="RETRY-1",
        location=Location.objects.filter(backend=backend).first(), deploy_state="Stock",
        default_tariff_id="TARIFF-AC-STANDARD",
        evses=[EvseInput(connectors=[ConnectorInput("IEC_62196_T2", "SOCKET", "AC_3_PHASE", 400, 32, 22000)])],
    ))
    op = _settled(Operation.objects.get(target_id=station.pk, kind="station.create"))
    assert op.status == Operation.Status.FAILED
    assert "401" in op.error_message
    page = html(operator_client, reverse("operations:list") + "?status=failed")
    assert "Retry depot" in page and f'aria-label="Retry operation {op.pk}"' in page

    response = operator_client.post(reverse("operations:retry", args=[op.pk]), HTTP_HX_REQUEST="true")
    assert response["HX-Trigger"] == "operationsChanged"
    row = response.content.decode()
    # The row drawn again: queued, or already picked up by a quick worker.
    assert f'id="op-{op.pk}"' in row
    assert any(state in row for state in ("queued", "running", "done")), row
    op = _settled(op)
    assert op.status == Operation.Status.DONE, op.error_message
    station.refresh_from_db()
    assert station.sync_state == "synced" and station.upstream_id
    with backend.connector() as connector:
        assert connector.get_station("RETRY-1").name == "Retry depot"
    assert '<span class="badge ok">done</span>' in html(operator_client, reverse("operations:detail", args=[op.pk]))


def test_list_queries_do_not_grow_with_rows(viewer_client: Client, viewer: object, company_a: Company) -> None:
    """Backend, author and target of every row come with the page, not one query per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            html(viewer_client, reverse("operations:list"))
        return len(ctx.captured_queries)

    OperationFactory(company=company_a, created_by=viewer)
    few = queries()
    for _ in range(30):
        OperationFactory(company=company_a, created_by=viewer)  # each on its own backend
    assert queries() == few


def test_the_shared_catalogues_history_names_no_person_of_another_company(
        admin_user: object, company_a: Company, company_b: Company) -> None:
    """Issue 23 item 5: an admin of B read the username of A's admin on the catalogue's operations."""
    from portal.access import Role
    from tests.factories import UserFactory

    admin_b = UserFactory(username="admin-b", role=Role.ADMIN, companies=[company_b])
    catalogue = BackendFactory(name="Shared catalogue", kind="models", company=None)
    op = Operation.objects.create(kind="model.rename", backend=catalogue, company=None, target_type="station_model",
                                  target_id=1, target_label="Eve", payload={}, status=Operation.Status.FAILED,
                                  created_by=admin_user)
    for url in (reverse("operations:list"), reverse("operations:detail", args=[op.pk])):
        page = client_for(admin_b).get(url).content.decode()
        assert "an admin of another company" in page and ">admin<" not in page and "by admin" not in page, url
        assert "an admin of another company" not in client_for(admin_user).get(url).content.decode(), url
