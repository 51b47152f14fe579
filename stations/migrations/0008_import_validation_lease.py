"""Imports are checked under a lease (the file kept on the job meanwhile), and a sweeper on beat's
schedule resends a check whose process died, as "Resend stalled operations" does for the outbox."""

from django.conf import settings
from django.db import migrations, models

SWEEP = "Resend stalled import checks"


def schedule_sweep(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_30s, _ = IntervalSchedule.objects.get_or_create(every=30, period="seconds")
    PeriodicTask.objects.get_or_create(name=SWEEP, defaults={"task": "stations.sweep_imports", "interval": every_30s})


def unschedule_sweep(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SWEEP).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('django_celery_beat', '0019_alter_periodictasks_options'),
        ('stations', '0007_import_update_mode'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='importjob',
            name='enqueued_at',
            field=models.DateTimeField(blank=True, help_text='When checking was last handed to a worker.', null=True),
        ),
        migrations.AddField(
            model_name='importjob',
            name='file_content',
            field=models.BinaryField(blank=True, default=b'', help_text='The uploaded file while it waits to be checked; emptied once it is.'),
        ),
        migrations.AddField(
            model_name='importjob',
            name='lease_until',
            field=models.DateTimeField(blank=True, help_text='Someone is checking the file until then.', null=True),
        ),
        migrations.AddField(
            model_name='importjob',
            name='validation_attempts',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name='importjob',
            name='status',
            field=models.CharField(choices=[('validating', 'Checking the file'), ('validated', 'Ready to confirm'), ('invalid', 'Has problems'), ('duplicate', 'Already imported'), ('confirmed', 'Creating stations'), ('finished', 'Finished')], max_length=10),
        ),
        migrations.AddIndex(
            model_name='importjob',
            index=models.Index(fields=['status', 'lease_until'], name='import_job_status_lease'),
        ),
        migrations.RunPython(schedule_sweep, unschedule_sweep),
    ]
