"""Update mode of CSV imports: a job's mode and its batch of changes, what each row does, and the
import kind of batch (confirmed with its job only). Existing jobs and rows stay create-only."""



import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('stations', '0006_import_rows_by_company'),
    ]

    operations = [
        migrations.AddField(
            model_name='importjob',
            name='batch',
            field=models.OneToOneField(blank=True, help_text='Update mode: the preview of the changes to existing stations, confirmed with the job.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='import_job', to='stations.batch'),
        ),
        migrations.AddField(
            model_name='importjob',
            name='mode',
            field=models.CharField(choices=[('create', 'Create new stations only'), ('update', 'Create new stations and update existing ones')], default='create', max_length=6),
        ),
        migrations.AddField(
            model_name='importrow',
            name='action',
            field=models.CharField(choices=[('create', 'New station'), ('change', 'Change'), ('unchanged', 'Unchanged, skipped')], default='create', help_text='What the row does (when it has no problems).', max_length=9),
        ),
        migrations.AddField(
            model_name='importrow',
            name='batch_item',
            field=models.OneToOneField(blank=True, help_text="Update mode: the row's change (diff, base version, operation) in the job's batch.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='import_row', to='stations.batchitem'),
        ),
        migrations.AlterField(
            model_name='batch',
            name='kind',
            field=models.CharField(choices=[('change', 'Change fields'), ('refresh', 'Refresh from upstream'), ('maintenance', 'Schedule maintenance'), ('import', 'CSV import changes')], max_length=12),
        ),
    ]
