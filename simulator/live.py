"""Live figures of ChargEye stations, derived from the station id and the clock.

Nothing here is stored: sessions, power, EVSE status and hardware errors are
a pure function of ``(stationId, connector, time)``, so every process and
every restart agrees, reads are cheap for any estate size, and the figures
change as time passes (power ramps and tapers within a session).

Each connector's day is cut into 90-minute slots; a slot holds a session
with a probability of 40 %.  A station has a hardware error in a 6-hour
window with a probability of 1 in 25.
"""

from __future__ import annotations

import uuid
import zlib
from dataclasses import dataclass
from typing import Any, Iterator

from .common import iso_millis

SLOT = 5400.0
ERROR_WINDOW = 6 * 3600.0
_NS = uuid.UUID("0b0f7d5e-3a59-4d5a-9f62-8b1f2c3d4e5f")

_EV_MODELS = ("Volkswagen ID.4", "Tesla Model Y", "Kia EV6", "Volvo EX30", "Mercedes eVito", "Ford E-Transit",
              "Renault Megane E-Tech", "Hyundai Ioniq 5", "BMW i4", "Polestar 2", "MAN eTGM", "Volvo FH Electric")
_ERRORS = (
    ("GroundFailure", "Ground fault detected", "critical"),
    ("HighTemperature", "Power module temperature too high", "major"),
    ("EVCommunicationError", "Communication with the vehicle lost", "minor"),
    ("ConnectorLockFailure", "Connector lock failed to engage", "major"),
    ("PowerMeterFailure", "Energy meter not responding", "major"),
    ("PowerModuleFailure", "Power module reported an internal fault", "critical"),
)
_FAIL_CLASSES = ("ABRUPTLY_CANCELED", "EV_COMMUNICATION_ERROR", "INSULATION_FAULT", "USER_STOPPED_EARLY")


def _h(*parts: object) -> int:
    """A stable 32-bit hash (``hash()`` is salted per process)."""
    return zlib.crc32(":".join(str(p) for p in parts).encode())


@dataclass(frozen=True)
class Session:
    station_id: str
    connector_id: int
    slot: int
    start: float
    end: float
    vehicle: int
    soc_start: int

    @property
    def tx_id(self) -> str:
        return str(uuid.uuid5(_NS, f"{self.station_id}/{self.connector_id}/{self.slot}"))

    @property
    def problematic(self) -> bool:
        return _h(self.tx_id, "alarm") % 100 < 8

    def power_kw(self, max_kw: float, t: float) -> float:
        """Ramp up, hold, then taper as the battery fills; 0 outside the session."""
        if not self.start <= t < self.end:
            return 0.0
        frac = (t - self.start) / (self.end - self.start)
        vehicle_cap = 0.45 + (self.vehicle % 50) / 90.0  # what the car accepts
        shape = min(1.0, frac * 12) if frac < 0.6 else max(0.15, 1.0 - (frac - 0.6) * 2.0)
        return round(max_kw * min(1.0, vehicle_cap) * shape, 2)

    def soc(self, t: float) -> int:
        frac = min(1.0, max(0.0, (t - self.start) / (self.end - self.start)))
        return int(self.soc_start + (92 - self.soc_start) * frac)


def session_in_slot(station_id: str, connector_id: int, slot: int) -> Session | None:
    h = _h(station_id, connector_id, slot)
    if h % 100 >= 40:
        return None
    offset = (h >> 8) % 1200
    duration = min(1200 + (h >> 12) % 3600, SLOT - offset - 60)
    start = slot * SLOT + offset
    return Session(station_id, connector_id, slot, start, start + duration, h >> 4, 10 + (h >> 20) % 50)


def current_session(station_id: str, connector_id: int, t: float) -> Session | None:
    s = session_in_slot(station_id, connector_id, int(t // SLOT))
    return s if s is not None and s.start <= t < s.end else None


def latest_session(station_id: str, connector_id: int, t: float) -> Session | None:
    """The running session, or the last one that ended (searching back one day)."""
    slot = int(t // SLOT)
    for k in range(slot, slot - 17, -1):
        s = session_in_slot(station_id, connector_id, k)
        if s is not None and s.start <= t:
            return s
    return None


def sessions_between(station_id: str, connector_ids: list[int], t_from: float, t_to: float) -> Iterator[Session]:
    for cid in connector_ids:
        for k in range(int(t_from // SLOT), int(t_to // SLOT) + 1):
            s = session_in_slot(station_id, cid, k)
            if s is not None and s.start < t_to and s.end > t_from and s.start <= t_to:
                yield s


def active_error(station_id: str, t: float) -> dict[str, Any] | None:
    """The hardware error the station shows at ``t``, if any."""
    for e in errors_between(station_id, t - ERROR_WINDOW, t):
        if e["_start"] <= t < e["_end"]:
            return e
    return None


def errors_between(station_id: str, t_from: float, t_to: float) -> list[dict[str, Any]]:
    out = []
    for w in range(int(t_from // ERROR_WINDOW), int(t_to // ERROR_WINDOW) + 1):
        h = _h(station_id, "error", w)
        if h % 25:
            continue
        start = w * ERROR_WINDOW + (h >> 8) % 7200
        end = start + 600 + (h >> 16) % 10800
        if start > t_to or end < t_from:
            continue
        code, title, severity = _ERRORS[(h >> 4) % len(_ERRORS)]
        out.append({"_start": start, "_end": end, "id": str(uuid.uuid5(_NS, f"{station_id}/error/{w}")),
                    "code": code, "title": title, "severity": severity})
    return out


def ev_of(session: Session) -> dict[str, Any]:
    name = _EV_MODELS[session.vehicle % len(_EV_MODELS)]
    return {"evId": f"EV-{session.vehicle % 100000:05d}", "evModel": name, "evName": f"{name} #{session.vehicle % 97}",
            "evIdentify": {"clusteringTimestamp": iso_millis(session.start), "displayName": name, "seqNo": session.vehicle % 1000}}


def fail_class(session: Session) -> str | None:
    return _FAIL_CLASSES[_h(session.tx_id, "class") % len(_FAIL_CLASSES)] if session.problematic else None
