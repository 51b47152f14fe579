"""The station page shows what is mirrored of each EVSE: directions, parking restrictions, connector tariffs."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from portal.models import Company
from stations.models import Connector, Evse
from tests.factories import StationFactory


def test_directions_parking_restrictions_and_connector_tariff_are_shown(viewer_client: Client,
                                                                        company_a: Company) -> None:
    station = StationFactory(company=company_a)
    evse = Evse.objects.create(station=station, uid="u-1", evse_id="NL*GFX*E1", directions=[
        {"language": "nl", "text": "Achter de slagboom links"}], parking_restrictions=["EV_ONLY", "CUSTOMERS"])
    Connector.objects.create(evse=evse, connector_id="1", standard="IEC_62196_T2", format="SOCKET",
                             power_type="AC_3_PHASE", max_voltage=400, max_amperage=32, tariff_id="TARIFF-AC-9")
    text = viewer_client.get(reverse("stations:detail", args=[station.pk])).content.decode()
    assert "Achter de slagboom links" in text and 'lang="nl"' in text
    assert "Electric vehicles only, Customers only" in text
    assert "TARIFF-AC-9" in text
