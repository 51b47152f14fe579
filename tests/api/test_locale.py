"""The API speaks one dialect (issue 30): "." decimals, English messages and the portal's time zone,
whatever the caller's browser or portal settings say (portal.locale)."""

from __future__ import annotations

from portal.models import Backend, Operation


def _german(user) -> None:
    user.language, user.time_zone = "de", "America/New_York"
    user.save()


def test_powers_times_and_messages_stay_the_same_for_a_german_caller(admin_user, api_for, settings, db) -> None:
    settings.TIME_ZONE = "Europe/Amsterdam"
    _german(admin_user)
    Backend.objects.create(name="Catalogue", kind=Backend.Kind.MODELS, base_url="http://127.0.0.1:9/m")
    api = api_for(admin_user)
    body = {"vendor": "Alfen", "model": "Eve Double", "power_type": "AC_3_PHASE", "ocpp_url": "wss://ocpp.example.com",
            "connectors": [{"connection_type": "IEC_62196_T2", "format": "SOCKET", "max_amperage": "16",
                            "max_voltage": "230", "max_power_watts": "1234567"}]}
    created = api.send("POST", "/api/v1/models/", body, accept_language="de-DE")
    assert created.status_code == 202, created.content
    assert created["Content-Language"] == "en-gb"
    op = Operation.objects.get(pk=created.json()["id"])
    # 1234.567 kW passed to the form as "1234.567": with a German reading it would be 1,234,567 kW.
    assert [c.get("maxPowerWatts", c.get("max_power_watts")) for c in op.payload["model"]["connectors"]] == [1234567]

    # Times in the portal's zone (Amsterdam in December: +01:00), not the caller's New York (-05:00).
    shown = api.get(f"/api/v1/operations/{op.pk}/", HTTP_ACCEPT_LANGUAGE="de").json()
    assert shown["created_at"].endswith("+01:00"), shown

    refused = api.send("POST", "/api/v1/models/", {**body, "vendor": ""}, accept_language="de-DE")
    assert refused.status_code == 400
    error = refused.json()["errors"][0]
    assert error["field"] == "vendor" and error["detail"] == "This field may not be blank."  # not German


