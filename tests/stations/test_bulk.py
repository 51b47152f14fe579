"""Bulk changes without a worker: roles, selection and scoping, the preview's rows and its query count."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import Backend, Company, Operation, User
from stations.bulk.models import Batch, BatchItem
from stations.bulk.selection import Selection
from stations.bulk.services import batch_confirm, batch_preview_create
from stations.models import Station
from tests.factories import BackendFactory, LocationFactory, StationFactory

pytestmark = pytest.mark.django_db


def gf_stations(company: Company, n: int, **fields: Any) -> list[Station]:
    backend = BackendFactory(company=company, kind=Backend.Kind.GREENFLUX, name=f"GF {company.name}")
    return [StationFactory(company=company, backend=backend, upstream_id=f"{company.pk}-GF-{i}",
                           charge_box_identity=f"{company.pk}-GF-{i}", etag=f"e{i}", deploy_state="Stock",
                           default_tariff_id="T-OLD", **fields) for i in range(n)]


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def bulk_post(client: Client, params: dict[str, Any], **fields: Any) -> Any:
    return client.post(reverse("stations:bulk_new"), {**params, **fields})


def test_viewer_has_no_selection_and_cannot_open_actions(viewer_client: Client, company_a: Company) -> None:
    gf_stations(company_a, 2)
    page = viewer_client.get(reverse("stations:list")).content.decode()
    assert 'name="station"' not in page and "bulk-form" not in page
    assert viewer_client.get(reverse("stations:bulk_new"), {"scope": "all"}).status_code == 403
    assert bulk_post(viewer_client, {"scope": "all"}, action="change", deploy_state="Production").status_code == 403
    assert not Batch.objects.exists()


def test_operator_sees_checkboxes_and_both_scopes(operator_client: Client, company_a: Company) -> None:
    stations = gf_stations(company_a, 3)
    page = operator_client.get(reverse("stations:list"), {"deploy_state": "Stock"}).content.decode()
    assert page.count('name="station"') == 3
    assert f'value="{stations[0].pk}" form="bulk-form"' in page
    assert 'name="scope" value="all"' in page and "all 3 stations matching this filter" in page
    # "All matching" carries the filter as hidden fields, not ids.
    assert '<input type="hidden" name="deploy_state" value="Stock">' in page
    assert "Download these stations as CSV" in page


def test_forged_ids_of_another_company_change_nothing_and_say_so(
    operator_client: Client, company_a: Company, company_b: Company
) -> None:
    mine = gf_stations(company_a, 2)
    theirs = gf_stations(company_b, 1)
    ids = [s.pk for s in mine + theirs]
    response = bulk_post(operator_client, {"station": ids}, action="change", deploy_state="Production")
    assert response.status_code == 400
    assert "1 of the 3 selected stations are not among your companies' stations" in text(response)
    assert "nothing was changed" in text(response)
    assert not Batch.objects.exists() and not Operation.objects.exists()
    assert set(Station.objects.values_list("deploy_state", flat=True)) == {"Stock"}


def test_forged_filter_naming_another_company_is_refused_not_widened(
    operator_client: Client, company_a: Company, company_b: Company
) -> None:
    gf_stations(company_a, 2)
    gf_stations(company_b, 2)
    response = bulk_post(operator_client, {"scope": "all", "company": company_b.pk}, action="change",
                         deploy_state="Production")
    assert response.status_code == 400
    assert "not one of yours; nothing was changed" in text(response)
    assert not Batch.objects.exists()


def test_preview_lists_changes_unchanged_and_reasons(operator: User, company_a: Company) -> None:
    change, same = gf_stations(company_a, 2)
    Station.objects.filter(pk=same.pk).update(deploy_state="Production", default_tariff_id="T-NEW")
    be = StationFactory(company=company_a, backend=BackendFactory(company=company_a, kind=Backend.Kind.BEENERGISED),
                        upstream_id="BE-1")
    pending = StationFactory(company=company_a, backend=change.backend, upstream_id=None)
    ids = (change.pk, same.pk, be.pk, pending.pk)
    batch = batch_preview_create(user=operator, selection=Selection(ids=ids), kind=Batch.Kind.CHANGE,
                                 params={"deploy_state": "Production", "default_tariff_id": "T-NEW"})
    rows = {item.station_id: item for item in batch.items.all()}
    assert rows[change.pk].outcome == BatchItem.Outcome.CHANGE
    assert rows[change.pk].diff == [["Deploy state", "Stock", "Production"], ["Default tariff id", "T-OLD", "T-NEW"]]
    assert rows[change.pk].changes == {"deploy_state": "Production", "default_charge_station_tariff_id": "T-NEW"}
    assert rows[change.pk].base_etag == "e0"
    assert rows[same.pk].outcome == BatchItem.Outcome.UNCHANGED
    assert rows[be.pk].outcome == BatchItem.Outcome.SKIPPED
    assert "documents no way to change a station" in rows[be.pk].reason
    assert rows[pending.pk].outcome == BatchItem.Outcome.SKIPPED and "Not on its backend" in rows[pending.pk].reason
    assert not Operation.objects.exists()  # a preview sends nothing


def test_preview_rows_are_the_same_written_with_copy_or_with_bulk_create(
    operator: User, company_a: Company, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL gets the rows by COPY, the demo's SQLite by ``bulk_create``: both store the same rows."""
    change, same = gf_stations(company_a, 2)
    Station.objects.filter(pk=same.pk).update(deploy_state="Production")
    Station.objects.filter(pk=change.pk).update(label="Tab\there, back\\slash, “quoted”\nnewline")
    pending = StationFactory(company=company_a, backend=change.backend, upstream_id=None)
    selection, params = Selection(ids=(change.pk, same.pk, pending.pk)), {"deploy_state": "Production"}

    def stored(batch: Batch) -> list[dict[str, Any]]:
        rows = list(batch.items.order_by("station_id").values())
        assert len({r.pop("operation_id") for r in rows} - {None}) == len(rows)  # a key of its own each
        return [{k: v for k, v in r.items() if k not in ("id", "batch_id")} for r in rows]

    copied = stored(batch_preview_create(user=operator, selection=selection, kind=Batch.Kind.CHANGE, params=params))
    monkeypatch.setattr(connection, "vendor", "sqlite")
    created = stored(batch_preview_create(user=operator, selection=selection, kind=Batch.Kind.CHANGE, params=params))
    assert copied == created
    assert [r["outcome"] for r in copied] == ["change", "unchanged", "skipped"]
    assert copied[0]["label"] == "Tab\there, back\\slash, “quoted”\nnewline"
    assert copied[1]["diff"] == [] and copied[1]["changes"] == {} and copied[1]["reason"] == ""


def test_confirming_writes_the_same_operations_and_audit_with_copy_or_with_bulk_create(
    operator: User, company_a: Company, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.audit.models import AuditEntry

    stations = gf_stations(company_a, 3)
    Station.objects.filter(pk=stations[0].pk).update(upstream_data={"name": "A", "evses": [{"uid": "u1"}]})
    selection, params = Selection(ids=tuple(s.pk for s in stations)), {"deploy_state": "Production"}

    def confirmed() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        batch = batch_preview_create(user=operator, selection=selection, kind=Batch.Kind.CHANGE, params=params)
        keys = list(batch.items.order_by("station_id").values_list("operation_id", flat=True))
        Operation.objects.all().delete()
        AuditEntry.objects.all().delete()
        Station.objects.update(sync_state="synced")
        batch_confirm(user=operator, batch=batch)
        ops = list(Operation.objects.order_by("target_id").values())
        assert [op.pop("key") for op in ops] == keys  # each row's operation, as named at preview
        ignored = ("id", "at", "created_at", "updated_at")
        for op in ops:
            op["payload"].pop("batch")
            op["payload"].pop("shown_at")  # when each batch's preview was made
        audit = list(AuditEntry.objects.filter(action="station.put").order_by("entity_id").values())
        return [{k: v for k, v in r.items() if k not in ignored} for r in ops], \
            [{k: v for k, v in r.items() if k not in ignored} for r in audit]

    copied = confirmed()
    monkeypatch.setattr(connection, "vendor", "sqlite")
    created = confirmed()
    assert copied == created
    ops, audit = copied
    assert [op["status"] for op in ops] == ["queued"] * 3 and list(ops[0]["payload"]["shown"]["evses"]) == ["u1"]
    assert [e["after"]["deploy_state"] for e in audit] == ["Production"] * 3
    assert set(Station.objects.values_list("sync_state", flat=True)) == {"pending"}


def test_name_prefix_is_not_added_twice_and_location_must_share_the_backend(operator: User, company_a: Company) -> None:
    first, second = gf_stations(company_a, 2)
    Station.objects.filter(pk=second.pk).update(label="NL-" + second.label)
    own = LocationFactory(company=company_a, backend=first.backend, name="Depot", upstream_id="LOC-1")
    other = LocationFactory(company=company_a, name="Elsewhere", upstream_id="LOC-2")
    batch = batch_preview_create(user=operator, selection=Selection(ids=(first.pk, second.pk)),
                                 kind=Batch.Kind.CHANGE, params={"label_prefix": "NL-", "location": own.pk})
    rows = {i.station_id: i for i in batch.items.all()}
    assert rows[first.pk].changes == {"location_id": "LOC-1", "name": f"NL-{first.label}"}
    assert rows[second.pk].changes == {"location_id": "LOC-1"}
    wrong = batch_preview_create(user=operator, selection=Selection(ids=(first.pk,)), kind=Batch.Kind.CHANGE,
                                 params={"location": other.pk})
    item = wrong.items.get()
    assert item.outcome == BatchItem.Outcome.SKIPPED and "Elsewhere is on" in item.reason


def test_preview_costs_the_same_queries_for_ten_or_two_hundred_stations(operator: User, company_a: Company) -> None:
    stations = gf_stations(company_a, 200)
    location = LocationFactory(company=company_a, backend=stations[0].backend, upstream_id="LOC-X")

    def queries(n: int) -> int:
        selection = Selection(ids=tuple(s.pk for s in stations[:n]))
        with CaptureQueriesContext(connection) as ctx:
            batch_preview_create(user=operator, selection=selection, kind=Batch.Kind.CHANGE,
                                 params={"deploy_state": "Production", "location": location.pk})
        return len(ctx.captured_queries)

    queries(5)  # the user's companies are read once and kept on the user
    assert queries(10) == queries(200)
    Station.objects.filter(pk__in=[s.pk for s in stations[:10]]).update(label="Ten of them")

    def filter_queries(text: str) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            batch = batch_preview_create(user=operator, selection=Selection(filter=text), kind=Batch.Kind.CHANGE,
                                         params={"deploy_state": "Production"})
        return len(ctx.captured_queries), batch.items.filter(outcome=BatchItem.Outcome.CHANGE).count()

    filter_queries("q=Station")  # the filter form's choice lists are cached after a first read
    (ten, n_ten), (all_of_them, n_all) = filter_queries("q=Ten+of+them"), filter_queries("deploy_state=Stock")
    assert (n_ten, n_all) == (10, 200)
    assert ten == all_of_them

def test_flow_through_pages_and_scoped_batch_pages(
    operator_client: Client, operator: User, company_a: Company, company_b: Company, other_company_user: User
) -> None:
    gf_stations(company_a, 3)
    response = operator_client.get(reverse("stations:bulk_new"), {"scope": "all", "deploy_state": "Stock"})
    assert "all 3 stations matching deploy state Stock" in text(response)
    response = bulk_post(operator_client, {"scope": "all", "deploy_state": "Stock"}, action="change",
                         default_tariff_id="T-NEW")
    batch = Batch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("stations:batch_detail", args=[batch.pk])
    page = operator_client.get(response["Location"]).content.decode()
    assert page.count("<del>T-OLD</del> → <ins>T-NEW</ins>") == 3
    assert "Confirm and send 3 changes" in page
    outsider = Client()
    outsider.force_login(other_company_user)
    assert outsider.get(reverse("stations:batch_detail", args=[batch.pk])).status_code == 404
    assert outsider.post(reverse("stations:batch_confirm", args=[batch.pk])).status_code == 404
    response = operator_client.post(reverse("stations:batch_confirm", args=[batch.pk]))
    assert response.status_code == 302
    ops = Operation.objects.filter(kind="station.put")
    assert ops.count() == 3
    assert {op.base_etag for op in ops} == {"e0", "e1", "e2"}
    assert set(Station.objects.values_list("sync_state", flat=True)) == {"pending"}
    # Confirming twice sends nothing twice.
    operator_client.post(reverse("stations:batch_confirm", args=[batch.pk]))
    assert Operation.objects.count() == 3
    history = operator_client.get(reverse("stations:batch_list")).content.decode()
    assert f"Batch #{batch.pk}" in history and "default tariff → T-NEW" in history


def test_a_batch_shows_each_user_only_their_companies_rows(
    company_a: Company, company_b: Company, operator: User, other_company_user: User
) -> None:
    from django.contrib.auth import get_user_model

    gf_stations(company_a, 2)
    gf_stations(company_b, 1)
    boss = get_user_model().objects.create_superuser("boss", "boss@example.com", "x")
    batch = batch_preview_create(user=boss, selection=Selection(filter=""), kind=Batch.Kind.CHANGE,
                                 params={"deploy_state": "Production"})
    assert batch.items.count() == 3
    for user, seen in ((operator, 2), (other_company_user, 1)):
        client = Client()
        client.force_login(user)
        page = client.get(reverse("stations:batch_detail", args=[batch.pk])).content.decode()
        assert page.count("<del>Stock</del>") == seen, user


def test_maintenance_and_export_actions_hand_the_selection_over(operator_client: Client, company_a: Company) -> None:
    stations = gf_stations(company_a, 2)
    ids = [s.pk for s in stations]
    response = bulk_post(operator_client, {"scope": "all", "deploy_state": "Stock"}, action="maintenance")
    assert response.status_code == 302 and response["Location"] == reverse("maintenance:plan") + "?deploy_state=Stock"
    page = text(bulk_post(operator_client, {"station": ids}, action="maintenance"))
    assert f'action="{reverse("maintenance:plan")}"' in page
    assert all(f'name="station" value="{pk}"' in page for pk in ids)
    response = bulk_post(operator_client, {"station": ids[:1]}, action="export")
    assert response.status_code == 302
    exported = b"".join(operator_client.get(response["Location"]).streaming_content).decode()
    assert stations[0].charge_box_identity in exported and stations[1].charge_box_identity not in exported


def test_a_two_company_batch_tells_each_company_only_of_its_own_stations(
    company_a: Company, company_b: Company, other_company_user: User
) -> None:
    """The creator's words count both companies' stations; a reader of B reads B's share only,
    on the batch page, in the history and in the audit trail (one entry per company)."""
    from portal.access import Role
    from portal.audit.models import AuditEntry
    from stations.bulk.services import batch_confirm
    from tests.factories import UserFactory

    gf_stations(company_a, 3)
    gf_stations(company_b, 2)
    both = UserFactory(username="both-operator", role=Role.OPERATOR, companies=[company_a, company_b])
    batch = batch_preview_create(user=both, selection=Selection(filter="deploy_state=Stock"), kind=Batch.Kind.CHANGE,
                                 params={"deploy_state": "Production"})
    assert batch.selection_text.startswith("all 5 stations")
    batch_confirm(user=both, batch=batch)
    admin_b = UserFactory(username="bravo-admin", role=Role.ADMIN, companies=[company_b])
    for user in (other_company_user, admin_b):
        client = Client()
        client.force_login(user)
        for url in (reverse("stations:batch_detail", args=[batch.pk]), reverse("stations:batch_list")):
            page = text(client.get(url))
            assert "2 stations of your companies" in page and "all 5 stations" not in page, (user, url)
    audit = text(client_for_audit(admin_b))
    assert "2 stations of Company B" in audit and "Company A" not in audit and "all 5" not in audit
    entries = AuditEntry.objects.filter(entity="batch", entity_id=str(batch.pk))
    assert sorted((e.company.name, e.after["stations"]) for e in entries) == [("Company A", 3), ("Company B", 2)]
    # The creator, who sees both companies, still reads their own words.
    creator = Client()
    creator.force_login(both)
    assert "All 5 stations matching" in text(creator.get(reverse("stations:batch_detail", args=[batch.pk])))


def client_for_audit(user: User) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(reverse("audit:list"))
