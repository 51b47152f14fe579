"""The import lease also covers a confirmed job's run (stations.csv_import.checking): help texts only."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('stations', '0008_import_validation_lease'),
    ]

    operations = [
        migrations.AlterField(
            model_name='importjob',
            name='enqueued_at',
            field=models.DateTimeField(blank=True, help_text='When the job was last handed to a worker.', null=True),
        ),
        migrations.AlterField(
            model_name='importjob',
            name='lease_until',
            field=models.DateTimeField(blank=True, help_text='Someone works on the job (checks its file, or sends its rows) until then.', null=True),
        ),
    ]
