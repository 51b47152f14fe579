"""The Companies page: admins only, company scoping, identities checked with the upstream before use."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from portal.access import Role
from portal.identities import company_ref, company_refs, identity_check
from portal.models import Backend, Company, CompanyIdentity
from simulator.seed import COMPANIES as SIM_COMPANIES
from simulator.testing import SimulatorHandle
from tests.conftest import client_for
from tests.factories import CompanyFactory, UserFactory
from tests.upstream import make_backend
from tests.worker import wait_for

VOLTARO, NORDLICHT = SIM_COMPANIES[0]["uuid"], SIM_COMPANIES[1]["uuid"]
UNKNOWN = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def fresh(db: None) -> Company:
    """A company set up from the browser: no reference from a seed."""
    return CompanyFactory(name="Fresh Fleet", upstream_ref=None)


@pytest.fixture
def fresh_admin(fresh: Company) -> Client:
    return client_for(UserFactory(username="fresh-admin", role=Role.ADMIN, companies=[fresh]))


def _be_backend(simulator: SimulatorHandle, company: Company, client_of: str = VOLTARO) -> Backend:
    """A be.ENERGISED backend of ``company`` whose credentials act for the simulator company ``client_of``."""
    backend = make_backend(simulator, "beenergised", None, name=f"BE {company.name}")
    client = next(c for c in simulator.credentials["beenergised"]["clients"] if c["company_uuid"] == client_of)
    backend.credentials = {**backend.credentials, "client_id": client["client_id"],
                           "client_secret": client["client_secret"]}
    backend.company = company
    backend.save()
    return backend


def _post_identity(client: Client, company: Company, backend: Backend, ref: str, capture: object) -> object:
    with capture() as callbacks:  # type: ignore[operator]
        response = client.post(reverse("companies:edit", args=[company.pk]),
                               {"name": company.name, f"ref_{backend.pk}": ref})
    return response, callbacks


# -- roles and scoping ------------------------------------------------------------------------

def test_viewer_and_operator_get_403(viewer_client: Client, operator_client: Client, company_a: Company) -> None:
    for client in (viewer_client, operator_client):
        for url in (reverse("companies:list"), reverse("companies:edit", args=[company_a.pk]),
                    reverse("companies:identities", args=[company_a.pk])):
            assert client.get(url).status_code == 403
        assert client.post(reverse("companies:list"), {"name": "Sneaky"}).status_code == 403
    assert not Company.objects.filter(name="Sneaky").exists()


def test_admin_sees_and_edits_own_companies_only(
    admin_client_portal: Client, company_a: Company, company_b: Company
) -> None:
    page = admin_client_portal.get(reverse("companies:list")).content.decode()
    assert "Company A" in page and "Company B" not in page
    for url in (reverse("companies:edit", args=[company_b.pk]), reverse("companies:identities", args=[company_b.pk])):
        assert admin_client_portal.get(url).status_code == 404
    response = admin_client_portal.post(reverse("companies:edit", args=[company_b.pk]), {"name": "Taken over"})
    assert response.status_code == 404
    company_b.refresh_from_db()
    assert company_b.name == "Company B"


def test_a_superuser_creates_companies(company_a: Company) -> None:
    root = client_for(UserFactory(username="root", is_superuser=True, is_staff=True))
    response = root.post(reverse("companies:list"), {"name": "Depot Noord"})
    company = Company.objects.get(name="Depot Noord")
    assert response.status_code == 302 and response["Location"] == reverse("companies:edit", args=[company.pk])
    again = root.post(reverse("companies:list"), {"name": "depot noord"})
    assert again.status_code == 422 and "A company with this name exists already." in again.content.decode()
    assert Company.objects.filter(name__iexact="depot noord").count() == 1


def test_a_company_admin_cannot_learn_which_company_names_exist(
        admin_client_portal: Client, company_a: Company, company_b: Company) -> None:
    """Issue 23 item 4: creating (or renaming to) a taken name confirmed that another company has it.
    Naming companies is for superusers: an admin is refused whatever the name, taken or not."""
    for name in ("Company B", "company b", "Nobody Has This Name"):
        assert admin_client_portal.post(reverse("companies:list"), {"name": name}).status_code == 403
        page = admin_client_portal.post(reverse("companies:edit", args=[company_a.pk]), {"name": name})
        assert "exists already" not in page.content.decode()
    assert not Company.objects.filter(name="Nobody Has This Name").exists()
    company_a.refresh_from_db()
    assert company_a.name == "Company A"
    assert "Create company" not in admin_client_portal.get(reverse("companies:list")).content.decode()


def test_identity_used_by_another_company_is_refused_at_once(
    fresh_admin: Client, fresh: Company, simulator: SimulatorHandle, django_capture_on_commit_callbacks: object,
) -> None:
    backend = _be_backend(simulator, fresh)
    other = CompanyFactory(name="Other Fleet", upstream_ref=None)
    CompanyIdentity.objects.create(company=other, backend=backend, ref=VOLTARO, status="confirmed")
    response, callbacks = _post_identity(fresh_admin, fresh, backend, VOLTARO, django_capture_on_commit_callbacks)
    html = response.content.decode()
    assert response.status_code == 422 and not callbacks
    # Issue 23 item 4: refused without naming the company that uses it.
    assert "This identity is already in use" in html and "Nothing was saved" in html
    assert "Other Fleet" not in html
    assert not CompanyIdentity.objects.filter(company=fresh).exists()


# -- the check, be.ENERGISED ------------------------------------------------------------------

def test_be_identity_is_checked_by_a_task_then_confirmed(
    fresh_admin: Client, fresh: Company, simulator: SimulatorHandle, django_capture_on_commit_callbacks: object,
) -> None:
    backend = _be_backend(simulator, fresh)
    response, callbacks = _post_identity(fresh_admin, fresh, backend, VOLTARO, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and len(callbacks) == 1  # enqueued on commit; nothing asked upstream yet
    identity = CompanyIdentity.objects.get(company=fresh, backend=backend)
    assert identity.status == "checking" and identity.ref == ""
    poll = fresh_admin.get(reverse("companies:identities", args=[fresh.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "checking…" in poll and 'hx-trigger="every 1s"' in poll
    assert company_ref(fresh, backend) is None  # not used before the upstream confirms it

    identity_check(identity)  # what the worker runs
    identity.refresh_from_db()
    assert identity.status == "confirmed" and identity.ref == VOLTARO
    assert company_refs(backend)[VOLTARO] == fresh.pk and company_ref(fresh, backend) == VOLTARO
    done = fresh_admin.get(reverse("companies:identities", args=[fresh.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "confirmed" in done and "every 1s" not in done


def test_unknown_be_identity_is_refused_naming_the_field_and_nothing_saved(
    fresh_admin: Client, fresh: Company, simulator: SimulatorHandle, django_capture_on_commit_callbacks: object,
) -> None:
    backend = _be_backend(simulator, fresh)
    CompanyIdentity.objects.create(company=fresh, backend=backend, ref=VOLTARO, requested_ref=VOLTARO,
                                   status="confirmed")
    _post_identity(fresh_admin, fresh, backend, UNKNOWN, django_capture_on_commit_callbacks)
    identity_check(CompanyIdentity.objects.get(company=fresh, backend=backend))
    identity = CompanyIdentity.objects.get(company=fresh, backend=backend)
    assert identity.status == "refused" and identity.ref == VOLTARO  # the identity in use is kept
    assert "companyUuid" in identity.message and "Nothing was saved" in identity.message
    page = fresh_admin.get(reverse("companies:edit", args=[fresh.pk])).content.decode()
    assert "refused" in page and f"Identity on BE {fresh.name} (be.ENERGISED companyUuid)" in page
    assert company_ref(fresh, backend) == VOLTARO


def test_be_identity_of_another_company_than_the_credentials_is_refused(
    fresh: Company, simulator: SimulatorHandle
) -> None:
    backend = _be_backend(simulator, fresh, client_of=VOLTARO)
    identity = CompanyIdentity.objects.create(company=fresh, backend=backend, requested_ref=NORDLICHT)
    identity = identity_check(identity)
    assert identity.status == "refused" and identity.ref == ""
    assert f"companyUuid {NORDLICHT} is not the company of" in identity.message


# -- the check, ChargEye ------------------------------------------------------------------------

def test_chargeye_tenant_is_confirmed_or_refused(fresh: Company, simulator: SimulatorHandle) -> None:
    backend = make_backend(simulator, "chargeye", None, name="Shared ChargEye")
    good = identity_check(CompanyIdentity.objects.create(company=fresh, backend=backend, requested_ref=VOLTARO))
    assert good.status == "confirmed" and good.ref == VOLTARO
    other = CompanyFactory(name="Typo Fleet", upstream_ref=None)
    bad = identity_check(CompanyIdentity.objects.create(company=other, backend=backend, requested_ref=UNKNOWN))
    assert bad.status == "refused" and bad.ref == ""
    assert "tenantIdCPO" in bad.message and "Nothing was saved" in bad.message


def test_refreshed_locations_find_a_company_by_its_identity(fresh: Company, simulator: SimulatorHandle) -> None:
    from locations.models import Location
    from sync.engine import refresh_run

    backend = make_backend(simulator, "chargeye", None, name="Shared ChargEye")
    CompanyIdentity.objects.create(company=fresh, backend=backend, ref=VOLTARO, status="confirmed")
    run = refresh_run(backend, "locations")
    mine = Location.objects.filter(backend=backend, company=fresh)
    assert mine.exists()
    assert all(loc.upstream_data.get("tenant_id_cpo") == VOLTARO for loc in mine)
    # Tenants without an identity in the portal are not guessed: counted as errors of the run.
    assert run.errors > 0 and "skipped: locations whose ChargEye tenant is linked to no company in the portal" in run.message


# -- with a real worker ---------------------------------------------------------------------------

@pytest.mark.worker
def test_identity_check_runs_in_the_worker(
    transactional_db: None, celery_worker_process: object, simulator: SimulatorHandle,
) -> None:
    company = CompanyFactory(name="Worker Fleet", upstream_ref=None)
    client = client_for(UserFactory(username="w-admin", role=Role.ADMIN, companies=[company]))
    backend = _be_backend(simulator, company)
    client.post(reverse("companies:edit", args=[company.pk]), {"name": company.name, f"ref_{backend.pk}": VOLTARO})
    wait_for(lambda: CompanyIdentity.objects.get(company=company).status != "checking", timeout=30)
    html = client.get(reverse("companies:identities", args=[company.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "confirmed" in html and "every 1s" not in html


def test_once_the_connection_works_the_page_offers_the_identity_the_upstream_reports(
    fresh_admin: Client, fresh: Company, simulator: SimulatorHandle, django_capture_on_commit_callbacks: object,
) -> None:
    # Issue 24 item 5: the admin need not know the companyUuid; the token's own records name it.
    from portal.services import backend_check

    backend = _be_backend(simulator, fresh, client_of=NORDLICHT)
    url = reverse("companies:edit", args=[fresh.pk])
    assert f"Use {NORDLICHT}" not in fresh_admin.get(url).content.decode()  # not before the credentials work
    assert backend_check(backend).check_ok
    page = fresh_admin.get(url).content.decode()
    assert f"Use {NORDLICHT}" in page and VOLTARO not in page
    with django_capture_on_commit_callbacks():
        response = fresh_admin.post(url, {"name": fresh.name, f"ref_{backend.pk}": "",
                                          "use_ref": f"{backend.pk}:{NORDLICHT}"})
    assert response.status_code == 302
    identity = CompanyIdentity.objects.get(company=fresh, backend=backend)
    identity_check(identity)
    identity.refresh_from_db()
    assert identity.status == "confirmed" and identity.ref == NORDLICHT
    assert f"Use {NORDLICHT}" not in fresh_admin.get(url).content.decode()  # it is the identity now


def test_a_shared_chargeye_token_reports_its_tenants_to_the_platforms_admins_only(
        fresh_admin: Client, fresh: Company, simulator: SimulatorHandle) -> None:
    """Issue 23: the tenants a shared backend reports are every company's; claiming one that is no company's
    here yet would take another company's records (the check confirms that a tenant exists, not whose)."""
    from portal.services import backend_check

    backend = make_backend(simulator, "chargeye", None)
    assert backend_check(backend).check_ok
    tenants = {loc["tenantIdCPO"] for loc in simulator.store.values("ce_locations")}
    url = reverse("companies:edit", args=[fresh.pk])
    page = fresh_admin.get(url).content.decode()
    assert not any(tenant in page for tenant in tenants)
    assert "This backend is shared by every company: the platform" in page
    tenant = sorted(tenants)[0]
    for form in ({f"ref_{backend.pk}": tenant}, {"use_ref": f"{backend.pk}:{tenant}"}):
        assert fresh_admin.post(url, {"name": fresh.name, **form}).status_code == 302
    assert not CompanyIdentity.objects.filter(company=fresh).exists()
    root = client_for(UserFactory(username="root", is_superuser=True, is_staff=True))
    assert any(f"Use {t}" in root.get(url).content.decode() for t in tenants)
    root.post(url, {"name": fresh.name, "use_ref": f"{backend.pk}:{tenant}"})
    assert CompanyIdentity.objects.get(company=fresh, backend=backend).requested_ref == tenant
