"""Refresh runs and their per-backend lock; the housekeeping schedule that keeps refresh schedules."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def schedule_housekeeping(apps, schema_editor):
    """Every minute: a refresh schedule for every active backend's entities, stale runs closed."""
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    PeriodicTask.objects.get_or_create(
        name="Refresh schedules and stale runs",
        defaults={"task": "portal.refresh_housekeeping", "interval": every_minute},
    )


def unschedule_housekeeping(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name="Refresh schedules and stale runs"
    ).delete()



class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0002_roles_and_schedules'),
        ('django_celery_beat', '0019_alter_periodictasks_options'),
    ]

    operations = [
        migrations.CreateModel(
            name='SyncRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('entity', models.CharField(max_length=40)),
                ('full', models.BooleanField(default=True, help_text='Full read (marks vanished rows removed) or incremental.')),
                ('since', models.DateTimeField(blank=True, help_text='Incremental runs: changes since this time.', null=True)),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed'), ('skipped', 'Skipped')], db_index=True, default='queued', max_length=8)),
                ('trigger', models.CharField(choices=[('schedule', 'Schedule'), ('manual', 'Refresh now'), ('command', 'Command line')], default='schedule', max_length=8)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('pages', models.PositiveIntegerField(default=0)),
                ('total', models.PositiveIntegerField(blank=True, help_text='Rows the upstream announced, if it says.', null=True)),
                ('rows_seen', models.PositiveIntegerField(default=0)),
                ('rows_created', models.PositiveIntegerField(default=0)),
                ('rows_updated', models.PositiveIntegerField(default=0)),
                ('rows_unchanged', models.PositiveIntegerField(default=0)),
                ('rows_kept', models.PositiveIntegerField(default=0, help_text='Kept beside a local change still pending.')),
                ('rows_removed', models.PositiveIntegerField(default=0)),
                ('errors', models.PositiveIntegerField(default=0)),
                ('message', models.TextField(blank=True)),
                ('backend', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sync_runs', to='portal.backend')),
                ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='SyncLock',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('entity', models.CharField(max_length=40)),
                ('lease_until', models.DateTimeField(blank=True, null=True)),
                ('backend', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='portal.backend')),
                ('run', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='portal.syncrun')),
            ],
        ),
        migrations.AddIndex(
            model_name='syncrun',
            index=models.Index(fields=['backend', 'entity', 'status', '-created_at'], name='portal_sync_backend_3a4322_idx'),
        ),
        migrations.AddConstraint(
            model_name='synclock',
            constraint=models.UniqueConstraint(fields=('backend', 'entity'), name='sync_lock_unique'),
        ),
        migrations.RunPython(schedule_housekeeping, unschedule_housekeeping),
    ]
