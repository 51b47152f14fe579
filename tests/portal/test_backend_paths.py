"""Paths the vendor documents do not give are backend settings, checked by "test connection" (issue 11, finding 6)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from portal.audit.models import AuditEntry
from portal.models import Backend, Company, SyncRun
from portal.services import backend_check
from sync.engine import refresh_run
from simulator.testing import SimulatorHandle
from tests.conftest import client_for
from stations.models import HardwareTemplate
from tests.upstream import make_backend


def test_check_names_a_template_path_the_upstream_does_not_have(
    simulator: SimulatorHandle, company_a: Company
) -> None:
    backend = make_backend(simulator, "greenflux", company_a, paths={"templates": "/hardware-templates"})
    checked = backend_check(backend)
    # The stations (documented) answer: the check passes, the path no document gives is a warning.
    assert checked.check_ok is True
    assert f"optional: not found at {backend.base_url}/hardware-templates" in checked.check_message


def test_against_the_documents_only_the_check_passes_with_warnings_and_the_checklist_ticks(
    simulator: SimulatorHandle, company_a: Company, admin_user
) -> None:
    from dashboard.setup_checklist import setup_steps

    simulator.documents_only()
    backend = make_backend(simulator, "greenflux", company_a)
    checked = backend_check(backend)
    assert checked.check_ok is True, checked.check_message
    assert "Connected: " in checked.check_message and "stations visible" in checked.check_message
    assert f"optional: not found at {backend.base_url}/chargestation-templates" in checked.check_message
    assert f"optional: not found at {backend.base_url}/locations" in checked.check_message
    page = client_for(admin_user).get("/backends/").content.decode()
    assert "with warnings" in page and "optional: not found at" in page
    step = next(s for s in setup_steps(admin_user) if s.title == "Test the connections")
    assert step.done, step.detail
    configured = make_backend(simulator, "greenflux", company_a, name="GF vendor path",
                              paths={"templates": "/charge-station-templates"})
    message = backend_check(configured).check_message
    assert f"hardware templates at {configured.base_url}/charge-station-templates" in message


def test_the_template_refresh_reads_the_path_the_backend_names(
    simulator: SimulatorHandle, company_a: Company
) -> None:
    wrong = make_backend(simulator, "greenflux", company_a, name="GF wrong path",
                         paths={"templates": "/hardware-templates"})
    run = refresh_run(wrong, "templates")
    # A path no document gives is optional: not found, the run says where it looked and reads nothing.
    assert run.status == SyncRun.Status.DONE and f"optional: not found at {wrong.base_url}/hardware-templates" \
        in run.message
    assert not HardwareTemplate.objects.filter(backend=wrong).exists()
    right = make_backend(simulator, "greenflux", company_a, name="GF right path",
                         paths={"templates": "/chargestation-templates"})
    assert refresh_run(right, "templates").status == SyncRun.Status.DONE
    assert HardwareTemplate.objects.filter(backend=right).count() == len(simulator.store.values("gf_templates")) > 0


def test_admin_sets_a_path_on_the_backend_form_and_it_is_audited(
    simulator: SimulatorHandle, admin_client_portal: Client, company_a: Company
) -> None:
    backend = make_backend(simulator, "greenflux", company_a)
    url = reverse("backends:edit", args=[backend.pk])
    page = admin_client_portal.get(url).content.decode()
    assert "Hardware templates path" in page and 'placeholder="/chargestation-templates"' in page
    form = {"name": backend.name, "kind": "greenflux", "company": company_a.pk, "base_url": backend.base_url,
            "path_templates": "/v2/templates", "path_locations": ""}
    assert admin_client_portal.post(url, form).status_code == 302
    backend.refresh_from_db()
    assert backend.paths == {"templates": "/v2/templates"}
    entry = AuditEntry.objects.filter(action="backend.update", entity_id=str(backend.pk)).latest("pk")
    assert entry.after["paths"] == {"templates": "/v2/templates"}
    bad = admin_client_portal.post(url, {**form, "path_templates": "v2 templates?x=1"})
    assert bad.status_code == 422 and "A path starts with /" in bad.content.decode()
    backend.refresh_from_db()
    assert backend.paths == {"templates": "/v2/templates"}


def test_a_request_no_document_gives_is_offered_once_its_path_is_set_on_the_form(
    simulator: SimulatorHandle, admin_client_portal: Client, company_a: Company
) -> None:
    backend = make_backend(simulator, "beenergised", company_a)
    url = reverse("backends:edit", args=[backend.pk])
    page = admin_client_portal.get(url).content.decode()
    assert "Cancel a maintenance window (path)" in page and "Blank: not offered." in page
    creds = backend.credentials
    form = {"name": backend.name, "kind": "beenergised", "company": company_a.pk, "base_url": backend.base_url,
            "cred_token_url": creds["token_url"], "cred_client_id": creds["client_id"],
            "path_maintenance_cancel": "/api/cpoapi/v1/maintenance_windows/{id}/"}
    assert admin_client_portal.post(url, form).status_code == 302
    backend.refresh_from_db()
    assert backend.paths == {"maintenance_cancel": "/api/cpoapi/v1/maintenance_windows/{id}/"}
    with backend.connector() as connector:
        assert connector.offers("maintenance_cancel")


def test_a_base_url_with_the_documented_prefix_works_and_errors_name_the_url_tried(
    simulator: SimulatorHandle, company_a: Company
) -> None:
    # The catalogue's own examples print /asset-management/v1: entered with it, it is not doubled (issue 24 item 6).
    with_prefix = make_backend(simulator, "models", None, name="Models with prefix",
                               base_url=simulator.base_url("models") + "/asset-management/v1/")
    checked = backend_check(with_prefix)
    assert checked.check_ok is True, checked.check_message
    be_prefix = make_backend(simulator, "beenergised", company_a, name="be with prefix",
                             base_url=simulator.base_url("beenergised") + "/api/cpoapi/v1")
    assert backend_check(be_prefix).check_ok is True
    wrong = make_backend(simulator, "models", None, name="Models at the host root", base_url=simulator.root_url)
    checked = backend_check(wrong)
    assert checked.check_ok is False
    assert f"{simulator.root_url}/asset-management/v1/charging-station-models" in checked.check_message
