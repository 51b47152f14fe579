"""Posting the hardware form as a browser would: the rows it showed, changed by a test."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from stations.hardware import rows_of
from stations.models import Station


def shown_rows(client: Client, station: Station) -> tuple[str, list[dict[str, Any]]]:
    """The token and the rows the hardware page shows now."""
    response = client.get(reverse("stations:hardware", args=[station.pk]))
    assert response.status_code == 200, response.content[:500]
    token = response.context["token"]
    from stations.versions import ShownVersion

    return token, rows_of(ShownVersion.load(token, station).document)


def form_data(token: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {"shown": token, "action": "save", "evse-count": str(len(rows))}
    for i, row in enumerate(rows):
        p = f"evse-{i}-"
        for name in ("uid", "evse_id", "floor_level", "physical_reference", "directions_text", "directions_language"):
            data[p + name] = row.get(name) or ""
        data[p + "capabilities"] = list(row.get("capabilities") or [])
        data[p + "parking_restrictions"] = list(row.get("parking_restrictions") or [])
        if row.get("retire"):
            data[p + "retire"] = "on"
        data[p + "conn-count"] = str(len(row["connectors"]))
        for j, conn in enumerate(row["connectors"]):
            for name in ("id", "standard", "format", "power_type", "voltage", "amperage", "max_electric_power",
                         "tariff_id"):
                value = conn.get(name)
                if name == "max_electric_power" and value is not None:
                    value = f"{value / 1000:g}"  # the form asks for kW; rows hold the upstream's watts
                data[f"{p}conn-{j}-{name}"] = "" if value is None else str(value)
    return data


def post_rows(client: Client, station: Station, token: str, rows: list[dict[str, Any]]):
    return client.post(reverse("stations:hardware", args=[station.pk]), form_data(token, rows))


T2 = {"standard": "IEC_62196_T2", "format": "SOCKET", "power_type": "AC_3_PHASE", "voltage": 400, "amperage": 32,
      "max_electric_power": 22000}
CCS = {"standard": "IEC_62196_T2_COMBO", "format": "CABLE", "power_type": "DC", "voltage": 500, "amperage": 125,
       "max_electric_power": 50000}
