"""Fixtures shared by every test: one user per role, two companies, service checks."""

from __future__ import annotations

import socket

import pytest
from django.test import Client
from django.urls import reverse

from portal.access import Role
from portal.models import Backend, Company, User
from simulator.testing import SimulatorHandle
from simulator.seed import COMPANIES as SIM_COMPANIES
from tests.factories import PASSWORD, CompanyFactory, UserFactory

# The simulator's fixtures (`simulator_server`, `simulator`): the upstream of every test.
pytest_plugins = ["simulator.pytest_plugin"]

SERVICES = {"PostgreSQL": ("127.0.0.1", 5432), "Redis": ("127.0.0.1", 6379)}


def pytest_configure(config: pytest.Config) -> None:
    """Stop at once, with a message that says what to start, if a service is missing."""
    missing = []
    for name, (host, port) in SERVICES.items():
        try:
            socket.create_connection((host, port), timeout=2).close()
        except OSError:
            missing.append(f"{name} on {host}:{port}")
    if missing:
        pytest.exit(
            "The tests need " + " and ".join(missing) + " to be reachable; start them and run `make test` again.",
            returncode=3,
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """Before a test's fixtures are torn down (the database flushed), let the session worker go quiet."""
    if "celery_worker_process" in getattr(item, "fixturenames", ()):
        from tests.worker import _session_worker, wait_until_idle

        if _session_worker:
            wait_until_idle(_session_worker[0])
    yield


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache, as its database starts empty (cached lookups key on ids,
    upstream tokens on backends). The cache is Redis, shared with the worker process."""
    from django.conf import settings
    from django.core.cache import cache

    config = settings.CACHES["default"]
    if "RedisCache" in config["BACKEND"]:
        # Only this test process's keys: parallel processes share the Redis database.
        client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
        for key in client.scan_iter(match=f"{config['KEY_PREFIX']}:*", count=1000):
            client.delete(key)
    elif "DatabaseCache" not in config["BACKEND"]:  # a database cache needs the db fixture
        cache.clear()


@pytest.fixture
def company_a(db: None) -> Company:
    """The simulator's first company, so upstream records of it land here."""
    return CompanyFactory(name="Company A", upstream_ref=SIM_COMPANIES[0]["uuid"])


@pytest.fixture
def company_b(db: None) -> Company:
    return CompanyFactory(name="Company B", upstream_ref=SIM_COMPANIES[1]["uuid"])


@pytest.fixture
def viewer(company_a: Company) -> User:
    return UserFactory(username="viewer", role=Role.VIEWER, companies=[company_a])


@pytest.fixture
def operator(company_a: Company) -> User:
    return UserFactory(username="operator", role=Role.OPERATOR, companies=[company_a])


@pytest.fixture
def admin_user(company_a: Company) -> User:
    return UserFactory(username="admin", role=Role.ADMIN, companies=[company_a])


@pytest.fixture
def other_company_user(company_b: Company) -> User:
    """An operator of company B only: must never see company A's records."""
    return UserFactory(username="outsider", role=Role.OPERATOR, companies=[company_b])


@pytest.fixture
def users_by_role(viewer: User, operator: User, admin_user: User) -> dict[Role, User]:
    return {Role.VIEWER: viewer, Role.OPERATOR: operator, Role.ADMIN: admin_user}


def can_sign_in(username: str, password: str) -> bool:
    """Sign in through the login form, as a person does (django-axes needs the request)."""
    response = Client().post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def viewer_client(viewer: User) -> Client:
    return client_for(viewer)


@pytest.fixture
def operator_client(operator: User) -> Client:
    return client_for(operator)


@pytest.fixture
def admin_client_portal(admin_user: User) -> Client:
    return client_for(admin_user)


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup: None, django_db_blocker: object, tmp_path_factory: pytest.TempPathFactory):
    """One real worker for the session, reading the test database (use with ``transactional_db``)."""
    from tests.worker import running_worker

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        from tests.worker import _session_worker

        with running_worker(tmp_path_factory.mktemp("worker") / "worker.log") as proc:
            _session_worker[:] = [proc.celery_hostname]
            yield proc
            _session_worker.clear()


@pytest.fixture
def gf_backend(simulator: SimulatorHandle, company_a: Company) -> Backend:
    """Company A's GreenFlux backend on the simulator, with its locations and templates mirrored."""
    from tests.upstream import make_backend, mirror_greenflux_parents

    backend = make_backend(simulator, "greenflux", company_a)
    mirror_greenflux_parents(backend)
    return backend


@pytest.fixture
def be_backend(simulator: SimulatorHandle, company_a: Company) -> Backend:
    """Company A's be.ENERGISED backend on the simulator, with its technicians mirrored."""
    from tests.upstream import make_backend, mirror_technicians

    backend = make_backend(simulator, "beenergised", company_a)
    mirror_technicians(backend)
    return backend
