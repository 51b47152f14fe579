"""The documented value lists stations are checked against (GreenFlux document, OCPI 2.2.1 in NOTES.md).

One place for the forms, the CSV importer and the tests. GreenFlux's table of
connector standard and format pairs is what its API accepts for a connector;
the OCPI lists are wider and are what the simulator enforces.
"""

from __future__ import annotations

DEPLOY_STATES = ("Stock", "Production", "Deprecated")
CHARGER_TYPES = ("Public", "Home", "Business")
CONNECTOR_FORMATS = ("SOCKET", "CABLE")
# The GreenFlux document lists these three; OCPI adds AC_2_PHASE and AC_2_PHASE_SPLIT.
POWER_TYPES = ("AC_1_PHASE", "AC_3_PHASE", "DC")
CAPABILITIES = ("CREDIT_CARD_PAYABLE", "REMOTE_START_STOP_CAPABLE", "RFID_READER")
PARKING_RESTRICTIONS = ("EV_ONLY", "PLUGGED", "DISABLED", "CUSTOMERS", "MOTORCYCLES")

# (standard, format) pairs from the GreenFlux document's connector table, with its internal name.
GREENFLUX_CONNECTORS: dict[tuple[str, str], str] = {
    ("IEC_62196_T1_COMBO", "CABLE"): "CCS1_Cable",
    ("IEC_62196_T2_COMBO", "CABLE"): "CCS2_Cable",
    ("IEC_62196_T1_COMBO", "SOCKET"): "CCS1_Socket",
    ("IEC_62196_T2_COMBO", "SOCKET"): "CCS2_Socket",
    ("IEC_62196_T2", "SOCKET"): "Mennekes_Socket",
    ("IEC_62196_T2", "CABLE"): "Mennekes_Cable",
    ("IEC_62196_T1", "CABLE"): "Type1_Cable",
    ("CHADEMO", "CABLE"): "ChaDeMo_Cable",
    **{(f"DOMESTIC_{letter}", "SOCKET"): f"DOMESTIC_{letter}_Socket" for letter in "EFGHIJKL"},
}
CONNECTOR_STANDARDS = tuple(dict.fromkeys(standard for standard, _ in GREENFLUX_CONNECTORS))
