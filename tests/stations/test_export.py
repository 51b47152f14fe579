"""Exporting the station list as CSV: the list's filters, the user's companies, formula-safe cells."""

from __future__ import annotations

import csv
import io

from django.test import Client
from django.urls import reverse

from portal.models import User
from tests.factories import StationFactory


def exported(client: Client, **params: str) -> list[dict[str, str]]:
    response = client.get(reverse("stations:export"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_export_follows_filters_and_companies(viewer: User, other_company_user: User, viewer_client: Client) -> None:
    company = viewer.companies.get()
    StationFactory(company=company, label="Depot North", charge_box_identity="N-1", status="AVAILABLE")
    StationFactory(company=company, label="Depot South", charge_box_identity="S-1", status="OUTOFORDER")
    StationFactory(company=other_company_user.companies.get(), label="Depot Elsewhere", charge_box_identity="E-1")
    rows = exported(viewer_client)
    assert [r["charge_box_identity"] for r in rows] == ["N-1", "S-1"]
    assert [r["label"] for r in exported(viewer_client, status="OUTOFORDER")] == ["Depot South"]
    assert [r["label"] for r in exported(viewer_client, q="north")] == ["Depot North"]


def test_formulas_in_cells_are_exported_as_text(viewer: User, viewer_client: Client) -> None:
    StationFactory(company=viewer.companies.get(), label='=HYPERLINK("http://evil.example","Click")',
                   charge_box_identity="@SUM(1+1)")
    (row,) = exported(viewer_client)
    assert row["label"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert row["charge_box_identity"] == "'@SUM(1+1)"


def test_anonymous_export_goes_to_login(client: Client, db: None) -> None:
    assert client.get(reverse("stations:export")).status_code == 302
