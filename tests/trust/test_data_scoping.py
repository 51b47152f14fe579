"""Object-level scoping: company B's users never receive company A's data, whatever they open.

Beside the URL × role matrix (which checks answers), this test checks *content*. Two companies,
a viewer, an operator and an admin in each, and one admin of both. Data of both companies is
made through the real paths: refreshes from the simulator (sync runs), an import spanning both
companies (rows, stations, create operations), an invalid import spanning both (problems, rows to
fix), a quick edit, a conflict, audit entries of users and backends. Then every page, fragment and
download a user of A (or of both) can reach is found by following ``href`` and ``hx-get`` from the
pages, and every URL pattern is filled with the ids of real records; each of those is opened by
each user of B, who must receive none of A's identities, labels, names or backend names — and the
other way round.
"""

from __future__ import annotations

import html
import inspect
import io
import re
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import resolve, reverse

from locations.models import Location
from portal import services as portal_services
from portal.access import Role
from portal.audit.models import AuditEntry
from portal.models import Backend, Company, Operation, SyncRun, User
from outbox.operations import operation_run
from sync.engine import refresh_run
from sync.refreshers import refreshers_for
from simulator.testing import SimulatorHandle
from stations import services as station_services
from stations.csv_import.format import template_csv
from stations.csv_import.models import ImportJob, ImportRow
from stations.csv_import.services import import_confirm, import_run, import_upload
from stations.models import Station, Technician
from stations.versions import form_changes, shown_version
from tests.factories import StationModelFactory, UserFactory
from tests.stations.test_csv_import import csv_bytes
from tests.trust.test_access_matrix import project_urls
from tests.upstream import make_backend

LINK = re.compile(r'''(?:href|hx-get)="([^"]+)"''')
HX_LINK = re.compile(r'''hx-get="([^"]+)"''')
SKIP_PREFIXES = ("/static/", "/accounts/logout", "/django-admin", "/accounts/invite")
QUERIES_PER_PATH = 3  # filters and sort links multiply; a few variants of each page are enough
PATHS_PER_SHAPE = 4  # /stations/<id>/ for a hundred stations: a few of them (the ids come from patterns too)
PARTS = {"stations:import_detail": ("progress",), "sync:list": ("runs",)}  # fragments chosen by ?part=
MIN_SECRET = 5  # shorter strings (ids like "1", "AC") occur anywhere


@dataclass
class Estate:
    a: Company
    b: Company
    users_a: list[User]
    users_b: list[User]
    both: User
    mixed_job: ImportJob
    invalid_job: ImportJob
    rows: dict[str, int]  # company name -> rows of that company in each mixed job


def _backend(simulator: SimulatorHandle, kind: str, company: Company, name: str, actor: User) -> Backend:
    """A backend made through the Backends service (so its audit entry is real), on the simulator."""
    template = make_backend(simulator, kind, company, name=f"template {name}")
    credentials = template.credentials
    template.delete()
    return portal_services.backend_create(name=name, kind=kind, company=company, base_url=simulator.base_url(kind),
                                          credentials=credentials, actor=actor)


def _refresh_all(backend: Backend, user: User) -> None:
    for refresher in refreshers_for(backend.kind):
        run = refresh_run(backend, refresher.entity, full=True, user=user, trigger=SyncRun.Trigger.MANUAL)
        assert run.status == SyncRun.Status.DONE, run.message


def _run_open_operations() -> None:
    """The worker's part, in this process: every queued operation once (children after parents)."""
    for _ in range(3):
        for op_id in Operation.objects.filter(status=Operation.Status.QUEUED).values_list("pk", flat=True):
            operation_run(op_id)


def _upload(user: User, rows: list[dict[str, str]], name: str) -> ImportJob:
    data = csv_bytes(*rows)
    return import_upload(user=user, stream=io.BytesIO(data), file_name=name, size=len(data))


@pytest.fixture
def estate(simulator: SimulatorHandle, company_a: Company, company_b: Company) -> Estate:
    both = UserFactory(username="both-admin", role=Role.ADMIN, companies=[company_a, company_b])
    users_a = [UserFactory(username=f"alpha-{role.group_name}", role=role, companies=[company_a]) for role in Role]
    users_b = [UserFactory(username=f"bravo-{role.group_name}", role=role, companies=[company_b]) for role in Role]
    operator = users_a[1]
    gf_a = _backend(simulator, "greenflux", company_a, "Alpha GreenFlux", both)
    be_a = _backend(simulator, "beenergised", company_a, "Alpha beEnergised", both)
    be_b = _backend(simulator, "beenergised", company_b, "Bravo beEnergised", both)
    for backend in (gf_a, be_a, be_b):
        _refresh_all(backend, both)
    # A user of A only, created by the admin of both: its audit entry names A's user and company.
    newcomer = portal_services.user_create(username="alpha-newcomer", email="newcomer@alpha.example",
                                           role=Role.VIEWER, companies=[company_a], password=None, actor=both)

    location = Location.objects.filter(backend=gf_a).first()
    model = StationModelFactory(vendor="Alfen", model="Eve Scoping", beenergised_model_id=3)
    tech_b = Technician.objects.filter(backend=be_b).first()

    def gf_row(n: int) -> dict[str, str]:
        return {"backend": gf_a.name, "label": f"Alpha import depot {n}", "charge_box_identity": f"ALPHA-IMP-{n:03d}",
                "location": location.upstream_id, "deploy_state": "Stock", "default_tariff_id": "TARIFF-AC-STANDARD",
                "connectors": "IEC_62196_T2/SOCKET/AC_3_PHASE/400/32/22000"}

    def be_row(n: int) -> dict[str, str]:
        return {"backend": be_b.name, "label": f"Bravo import depot {n}", "charge_box_identity": f"BRAVO-IMP-{n:03d}",
                "public_display_name": f"Bravo public {n}", "technician": tech_b.email, "model": model.upstream_id or f"{model.vendor} {model.model}",
                "time_zone": "Europe/Berlin"}

    rows_a, rows_b = 3, 2
    mixed = _upload(both, [*(gf_row(n) for n in range(1, rows_a + 1)), *(be_row(n) for n in range(1, rows_b + 1))],
                    "fleet.csv")
    assert mixed.status == ImportJob.Status.VALIDATED, (mixed.file_problem, list(mixed.rows.values("problems")))
    import_confirm(user=both, job=mixed)
    import_run(mixed.pk)
    # The invalid one: each company's rows name themselves in their problems (identities used twice).
    bad_rows = [gf_row(1), {**gf_row(9), "charge_box_identity": "ALPHA-IMP-001"},
                {**be_row(7), "time_zone": "Mars/Olympus"}, {**be_row(8), "charge_box_identity": "BRAVO-IMP-001"}]
    invalid = _upload(both, bad_rows, "fleet-fixed.csv")
    assert invalid.status == ImportJob.Status.INVALID
    # An update-mode file of both companies: a rename of one of A's stations (its diff is A's), and a
    # label for one of B's be.ENERGISED stations, refused since they cannot change (its row is B's).
    gf_station = Station.objects.filter(backend=gf_a, upstream_id__isnull=False).order_by("-pk").first()
    be_station = Station.objects.filter(backend=be_b, upstream_id__isnull=False).order_by("pk").first()
    update_rows = [{"backend": gf_a.name, "charge_box_identity": gf_station.charge_box_identity,
                    "label": "Alpha renamed by update import"},
                   {"backend": be_b.name, "charge_box_identity": be_station.charge_box_identity,
                    "label": "Bravo renamed by update import"}]
    data = csv_bytes(*update_rows)
    update = import_upload(user=both, stream=io.BytesIO(data), file_name="fleet-update.csv", size=len(data),
                           mode=ImportJob.Mode.UPDATE)
    assert [r.action for r in update.rows.order_by("number")] == ["change", "change"]
    assert [bool(r.problems) for r in update.rows.order_by("number")] == [False, True]

    # A quick edit and a conflict on A's GreenFlux stations, a quick edit on B's side too.
    station_a = Station.objects.filter(backend=gf_a, upstream_id__isnull=False).order_by("pk").first()
    station_services.station_patch(user=operator, station=station_a, name="label", value="Alpha renamed by patch")
    _run_open_operations()
    station_a.refresh_from_db()
    shown = shown_version(station_a)  # the edit form opens...
    simulator.touch_station(station_a.upstream_id, name="Alpha changed upstream")  # ...someone edits upstream
    station_services.station_edit(user=operator, station=station_a, shown=shown,
                                  changes=form_changes(shown, {"label": "Alpha my edit"}))
    _run_open_operations()
    assert Operation.objects.filter(status=Operation.Status.CONFLICT, company=company_a).exists()
    assert not Operation.objects.filter(status__in=Operation.OPEN).exists()
    assert AuditEntry.objects.filter(entity="user", entity_label=newcomer.username).exists()
    return Estate(a=company_a, b=company_b, users_a=users_a, users_b=users_b, both=both,
                  mixed_job=mixed, invalid_job=invalid, rows={company_a.name: rows_a, company_b.name: rows_b})


def secrets_of(company: Company) -> set[str]:
    """The names a stranger must never read: identities, labels, names, backend names, users, rows."""
    found: set[str] = {company.name}
    for station in Station.objects.filter(company=company):
        found |= {station.label, station.charge_box_identity, station.public_display_name,
                  str(station.upstream_id or ""), str(station.upstream_data.get("name", ""))}
    found |= set(Backend.objects.filter(company=company).values_list("name", flat=True))
    found |= set(Location.objects.filter(company=company).values_list("name", flat=True))
    for tech in Technician.objects.filter(company=company):
        found |= {tech.name, tech.email}
    for user in User.objects.filter(companies=company).exclude(companies__in=Company.objects.exclude(pk=company.pk)):
        found |= {user.username, user.email}
    for row in ImportRow.objects.filter(raw__backend__in=list(Backend.objects.filter(company=company)
                                                             .values_list("name", flat=True))):
        found |= {row.raw.get("label", ""), row.raw.get("charge_box_identity", ""),
                  row.raw.get("public_display_name", "")}
    return {s for s in found if len(s) >= MIN_SECRET}


@dataclass
class Crawl:
    pages: dict[tuple[str, bool], tuple[int, str]] = field(default_factory=dict)  # (url, htmx) -> status, body


def _links(body: str) -> list[tuple[str, bool]]:
    hx = {html.unescape(u) for u in HX_LINK.findall(body)}
    return [(url, url in hx) for url in (html.unescape(u) for u in LINK.findall(body))]


def _wanted(url: str) -> bool:
    return url.startswith("/") and not url.startswith("//") and not url.startswith(SKIP_PREFIXES)


def fetch(client: Client, url: str, htmx: bool) -> tuple[int, str]:
    response = client.get(url, **({"HTTP_HX_REQUEST": "true"} if htmx else {}))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body.decode("utf-8", "replace")


def crawl(user: User, start: list[str]) -> Crawl:
    """Every page reachable from ``start`` by following links and hx-get, as ``user`` sees them."""
    client = Client()
    client.force_login(user)
    seen: dict[str, set[str]] = {}
    shapes: dict[str, set[str]] = {}
    result = Crawl()
    queue = deque((url, False) for url in start)
    while queue:
        url, htmx = queue.popleft()
        url = url.split("#")[0]
        if not _wanted(url) or (url, htmx) in result.pages:
            continue
        parts = urlsplit(url)
        paths = shapes.setdefault(re.sub(r"\d+", "N", parts.path), set())
        if parts.path not in paths and len(paths) >= PATHS_PER_SHAPE:
            continue
        paths.add(parts.path)
        variants = seen.setdefault(parts.path, set())
        if parts.query and parts.query not in variants and len(variants) >= QUERIES_PER_PATH:
            continue
        variants.add(parts.query)
        status, body = fetch(client, url, htmx)
        result.pages[(url, htmx)] = (status, body)
        if status == 200 and "<" in body[:500]:  # a page or fragment, not a CSV download
            queue.extend(_links(body))
    return result


def pattern_urls(estate: Estate) -> set[tuple[str, bool]]:
    """Every URL pattern with the ids of real records of both companies, plain and as htmx fragments."""
    ids = {
        "station_id": _station_ids(),
        "op_id": list(Operation.objects.filter(status=Operation.Status.CONFLICT).values_list("pk", flat=True)),
        "operation_id": list(Operation.objects.values_list("pk", flat=True)),
        "run_id": list(SyncRun.objects.values_list("pk", flat=True)),
        "entry_id": list(AuditEntry.objects.values_list("pk", flat=True)),
        "job_id": list(ImportJob.objects.values_list("pk", flat=True)),
        "location_id": list(Location.objects.order_by("pk").values_list("pk", flat=True)[:4]),
        "user_id": list(User.objects.values_list("pk", flat=True)),
        "backend_id": list(Backend.objects.values_list("pk", flat=True)),
        "field": ["label"],
    }
    urls: set[tuple[str, bool]] = set()
    for name, params in project_urls():
        if any(p not in ids for p in params):
            continue  # invitation links and the model pages (the catalogue is shared) are not company data
        combos: list[dict[str, object]] = [{}]
        for param in params:
            combos = [{**c, param: value} for c in combos for value in ids[param]]
        for kwargs in combos:
            url = reverse(name, kwargs=kwargs)
            if _wanted(url):
                urls.add((url, False))
                if _has_fragments(url):
                    urls |= {(url, True), *((url + f"?part={part}", True) for part in PARTS.get(name, ()))}
    return urls


def _has_fragments(url: str) -> bool:
    """Whether the view answers htmx requests with something else (a fragment) than its page."""
    return "request.htmx" in inspect.getsource(inspect.unwrap(resolve(url).func))


def _station_ids() -> list[int]:
    """Stations with a story (imported, edited, in conflict) and one plain station of each backend."""
    storied = set(Operation.objects.filter(target_type="station").values_list("target_id", flat=True))
    plain = {Station.objects.filter(backend=b).order_by("pk").values_list("pk", flat=True).first()
             for b in Backend.objects.all()}
    return sorted(storied | (plain - {None}))


def leaks(body: str, secrets: set[str]) -> list[str]:
    """The secrets in ``body`` as whole words ("Company A" is not in "company and")."""
    text = html.unescape(body).casefold()
    return sorted(s for s in secrets if s.casefold() in text
                  and re.search(rf"(?<!\w){re.escape(s.casefold())}(?!\w)", text))


def test_no_user_receives_another_companys_data(estate: Estate) -> None:
    secrets_a, secrets_b = secrets_of(estate.a), secrets_of(estate.b)
    # The simulator's names come from one vocabulary: a name of A inside a label of B is B's to read.
    secrets_a, secrets_b = ({s for s in mine if not any(s.casefold() in t.casefold() for t in theirs)}
                            for mine, theirs in ((secrets_a, secrets_b), (secrets_b, secrets_a)))
    # ...and a name the importer's template uses as its example is documentation, not data.
    secrets_a, secrets_b = ({s for s in mine if not leaks(template_csv(), {s})} for mine in (secrets_a, secrets_b))
    assert any("ALPHA-IMP-001" == s for s in secrets_a) and any("BRAVO-IMP-001" == s for s in secrets_b)

    reachable_a: set[tuple[str, bool]] = set()
    for user in [*estate.users_a, estate.both]:
        reachable_a |= set(crawl(user, ["/"]).pages)
    urls = reachable_a | pattern_urls(estate)
    assert any("/imports/" in u and u.endswith("rows-to-fix.csv") for u, _ in urls)
    assert any("/export" in u for u, _ in urls)

    problems: list[str] = []
    requests = 0
    # Every role of B against A; the other way round, A's admin (who reaches the most) against B.
    for strangers, secrets, label in ((estate.users_b, secrets_a, "A"), (estate.users_a[-1:], secrets_b, "B")):
        for user in strangers:
            own = crawl(user, ["/"])
            client = Client()
            client.force_login(user)
            answers = dict(own.pages)
            for url, htmx in sorted(urls - set(answers)):
                answers[(url, htmx)] = fetch(client, url, htmx)
            assert len(answers) > 50, "the crawl found too little to mean anything"
            requests += len(answers)
            for (url, htmx), (status, body) in sorted(answers.items()):
                assert status < 500, f"{url} as {user.username}: {status}"
                found = leaks(body, secrets)
                if found:
                    problems.append(f"{user.username} read company {label}'s {found[:4]} at {url}"
                                    f"{' (htmx)' if htmx else ''}")
    print(f"{len(urls)} URLs of A's users and patterns, {requests} answers checked")
    assert not problems, f"{len(problems)} leaks:\n" + "\n".join(problems[:40])
    counts_are_the_readers_own(estate)


def counts_are_the_readers_own(estate: Estate) -> None:
    """Totals and progress count only the reader's rows: a user of B cannot learn A's row count."""
    job = estate.mixed_job
    for user, company in ((estate.users_b[1], estate.b), (estate.users_a[1], estate.a)):
        client = Client()
        client.force_login(user)
        body = fetch(client, reverse("stations:import_detail", args=[job.pk]), False)[1]
        mine = estate.rows[company.name]
        assert f"{mine} rows" in body and f"{sum(estate.rows.values())} rows" not in body, user.username
        progress = fetch(client, reverse("stations:import_detail", args=[job.pk]) + "?part=progress", True)[1]
        assert f"of {mine} settled" in progress, progress
    both = Client()
    both.force_login(estate.both)
    assert f"{sum(estate.rows.values())} rows" in fetch(both, reverse("stations:import_detail", args=[job.pk]),
                                                        False)[1]
