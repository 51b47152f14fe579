"""Models of the locations app: the location mirror and the live network figures."""

from locations.models.hardware import ChargEyeStation
from locations.models.location import Location, label_values
from locations.models.network import (
    ChargingTransaction,
    HardwareError,
    NetworkStation,
    PowerSample,
    ProblematicSession,
)

__all__ = [
    "ChargEyeStation",
    "ChargingTransaction",
    "HardwareError",
    "Location",
    "NetworkStation",
    "PowerSample",
    "ProblematicSession",
    "label_values",
]
