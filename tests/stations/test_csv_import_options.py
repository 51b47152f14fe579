"""CSV import: a template filled with the user's own backends, and "create the valid rows, leave the others"."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from locations.models import Location
from portal.models import Backend, User
from stations.csv_import.models import ImportJob
from stations.csv_import.services import import_confirm, import_run
from stations.models import Station
from tests.stations.test_csv_import import csv_bytes, upload

pytestmark = pytest.mark.django_db


def test_template_is_filled_with_the_users_backends_and_its_rows_pass(
    operator_client: Client, operator: User, gf_backend: Backend
) -> None:
    body = b"".join([operator_client.get(reverse("stations:import_template")).content])
    text = body.decode("utf-8-sig")
    location = Location.objects.filter(backend=gf_backend).order_by("name").first()
    assert gf_backend.name in text and location.name in text and "Company A" in text
    assert "Voltaro" not in text  # the generic examples name backends nobody has
    job = upload(operator, body, "template.csv")
    assert job.status == ImportJob.Status.VALIDATED, list(job.rows.values_list("problems", flat=True))


def test_valid_rows_alone_are_created_when_asked_and_the_others_stay_to_fix(
    operator_client: Client, operator: User, gf_backend: Backend
) -> None:
    location = Location.objects.filter(backend=gf_backend).first()
    good = {"backend": gf_backend.name, "label": "Good", "charge_box_identity": "PART-1",
            "location": location.upstream_id, "deploy_state": "Stock", "default_tariff_id": "TARIFF-AC",
            "connectors": "IEC_62196_T2/SOCKET/AC_3_PHASE/400/32/22000"}
    bad = {**good, "label": "Bad", "charge_box_identity": "PART-2", "deploy_state": "Sideways"}
    job = upload(operator, csv_bytes(good, bad))
    assert job.status == ImportJob.Status.INVALID and job.valid_rows == 1
    with pytest.raises(ValueError):
        import_confirm(user=operator, job=job)  # all or nothing stays the default
    page = operator_client.get(reverse("stations:import_detail", args=[job.pk])).content.decode()
    assert "Create the 1 valid row, leave the others" in page
    response = operator_client.post(reverse("stations:import_confirm", args=[job.pk]), {"valid_only": "1"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CONFIRMED
    import_run(job.pk)  # what the worker does
    assert list(Station.objects.filter(charge_box_identity__startswith="PART-").values_list(
        "charge_box_identity", flat=True)) == ["PART-1"]
    page = operator_client.get(reverse("stations:import_detail", args=[job.pk])).content.decode()
    assert "These rows were left out." in page and "deploy_state" in page
