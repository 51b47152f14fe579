"""The setup checklist on an admin's dashboard: what is left before the estate runs, read from real state.

Each step ticks itself from the database, never from a flag someone sets:

1. a backend is added;
2. every active backend's connection works: its latest connection test or
   finished refresh, whichever came last, succeeded (a refresh that read the
   upstream proves the connection as well as a test does);
3. every active be.ENERGISED and ChargEye backend has an identity for a
   company (``portal.identities``), and each be.ENERGISED backend one for
   its own company;
4. every active backend has a finished refresh;
5. every model id the user's be.ENERGISED stations use has a catalogue
   model (nothing to map when there are no be.ENERGISED stations yet, but
   then step 4 is not done either);
6. a station was created through the portal and the upstream confirmed it.

The dashboard shows the list until every step is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.identities import IDENTITY_FIELDS, company_ref
from portal.models import Backend, CompanyIdentity, Operation, SyncRun, User
from portal.selectors import backends_for
from outbox.selectors import operations_for


@dataclass(frozen=True)
class Step:
    title: str
    done: bool
    url: str
    detail: str


def _identities_done(backends: list[Backend]) -> tuple[bool, str]:
    missing = []
    for backend in backends:
        if backend.kind not in IDENTITY_FIELDS:
            continue
        if backend.company is not None and backend.kind == Backend.Kind.BEENERGISED:
            ok = company_ref(backend.company, backend) is not None
        else:
            ok = CompanyIdentity.objects.filter(backend=backend).exclude(ref="").exists()
        if not ok:
            missing.append(backend.name)
    if missing:
        return False, _("No company identity yet on %(names)s.") % {"names": ", ".join(missing)}
    return True, _("Every be.ENERGISED and ChargEye backend knows its companies.")


def _connection_states(backends: list[Backend]) -> dict[int, bool | None]:
    """Per backend: True when its latest evidence (connection test or finished refresh) succeeded,
    False when it failed, None when there is none yet. Skipped runs read nothing and prove nothing."""
    last_run: dict[int, tuple[Any, bool]] = {}
    for backend in backends:  # a handful of backends: one small query each, on SQLite as on PostgreSQL
        last = (SyncRun.objects.filter(backend=backend, status__in=[SyncRun.Status.DONE, SyncRun.Status.FAILED])
                .exclude(finished_at=None).order_by("-finished_at").values_list("finished_at", "status").first())
        if last:
            last_run[backend.pk] = (last[0], last[1] == SyncRun.Status.DONE)
    states: dict[int, bool | None] = {}
    for backend in backends:
        tested_at = backend.checked_at or datetime.min.replace(tzinfo=timezone.utc)  # a result without a time: oldest
        candidates = [(tested_at, backend.check_ok), last_run.get(backend.pk, (None, None))]
        evidence = [(at, ok) for at, ok in candidates if at is not None and ok is not None]
        states[backend.pk] = max(evidence, key=lambda e: e[0])[1] if evidence else None
    return states


def _connections_detail(backends: list[Backend], states: dict[int, bool | None]) -> str:
    failing = [b.name for b in backends if states[b.pk] is False]
    untested = [b.name for b in backends if states[b.pk] is None]
    parts = []
    if failing:
        parts.append(_("Failing (the latest test or refresh): %(names)s.") % {"names": ", ".join(failing)})
    if untested:
        parts.append(_("Not tested or refreshed yet: %(names)s.") % {"names": ", ".join(untested)})
    return " ".join(parts) or _("Every backend answered its latest test or refresh.")


def setup_steps(user: User) -> list[Step]:
    from stations.model_ids import unmapped_ids  # the stations app's reading of model ids

    backends = list(backends_for(user).filter(is_active=True).order_by("name"))
    connections = _connection_states(backends)
    untested = [b.name for b in backends if not connections[b.pk]]
    unrefreshed = [b.name for b in backends
                   if not SyncRun.objects.filter(backend=b, status=SyncRun.Status.DONE).exists()]
    identities_ok, identities_detail = _identities_done(backends)
    unmapped = unmapped_ids(user)
    created = operations_for(user).filter(kind="station.create", status=Operation.Status.DONE).exists()
    return [
        Step(_("Add a backend"), bool(backends), reverse("backends:create"),
             ngettext("%(n)s active backend.", "%(n)s active backends.", len(backends)) % {"n": len(backends)}
             if backends else _("Add the upstream accounts the portal reads from and writes to.")),
        Step(_("Test the connections"), bool(backends) and not untested, reverse("backends:list"),
             _connections_detail(backends, connections)),
        Step(_("Map the companies"), bool(backends) and identities_ok, reverse("companies:list"), identities_detail),
        Step(_("Run a first refresh"), bool(backends) and not unrefreshed, reverse("sync:list"),
             _("Never refreshed: %(names)s.") % {"names": ", ".join(unrefreshed)} if unrefreshed
             else _("Every backend was refreshed.")),
        Step(_("Map the station models"), bool(backends) and not unrefreshed and not unmapped,
             reverse("stations:model_mapping"),
             ngettext("%(n)s be.ENERGISED model id without a catalogue model.",
                      "%(n)s be.ENERGISED model ids without a catalogue model.", len(unmapped)) % {"n": len(unmapped)}
             if unmapped else _("Every model id in use has its catalogue model.")),
        Step(_("Create a first station"), created, reverse("stations:create"),
             _("A station created here was confirmed by its platform.") if created
             else _("Create one and wait for its platform to confirm it.")),
    ]
