"""The shared be.ENERGISED model id goes, once ``stations`` 0012 has copied it to each company."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('models_catalog', '0002_initial'),
        ('stations', '0012_model_id_mapping_per_company'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='stationmodel',
            name='beenergised_model_id',
        ),
    ]
