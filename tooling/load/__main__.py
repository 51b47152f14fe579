"""``python -m tooling.load [--short]``: does background work starve the pages? Capacity first, then two thirds of it,
idle and under load, in one run.

Everything runs on this machine: the simulator (a generated GreenFlux upstream), gunicorn with several
workers, a Celery worker, PostgreSQL and Redis on localhost. Simulated fleet managers (locust) browse the
station list, filter, search, open stations and the network page of an estate of ``LOAD_STATIONS``
GreenFlux stations; each asks for at most ``LOAD_PER_USER_RPS`` pages a second, so the number of
managers sets the rate offered. Phases:

1. *capacity* (idle, a step-up ramp): steps of ``LOAD_STEP_SECONDS`` from ``LOAD_RAMP_START`` requests a
   second, each ``LOAD_RAMP_FACTOR`` times the last, until a step's p95 is over ``LOAD_P95_GOAL_MS`` (500),
   it has errors, or it serves less than 80 % of the rate offered. The capacity is the rate served by the
   last step that met all three: requests a second at p95 <= 500 ms.
2. *idle* at two thirds of that capacity (``LOAD_SECONDS``), nothing else running;
3. *load* at the same offered rate, while the worker runs a full refresh of ``LOAD_STATIONS`` stations into
   an empty mirror (a second backend of another company) and a ``LOAD_IMPORT_ROWS``-row CSV import,
   uploaded and confirmed through the pages as an operator would.

At two thirds of capacity the idle site is not saturated, so the p95 ratio load/idle (goal <= 2) says
whether the background work starves the pages, and the requests a second the pages lose (idle rate served
minus load rate served) how much. Reported (and written to ``artifacts/load-report.txt``): the ramp, the
capacity, requests, errors, p50/p95/p99 per phase and page, that ratio and loss, the refresh's and import's
durations, and the write check: every import row's create operation done, its identity once upstream, and
the double sends: identities the simulator got more than one create request for (refused ones count).

Settings: ``LOAD_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/portal_load``, created
and migrated when missing; kept between runs, so the idle estate is refreshed only once),
``LOAD_REDIS_URL`` (the broker, default ``redis://127.0.0.1:6379/0``), ``LOAD_CACHE_URL`` (default the same),
``LOAD_STATIONS`` (100000), ``LOAD_IMPORT_ROWS`` (1000), ``LOAD_SECONDS`` (the idle and load phases, 120),
``LOAD_STEP_SECONDS`` (30), ``LOAD_RAMP_START`` (2 requests/s), ``LOAD_RAMP_FACTOR`` (1.4),
``LOAD_RAMP_STEPS`` (at most 14), ``LOAD_PER_USER_RPS`` (0.5), ``LOAD_P95_GOAL_MS`` (500),
``LOAD_WEB_WORKERS`` (4), ``LOAD_CELERY_CONCURRENCY`` (4). ``--short`` is for developing it: 10,000
stations, 200 rows, 10 s steps from 1 request/s, 30 s phases. The whole run is bounded (``LOAD_DEADLINE_SECONDS``, 2400).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var" / "load"
PASSWORD = "load-test-password-7f3a9c"
GF_SHARE = 0.35  # the simulator gives GreenFlux 35 % of its estate


def _config(short: bool) -> dict[str, Any]:
    env = os.environ.get
    return {
        "db": env("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_load"),
        "redis": env("LOAD_REDIS_URL", "redis://127.0.0.1:6379/0"),
        "cache": env("LOAD_CACHE_URL", env("LOAD_REDIS_URL", "redis://127.0.0.1:6379/0")),
        "stations": int(env("LOAD_STATIONS", "10000" if short else "100000")),
        "rows": int(env("LOAD_IMPORT_ROWS", "200" if short else "1000")),
        "seconds": int(env("LOAD_SECONDS", "30" if short else "120")),
        "step_seconds": int(env("LOAD_STEP_SECONDS", "10" if short else "30")),
        "ramp_start": float(env("LOAD_RAMP_START", "1" if short else "2")),
        "ramp_factor": float(env("LOAD_RAMP_FACTOR", "1.4")),
        "ramp_steps": int(env("LOAD_RAMP_STEPS", "14")),
        "per_user": float(env("LOAD_PER_USER_RPS", "0.5")),
        "p95_goal": float(env("LOAD_P95_GOAL_MS", "500")),
        "web_workers": int(env("LOAD_WEB_WORKERS", "4")),
        "concurrency": int(env("LOAD_CELERY_CONCURRENCY", "4")),
        "deadline": time.monotonic() + int(env("LOAD_DEADLINE_SECONDS", "2400")),
    }


def _environment(cfg: dict[str, Any]) -> dict[str, str]:
    return {
        "DATABASE_URL": cfg["db"], "BENCH_DATABASE_URL": cfg["db"], "CELERY_BROKER_URL": cfg["redis"],
        "CACHE_URL": cfg["cache"], "CELERY_QUEUE": "portal-load",
        "SECRET_KEY": "load-test-only-secret-key-not-used-anywhere-else-8d2e", "DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "tooling.load.settings", "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0", "STATIC_MANIFEST": "0", "WHITENOISE_USE_FINDERS": "1",
        "PORTAL_VAR_DIR": str(VAR / "portal"), "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1",
    }


@contextmanager
def _process(args: list[str], log: Path, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """A child process of this run (its own process group), stopped at the end whatever happens."""
    with log.open("ab") as out:
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            yield proc
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()


def _wait_port(port: int, proc: subprocess.Popen[bytes], what: str, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited early; see {VAR}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{what} did not listen on {port} within {timeout:.0f} s")


def _seed(cfg: dict[str, Any], sim_url: str, tokens: dict[str, Any]) -> dict[str, Any]:
    """Companies, fleet managers, an operator, the two backends; the idle estate refreshed once."""
    from portal.access import Role
    from portal.models import Backend, Company, SyncRun, User
    from sync.engine import refresh_run
    from portal.services import user_create
    from stations.models import Station

    fleet, _ = Company.objects.get_or_create(name="Load fleet", defaults={"upstream_ref": "load-fleet"})
    other, _ = Company.objects.get_or_create(name="Load other fleet", defaults={"upstream_ref": "load-other"})
    names = [f"load-manager-{n}" for n in range(1, 11)]
    for name in [*names, "load-operator"]:
        user = User.objects.filter(username=name).first()
        if user is None:
            role = Role.OPERATOR if name == "load-operator" else Role.VIEWER
            user = user_create(username=name, email=f"{name}@example.com", password=None, role=role,
                               companies=[fleet])
        user.set_password(PASSWORD)
        user.save()

    def backend(name: str, company: Company) -> Backend:
        found = Backend.objects.filter(name=name).first() or Backend(name=name, kind="greenflux", company=company)
        found.base_url = f"{sim_url}/greenflux"
        found.credentials = {"token": tokens["greenflux"]["token"]}
        found.save()
        return found

    browse, refresh = backend("Load GreenFlux", fleet), backend("Load GreenFlux (refresh)", other)
    for entity in ("locations", "templates"):
        for b in (browse, refresh):
            refresh_run(b, entity, full=True)
    if Station.objects.filter(backend=browse).count() < cfg["stations"]:
        print(f"setup: first refresh of {cfg['stations']:,} stations for the browsed estate (once)...", flush=True)
        run = refresh_run(browse, "stations", full=True, page_size=1000)
        assert run.status == SyncRun.Status.DONE, run.message
    _clean(refresh)
    labels = list(Station.objects.filter(backend=browse).values_list("label", flat=True)[:200:20])
    search = sorted({word for label in labels for word in label.split()[:1] if len(word) > 3})[:6]
    return {"browse": browse, "refresh": refresh, "managers": names, "search": search or ["Hub"]}


def _clean(backend: Any) -> None:
    """Empty the refreshed backend's mirror, so the refresh under load is a full one into an empty mirror."""
    from django.db import connection

    with connection.cursor() as cursor:
        stations = "SELECT id FROM stations_station WHERE backend_id = %s"
        cursor.execute(f"DELETE FROM stations_connector WHERE evse_id IN "
                       f"(SELECT id FROM stations_evse WHERE station_id IN ({stations}))", [backend.pk])
        cursor.execute(f"DELETE FROM stations_evse WHERE station_id IN ({stations})", [backend.pk])
        for table in ("stations_station", "portal_syncrun", "portal_synclock"):
            cursor.execute(f"DELETE FROM {table} WHERE backend_id = %s", [backend.pk])


def _users(cfg: dict[str, Any], rate: float) -> int:
    """Managers that together offer ``rate`` requests a second."""
    return max(1, round(rate / cfg["per_user"]))


def _locust(cfg: dict[str, Any], env: dict[str, str], web: str, phase: str, seeded: dict[str, Any],
            users: int, seconds: int) -> dict[str, dict[str, float]]:
    """``users`` managers for ``seconds`` (all started at once); their stats per page and aggregated."""
    prefix = VAR / phase
    for old in VAR.glob(f"{phase}_*.csv"):
        old.unlink()
    args = [sys.executable, "-m", "locust", "-f", str(Path(__file__).with_name("locustfile.py")), "--headless",
            "-u", str(users), "-r", str(users), "--run-time", f"{seconds}s", "--host", web,
            "--csv", str(prefix), "--only-summary", "--stop-timeout", "5", "--loglevel", "WARNING"]
    locust_env = {**env, "LOAD_USERS": ",".join(seeded["managers"]), "LOAD_PASSWORD": PASSWORD,
                  "LOAD_SEARCH": "|".join(seeded["search"]), "LOAD_PER_USER_RPS": str(cfg["per_user"])}
    print(f"{phase}: {users} fleet managers offering {users * cfg['per_user']:.1f} requests/s for {seconds} s...",
          flush=True)
    with _process(args, VAR / f"locust-{phase}.log", locust_env) as proc:
        proc.wait(timeout=seconds + 120)
    return _stats(Path(f"{prefix}_stats.csv"), seconds)


def _stats(path: Path, seconds: int) -> dict[str, dict[str, float]]:
    rows = {}
    with path.open() as handle:
        for row in csv.DictReader(handle):
            if row["50%"] in ("", "N/A"):  # no request of that name in this phase
                continue
            rows[row["Name"]] = {"requests": float(row["Request Count"]), "errors": float(row["Failure Count"]),
                                 "p50": float(row["50%"]), "p95": float(row["95%"]), "p99": float(row["99%"]),
                                 "rps": float(row["Request Count"]) / seconds}
    return rows or {"Aggregated": {"requests": 0, "errors": 0, "p50": 0, "p95": 0, "p99": 0, "rps": 0}}


def _capacity(cfg: dict[str, Any], env: dict[str, str], web: str, seeded: dict[str, Any]
              ) -> tuple[float, list[tuple[float, dict[str, float], bool]]]:
    """The step-up ramp: requests a second served at p95 <= the goal, and each step (offered, stats, ok)."""
    steps: list[tuple[float, dict[str, float], bool]] = []
    # Unmeasured: every gunicorn worker loads its code and the database its pages before the first step.
    _locust(cfg, env, web, "warmup", seeded, _users(cfg, cfg["ramp_start"]), cfg["step_seconds"])
    capacity, rate = 0.0, cfg["ramp_start"]
    for n in range(1, cfg["ramp_steps"] + 1):
        users = _users(cfg, rate)
        offered = users * cfg["per_user"]
        stats = _locust(cfg, env, web, f"ramp{n:02d}", seeded, users, cfg["step_seconds"])["Aggregated"]
        # 80 %: the managers' random start phase costs a short step up to one period of requests.
        ok = stats["p95"] <= cfg["p95_goal"] and not stats["errors"] and stats["rps"] >= 0.8 * offered
        steps.append((offered, stats, ok))
        print(f"  step {n}: offered {offered:.1f}/s, served {stats['rps']:.1f}/s, p95 {stats['p95']:.0f} ms, "
              f"{stats['errors']:.0f} errors: {'within' if ok else 'beyond'} capacity", flush=True)
        if not ok:
            break
        capacity = stats["rps"]
        rate = max(rate * cfg["ramp_factor"], offered + cfg["per_user"])
    return capacity, steps


def _import_through_the_pages(web: str, rows: int, prefix: str, backend: Any) -> int:
    """Upload a CSV and confirm it as the operator does, through the site; return the job's id."""
    import httpx

    from locations.models import Location

    location = Location.objects.filter(backend=backend).order_by("pk").first()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["backend", "label", "charge_box_identity", "location", "deploy_state", "default_tariff_id",
                     "connectors"])
    for n in range(1, rows + 1):
        writer.writerow([backend.name, f"Load import {n}", f"{prefix}-{n:05d}", location.upstream_id, "Stock",
                         "TARIFF-AC-STANDARD", "IEC_62196_T2/SOCKET/AC_3_PHASE/400/32/22000"])
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    with httpx.Client(base_url=web, timeout=120) as client:
        page = client.get("/accounts/login/")
        client.post("/accounts/login/", data={"username": "load-operator", "password": PASSWORD,
                                              "csrfmiddlewaretoken": token.search(page.text).group(1)},
                    headers={"Referer": web + "/accounts/login/"})
        page = client.get("/stations/imports/")
        answer = client.post("/stations/imports/", files={"file": (f"{prefix}.csv", out.getvalue().encode())},
                             data={"csrfmiddlewaretoken": token.search(page.text).group(1)},
                             headers={"Referer": web + "/stations/imports/"})
        job_id = int(re.search(r"/stations/imports/(\d+)/", answer.headers["location"]).group(1))
        page = client.get(f"/stations/imports/{job_id}/")
        confirmed = client.post(f"/stations/imports/{job_id}/confirm/",
                                data={"csrfmiddlewaretoken": token.search(page.text).group(1)},
                                headers={"Referer": web + f"/stations/imports/{job_id}/"})
        assert confirmed.status_code == 302, confirmed.status_code
    return job_id


def _write_check(job_id: int, prefix: str, backend: Any, sim_url: str) -> dict[str, int]:
    """Every row's create operation done, each identity exactly once upstream, and how many identities the
    simulator got two or more create requests for (a refused second send counts: ``/_sim/creates``)."""
    import httpx

    from collections import Counter

    from portal.models import Operation
    from stations.csv_import.models import ImportRow

    rows = ImportRow.objects.filter(job_id=job_id)
    ops = Operation.objects.filter(kind="station.create", target_type="station",
                                   target_id__in=rows.values("station_id"))
    with backend.connector(page_size=1000) as connector:
        upstream = Counter(s.charge_station_id for s in connector.list_stations().items()
                           if s.charge_station_id.startswith(prefix + "-"))
    sent = httpx.get(f"{sim_url}/_sim/creates/greenflux", params={"prefix": prefix + "-"}, timeout=60).json()["counts"]
    return {"rows": rows.count(), "done": ops.filter(status=Operation.Status.DONE).count(),
            "not done": ops.exclude(status=Operation.Status.DONE).count(),
            "upstream once": sum(1 for n in upstream.values() if n == 1),
            "upstream twice or more": sum(1 for n in upstream.values() if n > 1),
            "create sent": len(sent), "create sent twice or more": sum(1 for n in sent.values() if n > 1)}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tooling.load", description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="a small, quick run for developing the load test")
    cfg = _config(parser.parse_args(argv).short)
    env = {**os.environ, **_environment(cfg)}
    os.environ.update(_environment(cfg))
    VAR.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    from tooling.bench import django_db

    django_db.setup()
    from django.utils import timezone

    from portal.models import SyncRun
    from sync.schedules import refresh_request
    from stations.csv_import.models import ImportJob
    from stations.csv_import.services import import_finish_if_settled

    from simulator.ports import free_port
    from simulator.testing import start_simulator

    web_port = free_port()
    web = f"http://127.0.0.1:{web_port}"
    estate = int(cfg["stations"] / GF_SHARE) + 1
    with ExitStack() as stack:
        print(f"setup: simulator with {cfg['stations']:,} GreenFlux stations...", flush=True)
        sim = start_simulator(VAR / f"simulator-{estate}.sqlite3", estate, own_process=True,
                              log=VAR / "simulator.log", ready_within=600)
        stack.callback(sim.stop)
        sim_url, tokens = sim.root_url, sim.credentials
        seeded = _seed(cfg, sim_url, tokens)
        web_proc = stack.enter_context(_process(
            [sys.executable, "-m", "gunicorn", "portal.wsgi", "-w", str(cfg["web_workers"]), "-b",
             f"127.0.0.1:{web_port}", "--timeout", "60", "--access-logfile", "-"], VAR / "gunicorn.log", env))
        stack.enter_context(_process(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "--loglevel=WARNING", "--pool=threads",
             f"--concurrency={cfg['concurrency']}", "-Q", "portal-load", "--without-mingle", "--without-gossip"],
            VAR / "worker.log", env))
        _wait_port(web_port, web_proc, "gunicorn")

        capacity, ramp = _capacity(cfg, env, web, seeded)
        users = _users(cfg, capacity * 2 / 3) if capacity else 1
        print(f"capacity: {capacity:.1f} requests/s at p95 <= {cfg['p95_goal']:.0f} ms; "
              f"idle and load at two thirds of it: {users} managers", flush=True)
        idle = _locust(cfg, env, web, "idle", seeded, users, cfg["seconds"])

        prefix = f"LOAD{timezone.now():%H%M%S}"
        started = time.monotonic()
        run = refresh_request(backend=seeded["refresh"], entity="stations", user=None, full=True)
        holder: dict[str, Any] = {}
        importer = threading.Thread(target=lambda: holder.update(
            job=_import_through_the_pages(web, cfg["rows"], prefix, seeded["browse"])))
        importer.start()
        loaded = _locust(cfg, env, web, "load", seeded, users, cfg["seconds"])
        importer.join(timeout=300)
        run_seconds = import_seconds = None
        job_id = holder.get("job")
        while time.monotonic() < cfg["deadline"]:
            run.refresh_from_db()
            job = import_finish_if_settled(ImportJob.objects.get(pk=job_id)) if job_id else None
            if run.finished_at and run_seconds is None:
                run_seconds = time.monotonic() - started
            if job and job.status == ImportJob.Status.FINISHED and import_seconds is None:
                import_seconds = time.monotonic() - started
            if run_seconds is not None and import_seconds is not None:
                break
            time.sleep(2)
        check = _write_check(job_id, prefix, seeded["browse"], sim_url) if job_id else {}
    report = _report(cfg, capacity, ramp, users, idle, loaded, run, run_seconds, import_seconds, check)
    print(report)
    out = ROOT / "artifacts" / "load-report.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text(report + "\n")
    ok = (run.status == SyncRun.Status.DONE and check.get("done") == check.get("rows") == cfg["rows"]
          and check.get("upstream once") == cfg["rows"] and not check.get("upstream twice or more")
          and check.get("create sent") == cfg["rows"] and not check.get("create sent twice or more"))
    return 0 if ok else 1


def _report(cfg: dict[str, Any], capacity: float, ramp: list[tuple[float, dict[str, float], bool]], users: int,
            idle: dict[str, dict[str, float]], loaded: dict[str, dict[str, float]], run: Any,
            run_seconds: float | None, import_seconds: float | None, check: dict[str, int]) -> str:
    offered = users * cfg["per_user"]
    lines = [f"Load test: gunicorn x{cfg['web_workers']}, Celery worker x{cfg['concurrency']}, {os.cpu_count()} cores, "
             f"load average {os.getloadavg()[0]:.1f} at the end; each manager at most {cfg['per_user']:g} pages/s", "",
             f"Capacity ramp ({cfg['step_seconds']} s steps, idle):",
             f"{'offered/s':>10} {'served/s':>9} {'p95 ms':>7} {'errors':>7}"]
    for step_offered, stats, ok in ramp:
        lines.append(f"{step_offered:10.1f} {stats['rps']:9.1f} {stats['p95']:7.0f} {stats['errors']:7.0f}"
                     f"  {'ok' if ok else 'beyond capacity'}")
    lines += [f"capacity: {capacity:.1f} requests/s at p95 <= {cfg['p95_goal']:.0f} ms" if capacity else
              f"capacity: below {cfg['ramp_start']:g} requests/s (the first step missed the goal: a busy machine?)", "",
              (f"At two thirds of capacity: {users} managers offering {offered:.1f} requests/s, {cfg['seconds']} s a phase"
               if capacity else
               f"No capacity to take two thirds of: the phases ran at the lowest rate, {users} manager offering "
               f"{offered:.1f} requests/s, {cfg['seconds']} s a phase (beyond the p95 goal already at idle)"),
              f"{'page':12} {'phase':5} {'requests':>9} {'req/s':>6} {'errors':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"]
    for name in ["Aggregated", *sorted(set(idle) - {"Aggregated"})]:
        for phase, stats in (("idle", idle), ("load", loaded)):
            s = stats.get(name)
            if s:
                lines.append(f"{name:12} {phase:5} {s['requests']:9.0f} {s['rps']:6.1f} {s['errors']:7.0f} "
                             f"{s['p50']:7.0f} {s['p95']:7.0f} {s['p99']:7.0f}")
    i, l = idle["Aggregated"], loaded["Aggregated"]
    ratio = l["p95"] / i["p95"] if i["p95"] else None
    lost = i["rps"] - l["rps"]
    at = "at two thirds of capacity" if capacity else f"at {offered:.1f} requests/s (no capacity measured)"
    lines += ["", f"p95 ratio {at}, load / idle: {ratio:.2f} (goal <= 2)" if ratio
              else "p95 ratio: -",
              f"requests/s the pages lose under load: {lost:.1f} ({i['rps']:.1f} idle, {l['rps']:.1f} under load, "
              f"{lost / i['rps'] * 100 if i['rps'] else 0:.0f} %)",
              f"errors: idle {i['errors']:.0f}, load {l['errors']:.0f} (goal 0)",
              f"full refresh of {cfg['stations']:,} stations: {run.status}, {run.rows_created:,} created, "
              f"{run_seconds or float('nan'):.0f} s from the start of the load phase",
              f"import of {cfg['rows']:,} rows: finished {import_seconds or float('nan'):.0f} s from the start; "
              f"write check: {check}",
              f"double sends (identities created upstream twice or more, refused sends counted): "
              f"{check.get('create sent twice or more', '-')} (goal 0)"]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
