"""The setup checklist on an admin's dashboard: what is left before the estate runs, read from real state.

Each step ticks itself from the database, never from a flag someone sets:

1. a backend is added;
2. every active backend's last connection test succeeded;
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

from django.urls import reverse

from portal.identities import IDENTITY_FIELDS, company_ref
from portal.models import Backend, CompanyIdentity, Operation, SyncRun, User
from portal.selectors import backends_for, operations_for


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
        return False, "No company identity yet on " + ", ".join(missing) + "."
    return True, "Every be.ENERGISED and ChargEye backend knows its companies."


def setup_steps(user: User) -> list[Step]:
    from stations.model_ids import unmapped_ids  # the stations app's reading of model ids

    backends = list(backends_for(user).filter(is_active=True).order_by("name"))
    untested = [b.name for b in backends if not b.check_ok]
    unrefreshed = [b.name for b in backends
                   if not SyncRun.objects.filter(backend=b, status=SyncRun.Status.DONE).exists()]
    identities_ok, identities_detail = _identities_done(backends)
    unmapped = unmapped_ids(user)
    created = operations_for(user).filter(kind="station.create", status=Operation.Status.DONE).exists()
    return [
        Step("Add a backend", bool(backends), reverse("backends:create"),
             f"{len(backends)} active backend{'s' if len(backends) != 1 else ''}." if backends
             else "Add the upstream accounts the portal reads from and writes to."),
        Step("Test the connections", bool(backends) and not untested, reverse("backends:list"),
             ("Not tested or failing: " + ", ".join(untested) + ".") if untested else "Every backend answered."),
        Step("Map the companies", bool(backends) and identities_ok, reverse("companies:list"), identities_detail),
        Step("Run a first refresh", bool(backends) and not unrefreshed, reverse("sync:list"),
             ("Never refreshed: " + ", ".join(unrefreshed) + ".") if unrefreshed else "Every backend was refreshed."),
        Step("Map the station models", bool(backends) and not unrefreshed and not unmapped,
             reverse("stations:model_mapping"),
             f"{len(unmapped)} be.ENERGISED model id{'s' if len(unmapped) != 1 else ''} without a catalogue model."
             if unmapped else "Every model id in use has its catalogue model."),
        Step("Create a first station", created, reverse("stations:create"),
             "A station created here was confirmed by its platform." if created
             else "Create one and wait for its platform to confirm it."),
    ]
