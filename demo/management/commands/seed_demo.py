"""Create the demo's companies and its three users (one per role), once; its backends and a first refresh.

Passwords are random, kept in ``var/demo-credentials.json`` (outside git, readable
by the owner only) and printed at every demo start so nobody has to guess them; so is the demo
admin's authenticator secret, which the portal asks them to set up at the first sign-in (demo.signin).

The demo's backends point at the simulator (``settings.SIMULATOR_URL``):
GreenFlux for company A, be.ENERGISED for companies A and B, the models
catalogue (admin token) and ChargEye without a company (each location goes to
its tenant's company). be.ENERGISED gets a few maintenance windows planned upstream
on the first start (``plan_demo_windows``). Each gets its refresh schedules, and every start runs
one refresh of everything in the foreground (a few seconds for the demo's
estate) so the pages are populated at once; a failure there (simulator not
up yet) only warns, the schedules catch up. After the models refresh the
demo companies' be.ENERGISED model mappings are set from the simulator's own numbering
(be.ENERGISED ``modelId`` = position in ``simulator.seed_data.MODEL_SPECS`` + 1,
matched by vendor and model): an admin's job on a real platform.
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from pathlib import Path
from typing import Any, Callable

from allauth.mfa.totp.internal.auth import generate_totp_secret
from demo.signin import TOTP_KEY
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from upstreams import UpstreamError
from portal import services
from portal.access import Role
from portal.models import Backend, Company, User

DEMO_USERS = [("viewer", Role.VIEWER), ("operator", Role.OPERATOR), ("admin", Role.ADMIN)]


def demo_companies() -> list[tuple[str, str]]:
    """(name, upstream ref) of the demo's two companies: the simulator's first two."""
    from simulator.seed import COMPANIES

    return [(c["name"], c["uuid"]) for c in COMPANIES[:2]]


DEMO_PATHS = {"beenergised": {"maintenance_cancel": "/api/cpoapi/v1/maintenance_windows/{id}/"}}


def demo_backends(companies: list[Company], log: Callable[[str], None] = print) -> list[Backend]:
    """The demo's backends on the simulator, made once; base URLs follow ``SIMULATOR_URL``.

    A demo database made with another simulator port has its demo backends
    moved to this one (base URL and be.ENERGISED token URL), each with a line
    in the log, so no write goes to whatever listens on the old port.
    """
    from simulator.control import BASE_PATHS
    from simulator.seed import BE_CLIENTS, CHARGEYE_REFRESH_TOKEN, GREENFLUX_TOKEN, MODELS_ADMIN_TOKEN

    root = settings.SIMULATOR_URL.rstrip("/")
    company_a, company_b = companies[0], companies[1]
    clients = {c["company_uuid"]: c for c in BE_CLIENTS}

    def be_credentials(company: Company) -> dict[str, str]:
        client = clients[company.upstream_ref or ""]
        return {"token_url": f"{root}/beenergised-auth/token", "client_id": client["client_id"],
                "client_secret": client["client_secret"]}

    wanted = [
        ("Station models", "models", None, {"token": MODELS_ADMIN_TOKEN}),
        (f"GreenFlux · {company_a.name}", "greenflux", company_a, {"token": GREENFLUX_TOKEN}),
        (f"be.ENERGISED · {company_a.name}", "beenergised", company_a, be_credentials(company_a)),
        (f"be.ENERGISED · {company_b.name}", "beenergised", company_b, be_credentials(company_b)),
        ("ChargEye", "chargeye", None, {"refresh_token": CHARGEYE_REFRESH_TOKEN}),
    ]
    out = []
    for name, kind, company, credentials in wanted:
        backend = Backend.objects.filter(name=name).first() or Backend(name=name, kind=kind, company=company)
        base_url = root + BASE_PATHS[kind]
        if not backend.pk:
            backend.credentials = credentials
            # The simulator (outside its documents-only mode) has a cancel no document gives: the demo
            # sets its path, as an admin would once the vendor names it.
            backend.paths = DEMO_PATHS.get(kind, {})
        elif backend.base_url != base_url:
            log(f"  {name}: moved from {backend.base_url} to {base_url} (the simulator's port changed)")
            if "token_url" in credentials:
                backend.credentials = {**backend.credentials, "token_url": credentials["token_url"]}
        backend.base_url = base_url
        backend.save()
        out.append(backend)
    return out


# Parents before children: models before be.ENERGISED stations, locations and templates before GreenFlux stations.
ENTITY_ORDER = ["models", "locations", "templates", "technicians", "stations"]


def refresh_order(backends: list[Backend]) -> list[tuple[Backend, str]]:
    from sync.refreshers import refreshers_for

    pairs = [(b, r.entity) for b in backends for r in refreshers_for(b.kind)]
    return sorted(pairs, key=lambda p: ENTITY_ORDER.index(p[1]) if p[1] in ENTITY_ORDER else len(ENTITY_ORDER))


# Windows the demo's fleet managers find planned on be.ENERGISED (hours from now, length, comment),
# on its first stations: one about to run, the others in the days ahead.
DEMO_WINDOWS = [(0.05, 2, "Firmware update"), (20, 4, "Connector replacement"), (70, 3, "Annual inspection"),
                (170, 6, "Cable swap and load test")]


def plan_demo_windows(backends: list[Backend], now: datetime | None = None) -> int:
    """Maintenance windows planned upstream for the demo, on each be.ENERGISED backend that has none.

    As if planned on the platform's own screens, so the maintenance pages have something to show
    from the first start; the refresh then mirrors them. Once planned they stay, and later starts
    (an upstream that lists windows already) plan no more. Returns how many were planned.
    """
    from upstreams import beenergised as be
    from upstreams.base import format_upstream_time as stamp

    now = now or datetime.now(dt_timezone.utc)
    planned = 0
    for backend in backends:
        if backend.kind != Backend.Kind.BEENERGISED:
            continue
        with backend.connector() as connector:
            if connector.list_maintenance_windows(start=stamp(now)).all():
                continue
            # Only the first stations: the listing's first page, not the whole estate.
            stations = list(itertools.islice((s for s in connector.list_stations().items() if s.id),
                                             len(DEMO_WINDOWS)))
            for station, (hours, length, comment) in zip(stations, DEMO_WINDOWS):
                starts = now + timedelta(hours=hours)
                connector.create_maintenance_window(be.MaintenanceWindow(
                    stamp(starts), stamp(starts + timedelta(hours=length)), comment, station.id))
                planned += 1
    return planned


def link_beenergised_model_ids() -> int:
    """The simulator's be.ENERGISED ``modelId`` is the model's position in its catalogue + 1; each demo
    company gets that mapping (mappings are per company), unless it has mapped the id or model itself."""
    from models_catalog.models import StationModel
    from simulator.seed_data import MODEL_SPECS
    from stations.models import ModelIdMapping

    linked = 0
    for company in Company.objects.all():
        for number, spec in enumerate(MODEL_SPECS, start=1):
            mine = ModelIdMapping.objects.filter(company=company)
            model = StationModel.objects.filter(vendor=spec["vendor"], model=spec["model"]).first()
            if model is None or mine.filter(beenergised_model_id=number).exists() or mine.filter(model=model).exists():
                continue
            ModelIdMapping.objects.create(company=company, beenergised_model_id=number, model=model)
            linked += 1
    return linked


def credentials_path() -> Path:
    return Path(settings.VAR_DIR) / "demo-credentials.json"


def api_token_path() -> Path:
    return Path(settings.VAR_DIR) / "demo-api-token"


def demo_api_token() -> str:
    """The demo operator's read-write API token (for the README's curl example), made once and kept in
    ``var/demo-api-token``; made again if that file or its token is gone."""
    from api.models import ApiToken
    from api.services import api_token_create, split_token

    path = api_token_path()
    token = path.read_text().strip() if path.exists() else ""
    parts = split_token(token)
    if parts and ApiToken.objects.filter(prefix=parts[0], revoked_at__isnull=True).exists():
        return token
    operator = User.objects.get(username="operator")
    ApiToken.objects.filter(user=operator, name="demo").delete()
    token = api_token_create(user=operator, name="demo", scope=ApiToken.Scope.READ_WRITE, expires_at=None)[1]
    path.write_text(token + "\n")
    os.chmod(path, 0o600)
    return token


class Command(BaseCommand):
    help = "Create demo companies and users (once) and print the demo sign-ins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-refresh", action="store_true", help="Users and companies only: no backends, no refresh.")

    def seed_backends(self, companies: list[Company]) -> None:
        from sync.engine import refresh_run
        from sync.schedules import refresh_schedules_ensure

        backends = demo_backends(companies, log=self.stdout.write)
        refresh_schedules_ensure()
        try:
            if planned := plan_demo_windows(backends):
                self.stdout.write(f"Planned {planned} maintenance windows on be.ENERGISED for the demo.")
        except UpstreamError as exc:  # the simulator not up yet: the pages just start without windows
            self.stdout.write(self.style.WARNING(f"No demo maintenance windows planned: {exc}"))
        self.stdout.write("First refresh of the demo's backends (the schedules take over from here):")
        for backend, entity in refresh_order(backends):
            run = refresh_run(backend, entity, trigger="command")
            self.stdout.write(f"  {backend.name} · {entity}: {run.status}"
                              f" ({run.rows_created} new, {run.rows_updated} changed, {run.rows_unchanged} same)"
                              + (f" - {run.message[:200]}" if run.message else ""))
            if backend.kind == Backend.Kind.MODELS and run.status == "done":
                link_beenergised_model_ids()

    def handle(self, *args: Any, **options: Any) -> None:
        path = credentials_path()
        saved: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
        with transaction.atomic():
            companies = [
                Company.objects.get_or_create(upstream_ref=ref, defaults={"name": name})[0]
                for name, ref in demo_companies()
            ]
            for username, role in DEMO_USERS:
                if User.objects.filter(username=username).exists() and username in saved:
                    continue
                password = secrets.token_urlsafe(12)
                user = User.objects.filter(username=username).first()
                if user is None:
                    services.user_create(
                        username=username,
                        email=f"{username}@demo.example",
                        role=role,
                        companies=companies,
                        password=password,
                    )
                else:
                    user.set_password(password)
                    user.save(update_fields=["password"])
                saved[username] = password
        # The demo admin's authenticator secret (demo.signin): asked for at the first sign-in, printed below.
        totp = saved.setdefault(TOTP_KEY, {})
        for username, role in DEMO_USERS:
            if role == Role.ADMIN and username not in totp:
                totp[username] = generate_totp_secret()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(saved, indent=2))
        os.chmod(path, 0o600)
        if not options.get("no_refresh"):
            self.seed_backends(companies)
        self.stdout.write(self.style.SUCCESS("Demo sign-ins (also in var/demo-credentials.json):"))
        for username, role in DEMO_USERS:
            self.stdout.write(f"  {role.label:<9} username: {username:<9} password: {saved[username]}")
        for username, secret in saved[TOTP_KEY].items():
            self.stdout.write(f"  Second factor of {username}: set up at the first sign-in with the authenticator "
                              f"secret {secret} (the page shows it too); no app at hand? "
                              f"`python manage.py demo_totp {username}` prints the current code.")
        self.stdout.write(f"  API token of the operator (var/demo-api-token): {demo_api_token()}")
