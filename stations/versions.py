"""The version of a station an edit form showed, carried by the form itself.

A form renders ``shown_version(station)``: the station's etag and its
canonical document (``stations.merge.canonical``) as the mirror holds it at
that moment, pending local changes included. The form carries it as one
signed hidden field (``ShownVersion.token()``, signed as every form's shown
values are: ``outbox.shown``): tamper-proof, and needing no table. At save time ``ShownVersion.load(token, station)`` gives back exactly
what the user saw, so a refresh or another user's save that landed meanwhile
never counts as "your change". ``form_changes`` turns the posted values
(portal field names) into the user's changes against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from outbox.shown import sign, unsign
from stations import merge
from stations.mapping import greenflux_evses_payload
from stations.models import Station

SALT = "stations.shown-version"  # its own salt: a station's token is never another form's

# Portal field -> GreenFlux field, for the station's own writable fields.
UPSTREAM_FIELDS = {
    "label": "name",
    "location": "location_id",
    "default_tariff_id": "default_charge_station_tariff_id",
    "deploy_state": "deploy_state",
    "charger_type": "charger_type",
}


class StaleForm(ValueError):
    """The form's version is missing, altered, of another station, or too old."""


def mirror_document(station: Station) -> dict[str, Any]:
    """The station as the mirror holds it, in GreenFlux's shape (without mirror-only stand-ins).

    A station without a name shows its charge station id as label in the
    portal; that stand-in is not a name the user gave, so it stays ``None``.
    """
    upstream = station.upstream_data or {}
    name = station.label or None
    if name == station.charge_box_identity and not upstream.get("name"):
        name = None
    return {
        "charge_station_id": station.charge_box_identity,
        "name": name,
        "location_id": station.location.upstream_id if station.location else upstream.get("location_id"),
        "default_charge_station_tariff_id": station.default_tariff_id or None,
        "deploy_state": station.deploy_state or None,
        "charger_type": station.charger_type or None,
        "contactless_type": upstream.get("contactless_type"),
        "evses": greenflux_evses_payload(station),
    }


@dataclass(frozen=True)
class ShownVersion:
    """What an edit form showed: the station, its etag then, and its canonical document."""

    station_id: int
    etag: str
    document: dict[str, Any]
    shown_at: str

    def token(self) -> str:
        return sign({"s": self.station_id, "e": self.etag, "d": self.document, "t": self.shown_at}, salt=SALT)

    @classmethod
    def load(cls, token: str, station: Station) -> ShownVersion:
        data = unsign(token, salt=SALT)  # a form left open over a week is reloaded with the current version
        if data is None:
            raise StaleForm("The form's version is missing, altered or too old.")
        if data.get("s") != station.pk:
            raise StaleForm("The form belongs to another station.")
        return cls(station.pk, data.get("e") or "", data["d"], data.get("t") or "")

    def value(self, portal_field: str) -> Any:
        """The value the form showed for a portal field (an upstream id for ``location``)."""
        return self.document.get(UPSTREAM_FIELDS[portal_field])


def shown_version(station: Station) -> ShownVersion:
    return ShownVersion(station.pk, station.etag or "", merge.canonical(mirror_document(station)),
                        timezone.now().isoformat())


def upstream_value(portal_field: str, value: Any) -> Any:
    """A posted portal value as GreenFlux holds it (a location's upstream id; blanks as None)."""
    if portal_field == "location":
        return getattr(value, "upstream_id", value) or None
    return value or None


def form_changes(shown: ShownVersion, values: dict[str, Any]) -> dict[str, Any]:
    """The user's changes: the posted portal fields that differ from what the form showed."""
    mine = dict(shown.document)
    for portal_field, value in values.items():
        mine[UPSTREAM_FIELDS[portal_field]] = upstream_value(portal_field, value)
    return merge.user_changes(shown.document, mine)
