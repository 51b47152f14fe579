"""The catalogue (admins write) and the estate's read-only lists over the API."""

from __future__ import annotations

from portal.models import Backend, Operation
from tests.factories import LocationFactory, StationModelFactory


def test_only_admins_rename_a_model_behind_if_match(admin_user, operator, api_for, db) -> None:
    model = StationModelFactory(vendor="Alfen", model="Eve", friendly_name="Eve single")
    url = f"/api/v1/models/{model.pk}/"
    operator_api, admin_api = api_for(operator), api_for(admin_user)
    etag = operator_api.get(url)["ETag"]
    assert operator_api.send("PATCH", url, {"friendly_name": "Eve"}, if_match=etag).status_code == 403
    assert admin_api.send("PATCH", url, {"friendly_name": "Eve"}).status_code == 428
    assert admin_api.send("PATCH", url, {"friendly_name": "Eve"}, if_match='"stale"').status_code == 412
    blank = admin_api.send("PATCH", url, {"friendly_name": "  "}, if_match=etag)
    assert blank.status_code == 400 and blank.json()["errors"][0]["field"] == "friendly_name"
    renamed = admin_api.send("PATCH", url, {"friendly_name": "Eve Single Pro"}, if_match=etag)
    assert renamed.status_code == 202, renamed.content
    assert Operation.objects.get(pk=renamed.json()["id"]).kind == "model.rename"


def test_lists_show_only_the_callers_companies(company_a, company_b, viewer, api_for, db) -> None:
    LocationFactory(company=company_a, name="Depot Köln")
    LocationFactory(company=company_b, name="Hub of B")
    names = [row["name"] for row in api_for(viewer, "read").get("/api/v1/locations/").json()["results"]]
    assert "Depot Köln" in names and "Hub of B" not in names


def test_a_model_create_with_a_bad_connector_names_its_row(admin_user, api_for, db) -> None:
    Backend.objects.create(name="Catalogue", kind=Backend.Kind.MODELS, base_url="http://127.0.0.1:9/m")
    answer = api_for(admin_user).send("POST", "/api/v1/models/", {
        "vendor": "Alfen", "model": "Eve Double", "power_type": "AC", "ocpp_url": "wss://ocpp.example.com",
        "connectors": [{"connection_type": "Type2", "format": "SOCKET", "max_amperage": "32", "max_voltage": "-1",
                        "max_power_watts": "22000"}]})
    assert answer.status_code == 400, answer.content
    assert any(e["field"].startswith("connectors/0/") for e in answer.json()["errors"])


def test_an_admin_creates_a_model_with_power_in_watts(admin_user, api_for, db) -> None:
    Backend.objects.create(name="Catalogue", kind=Backend.Kind.MODELS, base_url="http://127.0.0.1:9/m")
    answer = api_for(admin_user).send("POST", "/api/v1/models/", {
        "vendor": "Alfen", "model": "Eve Double", "power_type": "AC_3_PHASE", "ocpp_url": "wss://ocpp.example.com",
        "connectors": [{"connection_type": "IEC_62196_T2", "format": "SOCKET", "max_amperage": "32", "max_voltage": "400",
                        "max_power_watts": "22000"}]})
    assert answer.status_code == 202, answer.content
    op = Operation.objects.get(pk=answer.json()["id"])
    assert op.kind == "model.create"
    assert [c.get("maxPowerWatts", c.get("max_power_watts")) for c in op.payload["model"]["connectors"]] == [22000]


def test_a_nul_byte_in_a_search_is_no_server_error(viewer, viewer_client, api_for, db) -> None:
    """Found by schemathesis: PostgreSQL refuses NUL in text, and the searches passed it on."""
    api = api_for(viewer, "read")
    for url in ("/api/v1/models/", "/api/v1/locations/"):
        assert api.get(url, {"q": "Eve\x00", "vendor": "\x00"}).status_code == 200
    for url in ("/models/", "/locations/"):
        assert viewer_client.get(url, {"q": "Eve\x00", "vendor": "\x00"}).status_code == 200


def test_sync_runs_are_those_of_the_callers_backends_and_a_shared_backends_figures_are_null(
        company_a, viewer, admin_user, api_for, db) -> None:
    """As on the Sync page: a viewer reads the runs of their companies' backends; an admin also the shared
    ones, whose figures count every company's rows and so are null for a company's admin (issue 23)."""
    from django.utils import timezone

    from portal.models import SyncRun
    from tests.factories import BackendFactory, UserFactory

    own = BackendFactory(name="Own GreenFlux", kind=Backend.Kind.GREENFLUX, company=company_a)
    shared = BackendFactory(name="Shared ChargEye", kind=Backend.Kind.CHARGEYE, company=None)
    now = timezone.now()
    mine = SyncRun.objects.create(backend=own, entity="stations", status="done", finished_at=now, rows_created=5)
    theirs = SyncRun.objects.create(backend=shared, entity="locations", status="done", finished_at=now,
                                    rows_created=4317, message="1 skipped: a reason")

    def runs(user) -> dict[int, dict]:
        answer = api_for(user).get("/api/v1/sync-runs/")
        assert answer.status_code == 200, answer.content
        return {r["id"]: r for r in answer.json()["results"]}

    assert set(runs(viewer)) == {mine.pk}
    as_admin = runs(admin_user)
    assert set(as_admin) == {mine.pk, theirs.pk} and as_admin[mine.pk]["rows_created"] == 5
    assert as_admin[theirs.pk]["status"] == "done"
    assert as_admin[theirs.pk]["rows_created"] is None and as_admin[theirs.pk]["message"] is None
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert runs(root)[theirs.pk]["rows_created"] == 4317


def test_only_admins_archive_a_model_and_the_answer_is_its_operation(admin_user, operator, api_for, db) -> None:
    model = StationModelFactory(vendor="Alfen", model="Eve Mini")
    url = f"/api/v1/models/{model.pk}/archive/"
    assert api_for(operator).send("POST", url).status_code == 403
    archived = api_for(admin_user).send("POST", url, idempotency_key="archive-eve-mini")
    assert archived.status_code == 202, archived.content
    op = archived.json()
    assert (op["kind"], op["status"], op["target"]["id"]) == ("model.archive", "pending", model.pk)
    assert archived["Location"].endswith(f"/api/v1/operations/{op['id']}/")
    assert op["target"]["url"].endswith(f"/api/v1/models/{model.pk}/")
