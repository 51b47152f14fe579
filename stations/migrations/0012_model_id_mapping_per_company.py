"""be.ENERGISED model ids move from the shared catalogue (``StationModel.beenergised_model_id``) to each
company (``ModelIdMapping``), so that one company's admin maps only that company's stations.

Today's mapping is copied to every company that sees it today: each company with a be.ENERGISED
station using the id (or linked to the model), and each company that may create be.ENERGISED
stations (a be.ENERGISED backend of its own; every company when a backend serves all of them), whose
create form offers the model today. ``models_catalog`` 0003 then drops the shared field.
"""

import django.db.models.deletion
from django.db import migrations, models


def copy_to_companies(apps, schema_editor):
    StationModel = apps.get_model("models_catalog", "StationModel")
    Station = apps.get_model("stations", "Station")
    Backend = apps.get_model("portal", "Backend")
    Company = apps.get_model("portal", "Company")
    Mapping = apps.get_model("stations", "ModelIdMapping")
    creators = set(Backend.objects.filter(kind="beenergised").exclude(company=None).values_list("company_id", flat=True))
    if Backend.objects.filter(kind="beenergised", company=None).exists():
        creators |= set(Company.objects.values_list("pk", flat=True))
    rows = []
    for model in StationModel.objects.exclude(beenergised_model_id=None):
        number = model.beenergised_model_id
        be = Station.objects.filter(backend__kind="beenergised")
        users = set(be.filter(upstream_data__modelId=number).values_list("company_id", flat=True))
        users |= set(be.filter(model=model).values_list("company_id", flat=True))
        rows += [Mapping(company_id=c, beenergised_model_id=number, model=model) for c in sorted(users | creators)]
    Mapping.objects.bulk_create(rows, ignore_conflicts=True)


def copy_back(apps, schema_editor):
    StationModel = apps.get_model("models_catalog", "StationModel")
    Mapping = apps.get_model("stations", "ModelIdMapping")
    taken = set()
    for mapping in Mapping.objects.order_by("pk"):
        if mapping.beenergised_model_id not in taken and mapping.model.beenergised_model_id is None:
            StationModel.objects.filter(pk=mapping.model_id).update(beenergised_model_id=mapping.beenergised_model_id)
            taken.add(mapping.beenergised_model_id)


class Migration(migrations.Migration):

    dependencies = [
        ('models_catalog', '0002_initial'),
        ('portal', '0006_backend_paths'),
        ('stations', '0011_batch_item_fewer_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='ModelIdMapping',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('beenergised_model_id', models.PositiveIntegerField(help_text="The id be.ENERGISED knows the model by (its stations' modelId).")),
                ('company', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='model_id_mappings', to='portal.company')),
                ('model', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='id_mappings', to='models_catalog.stationmodel')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('company', 'beenergised_model_id'), name='model_id_mapping_one_model'), models.UniqueConstraint(fields=('company', 'model'), name='model_id_mapping_one_id')],
            },
        ),
        migrations.RunPython(copy_to_companies, copy_back),
    ]
