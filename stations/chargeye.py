"""ChargEye's report of a portal station, matched by identity.

The same hardware can be registered on a station platform (be.ENERGISED,
GreenFlux) and monitored in ChargEye; ChargEye's ``stationId`` is then the
station's charge box identity. Matches stay within the station's company.
be.ENERGISED reports no station status at all: its stations show ChargEye's
status where ChargEye knows them, and "not reported" otherwise.
"""

from __future__ import annotations
from django.utils.translation import gettext_lazy

from collections.abc import Sequence

from locations.models import ChargEyeStation
from portal.models import Backend
from stations.models import Station, Status

NOT_REPORTED = gettext_lazy("Not reported")


def chargeye_twin(station: Station) -> ChargEyeStation | None:
    return (ChargEyeStation.objects.filter(upstream_id=station.charge_box_identity, company_id=station.company_id,
                                           removed_at__isnull=True).order_by("-synced_at").first())


def annotate_status(stations: Sequence[Station]) -> None:
    """Set ``status_text`` on every be.ENERGISED station without a status (one query for all)."""
    silent = [s for s in stations if s.status == Status.UNKNOWN and s.backend.kind == Backend.Kind.BEENERGISED]
    for station in stations:
        station.status_text = ""  # type: ignore[attr-defined]
    if not silent:
        return
    known = dict(ChargEyeStation.objects.filter(
        upstream_id__in=[s.charge_box_identity for s in silent], removed_at__isnull=True,
        company_id__in={s.company_id for s in silent},
    ).values_list("upstream_id", "status"))
    for station in silent:
        seen = known.get(station.charge_box_identity)
        station.status_text = f"{seen} (ChargEye)" if seen else NOT_REPORTED  # type: ignore[attr-defined]
