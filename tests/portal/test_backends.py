"""The Backends page: admin only, company scoping, write-only secrets, kind rules, the connection check."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import Backend, Company
from simulator.testing import SimulatorHandle
from tests.conftest import client_for
from tests.factories import BackendFactory, UserFactory
from tests.upstream import make_backend
from tests.worker import wait_for

SECRET = "s3cr3t-value-that-must-never-be-shown"


def _greenflux(company: Company, **kw: object) -> Backend:
    return BackendFactory(kind="greenflux", company=company, credentials={"token": SECRET}, **kw)


# -- roles and scoping ----------------------------------------------------------------------


def test_viewer_and_operator_get_403(viewer_client: Client, operator_client: Client, company_a: Company) -> None:
    backend = _greenflux(company_a)
    urls = [reverse("backends:list"), reverse("backends:create"), reverse("backends:edit", args=[backend.pk]),
            reverse("backends:check", args=[backend.pk])]
    for client in (viewer_client, operator_client):
        for url in urls:
            assert client.get(url).status_code == 403
        assert client.post(reverse("backends:check", args=[backend.pk])).status_code == 403
        assert client.post(reverse("backends:set_active", args=[backend.pk]), {"active": "0"}).status_code == 403
    backend.refresh_from_db()
    assert backend.is_active


def test_admin_sees_own_and_shared_backends_only(
    admin_client_portal: Client, company_a: Company, company_b: Company
) -> None:
    _greenflux(company_a, name="Depot A GreenFlux")
    BackendFactory(kind="models", company=None, name="Shared catalogue", credentials={"token": "x"})
    other = _greenflux(company_b, name="Company B GreenFlux")
    page = admin_client_portal.get(reverse("backends:list")).content.decode()
    assert "Depot A GreenFlux" in page
    assert "Shared catalogue" in page
    assert "Company B GreenFlux" not in page
    for url in (reverse("backends:edit", args=[other.pk]), reverse("backends:check", args=[other.pk])):
        assert admin_client_portal.get(url).status_code == 404
    assert admin_client_portal.post(reverse("backends:set_active", args=[other.pk]), {"active": "0"}).status_code == 404
    other.refresh_from_db()
    assert other.is_active


def test_superuser_sees_every_backend(company_a: Company, company_b: Company) -> None:
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    _greenflux(company_b, name="Company B GreenFlux")
    assert "Company B GreenFlux" in client_for(root).get(reverse("backends:list")).content.decode()


# -- create and edit --------------------------------------------------------------------------


def test_create_greenflux_backend_stores_token_encrypted(admin_client_portal: Client, company_a: Company) -> None:
    response = admin_client_portal.post(reverse("backends:create"), {
        "name": "Depot GF", "kind": "greenflux", "company": company_a.pk,
        "base_url": "https://gf.example.com/api/", "cred_token": SECRET,
    })
    assert response.status_code == 302
    backend = Backend.objects.get(name="Depot GF")
    assert backend.credentials == {"token": SECRET}
    assert SECRET not in backend.encrypted_credentials
    assert backend.base_url == "https://gf.example.com/api"
    assert backend.company == company_a


def test_form_shows_credential_fields_of_the_chosen_kind(admin_client_portal: Client) -> None:
    page = admin_client_portal.get(reverse("backends:create") + "?kind=beenergised").content.decode()
    assert 'name="cred_token_url"' in page and 'name="cred_client_secret"' in page
    assert 'name="cred_refresh_token"' not in page
    # htmx asks for the credentials fragment only when the kind select changes.
    fragment = admin_client_portal.get(reverse("backends:create") + "?kind=chargeye", HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert 'name="cred_refresh_token"' in html and "<html" not in html
    assert 'name="cred_client_secret"' not in html


def test_without_javascript_changing_kind_keeps_typed_values_but_not_secrets(admin_client_portal: Client) -> None:
    page = admin_client_portal.post(reverse("backends:create"), {
        "name": "Half typed", "kind": "chargeye", "base_url": "https://ce.example.com/api",
        "cred_token": SECRET, "show_kind": "1",
    }).content.decode()
    assert 'name="cred_refresh_token"' in page
    assert 'value="Half typed"' in page
    assert SECRET not in page
    assert not Backend.objects.exists()


@pytest.mark.parametrize("kind", ["beenergised", "greenflux"])
def test_company_required_for_single_company_kinds(admin_client_portal: Client, kind: str) -> None:
    data = {"name": "No company", "kind": kind, "base_url": "https://x.example.com",
            "cred_token": "t", "cred_token_url": "https://x.example.com/token", "cred_client_id": "id",
            "cred_client_secret": "s"}
    response = admin_client_portal.post(reverse("backends:create"), data)
    assert response.status_code == 422
    assert "Choose the company this backend" in response.content.decode()
    assert not Backend.objects.exists()


def test_company_optional_for_models_and_chargeye(company_a: Company) -> None:
    root = UserFactory(username="root", is_superuser=True, is_staff=True)  # a shared backend: the platform's admins
    response = client_for(root).post(reverse("backends:create"), {
        "name": "Catalogue", "kind": "models", "base_url": "https://models.example.com", "cred_token": "t"})
    assert response.status_code == 302
    assert Backend.objects.get(name="Catalogue").company is None


@pytest.mark.parametrize("url", ["ftp://files.example.com", "javascript:alert(1)", "not a url"])
def test_base_url_must_be_http(admin_client_portal: Client, url: str) -> None:
    response = admin_client_portal.post(reverse("backends:create"), {
        "name": "Bad URL", "kind": "models", "base_url": url, "cred_token": "t"})
    assert response.status_code == 422
    assert "Enter a URL starting with http:// or https://." in response.content.decode()
    assert not Backend.objects.exists()


def test_secret_required_on_create(admin_client_portal: Client) -> None:
    response = admin_client_portal.post(reverse("backends:create"), {
        "name": "No token", "kind": "models", "base_url": "https://models.example.com", "cred_token": ""})
    assert response.status_code == 422
    assert not Backend.objects.exists()


def test_secret_is_never_rendered(admin_client_portal: Client, company_a: Company) -> None:
    backend = BackendFactory(kind="beenergised", company=company_a, base_url="https://be.example.com", credentials={
        "token_url": "https://be.example.com/token", "client_id": "client-42", "client_secret": SECRET})
    backend.check_ok, backend.check_message = False, "Authentication failed"
    backend.save()
    pages = [
        admin_client_portal.get(reverse("backends:list")),
        admin_client_portal.get(reverse("backends:edit", args=[backend.pk])),
        admin_client_portal.get(reverse("backends:check", args=[backend.pk])),
        # A form error re-renders the form with what was posted: the secret must not come back either.
        admin_client_portal.post(reverse("backends:edit", args=[backend.pk]), {
            "name": "", "kind": "beenergised", "company": company_a.pk, "base_url": "https://be.example.com",
            "cred_token_url": "https://be.example.com/token", "cred_client_id": "client-42",
            "cred_client_secret": SECRET}),
    ]
    for response in pages:
        assert response.status_code in (200, 422)
        assert SECRET not in response.content.decode()
    edit = pages[1].content.decode()
    assert "client-42" in edit  # the non-secret fields are shown
    assert "Leave blank to keep the current secret." in edit


def test_blank_secret_keeps_the_stored_one(admin_client_portal: Client, company_a: Company) -> None:
    backend = _greenflux(company_a, name="Keep me", base_url="https://gf.example.com")
    response = admin_client_portal.post(reverse("backends:edit", args=[backend.pk]), {
        "name": "Keep me renamed", "kind": "greenflux", "company": company_a.pk,
        "base_url": "https://gf.example.com", "cred_token": ""})
    assert response.status_code == 302
    backend.refresh_from_db()
    assert backend.name == "Keep me renamed"
    assert backend.credentials == {"token": SECRET}


def test_new_secret_replaces_the_old_one(admin_client_portal: Client, company_a: Company) -> None:
    backend = _greenflux(company_a, base_url="https://gf.example.com")
    admin_client_portal.post(reverse("backends:edit", args=[backend.pk]), {
        "name": backend.name, "kind": "greenflux", "company": company_a.pk,
        "base_url": "https://gf.example.com", "cred_token": "a-fresh-token"})
    backend.refresh_from_db()
    assert backend.credentials == {"token": "a-fresh-token"}


def test_kind_change_is_refused(admin_client_portal: Client, company_a: Company) -> None:
    backend = _greenflux(company_a, name="Stays GreenFlux", base_url="https://gf.example.com")
    response = admin_client_portal.post(reverse("backends:edit", args=[backend.pk]), {
        "name": "Stays GreenFlux", "kind": "chargeye", "company": company_a.pk,
        "base_url": "https://gf.example.com", "cred_token": ""})
    assert response.status_code == 422
    assert "The kind cannot change from GreenFlux" in response.content.decode()
    backend.refresh_from_db()
    assert backend.kind == "greenflux"
    assert backend.credentials == {"token": SECRET}


def test_duplicate_name_refused(admin_client_portal: Client, company_a: Company) -> None:
    _greenflux(company_a, name="Taken")
    response = admin_client_portal.post(reverse("backends:create"), {
        "name": "taken", "kind": "models", "base_url": "https://models.example.com", "cred_token": "t"})
    assert response.status_code == 422
    assert "A backend with this name already exists." in response.content.decode()


def test_deactivate_and_activate(admin_client_portal: Client, company_a: Company) -> None:
    backend = _greenflux(company_a)
    admin_client_portal.post(reverse("backends:set_active", args=[backend.pk]), {"active": "0"})
    backend.refresh_from_db()
    assert not backend.is_active
    assert "inactive" in admin_client_portal.get(reverse("backends:list")).content.decode()
    admin_client_portal.post(reverse("backends:set_active", args=[backend.pk]), {"active": "1"})
    backend.refresh_from_db()
    assert backend.is_active


def test_get_cannot_deactivate(admin_client_portal: Client, company_a: Company) -> None:
    backend = _greenflux(company_a)
    assert admin_client_portal.get(reverse("backends:set_active", args=[backend.pk])).status_code == 405


# -- the connection check ---------------------------------------------------------------------


def test_check_request_shows_checking_and_polls(
    admin_client_portal: Client, company_a: Company, django_capture_on_commit_callbacks: object
) -> None:
    """Pressing the button only enqueues (no worker here): the fragment says checking and polls."""
    backend = _greenflux(company_a)
    url = reverse("backends:check", args=[backend.pk])
    with django_capture_on_commit_callbacks() as callbacks:  # type: ignore[operator]
        response = admin_client_portal.post(url, HTTP_HX_REQUEST="true")
    assert len(callbacks) == 1  # the task is sent on commit, nothing called upstream
    html = response.content.decode()
    assert "checking…" in html and 'hx-trigger="every 1s"' in html
    # Without JavaScript the button leads to a page with a plain refresh link.
    plain = admin_client_portal.post(url)
    assert plain.status_code == 302 and "since=" in plain["Location"]
    page = admin_client_portal.get(plain["Location"]).content.decode()
    assert "checking…" in page and ">Refresh</a>" in page


@pytest.fixture
def transactional(transactional_db: None) -> None:
    """The worker is another process: it only sees committed rows."""


def _check_via_worker(client: Client, backend: Backend) -> str:
    url = reverse("backends:check", args=[backend.pk])
    poll = client.post(url)["Location"]
    wait_for(lambda: Backend.objects.get(pk=backend.pk).checked_at is not None, timeout=30)
    return client.get(poll, HTTP_HX_REQUEST="true").content.decode()


@pytest.mark.worker
@pytest.mark.parametrize("kind", ["beenergised", "greenflux", "models", "chargeye"])
def test_check_with_good_credentials_says_connected(
    transactional: None, celery_worker_process: object, simulator: SimulatorHandle,
    admin_client_portal: Client, company_a: Company, kind: str,
) -> None:
    backend = make_backend(simulator, kind, company_a)
    html = _check_via_worker(admin_client_portal, backend)
    backend.refresh_from_db()
    assert backend.check_ok is True, backend.check_message
    assert backend.check_message.startswith("Connected: ")
    assert backend.check_message in html and "checking…" not in html and "every 1s" not in html


@pytest.mark.worker
@pytest.mark.parametrize("kind", ["beenergised", "greenflux", "chargeye"])
def test_check_with_wrong_secret_names_auth_and_hides_it(
    transactional: None, celery_worker_process: object, simulator: SimulatorHandle,
    admin_client_portal: Client, company_a: Company, kind: str,
) -> None:
    backend = make_backend(simulator, kind, company_a)
    secret_name = {"beenergised": "client_secret", "greenflux": "token", "chargeye": "refresh_token"}[kind]
    backend.credentials = {**backend.credentials, secret_name: SECRET}
    backend.save()
    html = _check_via_worker(admin_client_portal, backend)
    backend.refresh_from_db()
    assert backend.check_ok is False
    assert "Authentication failed" in backend.check_message
    assert SECRET not in backend.check_message and SECRET not in html
    assert "Authentication failed" in html


@pytest.mark.worker
def test_check_of_unreachable_upstream_says_so(
    transactional: None, celery_worker_process: object, simulator: SimulatorHandle,
    admin_client_portal: Client, company_a: Company,
) -> None:
    backend = make_backend(simulator, "greenflux", company_a)
    simulator.set_faults("greenflux", next_5xx=10)
    _check_via_worker(admin_client_portal, backend)
    backend.refresh_from_db()
    assert backend.check_ok is False
    assert backend.check_message.startswith("Upstream unreachable or failing")


def test_check_without_answer_stops_polling_and_says_why(admin_client_portal: Client, company_a: Company) -> None:
    """No worker ran the check within a minute: stop polling and point at the likely cause."""
    backend = _greenflux(company_a)
    stale = int(time.time()) - 120
    response = admin_client_portal.get(
        reverse("backends:check", args=[backend.pk]) + f"?since=0&asked={stale}", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Is a worker running?" in html
    assert "every 1s" not in html
