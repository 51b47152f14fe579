"""The migration that moves be.ENERGISED model ids from the shared catalogue to each company keeps what
every company sees today: its stations keep their model, its create form offers the same models."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("stations", "0011_batch_item_fewer_indexes"), ("models_catalog", "0002_initial")]
AFTER = [("stations", "0012_model_id_mapping_per_company"),
         ("models_catalog", "0003_beenergised_model_id_per_company")]


def migrate(targets: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_shared_mapping_is_copied_to_each_company_that_uses_it() -> None:
    apps = migrate(BEFORE)
    try:
        Company, Backend = apps.get_model("portal", "Company"), apps.get_model("portal", "Backend")
        StationModel, Station = apps.get_model("models_catalog", "StationModel"), apps.get_model("stations", "Station")
        a, b, c = (Company.objects.create(name=n) for n in ("A", "B", "C"))
        be_a = Backend.objects.create(name="BE A", kind="beenergised", company=a, base_url="http://x.example")
        gf_c = Backend.objects.create(name="GF C", kind="greenflux", company=c, base_url="http://x.example")
        cat = Backend.objects.create(name="Models", kind="models", base_url="http://x.example")
        used = StationModel.objects.create(backend=cat, vendor="Alfen", model="Eve", power_type="AC_3_PHASE",
                                           beenergised_model_id=4)
        StationModel.objects.create(backend=cat, vendor="ABB", model="Terra", power_type="AC_3_PHASE")
        # B has a station with id 4 on A's backend (a backend serving two companies); C has none.
        Station.objects.create(backend=be_a, company=b, label="B1", charge_box_identity="B1", upstream_id="u-b1",
                               upstream_data={"modelId": 4}, model=used)
        Station.objects.create(backend=gf_c, company=c, label="C1", charge_box_identity="C1", upstream_id="u-c1")

        apps = migrate(AFTER)
        Mapping = apps.get_model("stations", "ModelIdMapping")
        assert sorted(Mapping.objects.values_list("company__name", "beenergised_model_id", "model__model")) == [
            ("A", 4, "Eve"),  # A may create be.ENERGISED stations: its form offers the model as today
            ("B", 4, "Eve"),  # B's station uses the id
        ]  # C has no be.ENERGISED station nor backend: nothing to keep
    finally:  # every app's newest migration, as the other tests in this process expect
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
