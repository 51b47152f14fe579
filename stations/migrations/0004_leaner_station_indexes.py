"""Fewer indexes on stations: each one costs every refreshed row a write (``make bench``).

Status and company lookups are served by the composite indexes of 0002 and Meta; deploy state and
connectivity keep a plain b-tree each, without the LIKE twin ``db_index`` adds on PostgreSQL.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0003_sync_runs'),
        ('stations', '0003_import_jobs'),
    ]

    operations = [
        migrations.AlterField(
            model_name='station',
            name='company',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='stations', to='portal.company'),
        ),
        migrations.AlterField(
            model_name='station',
            name='connectivity',
            field=models.CharField(blank=True, choices=[('Online', 'Online'), ('Offline', 'Offline')], max_length=8),
        ),
        migrations.AlterField(
            model_name='station',
            name='deploy_state',
            field=models.CharField(blank=True, choices=[('Stock', 'Stock'), ('Production', 'Production'), ('Deprecated', 'Deprecated')], max_length=12),
        ),
        migrations.AlterField(
            model_name='station',
            name='status',
            field=models.CharField(choices=[('AVAILABLE', 'Available'), ('BLOCKED', 'Blocked'), ('CHARGING', 'Charging'), ('INOPERATIVE', 'Inoperative'), ('OUTOFORDER', 'Out of order'), ('PLANNED', 'Planned'), ('REMOVED', 'Removed'), ('RESERVED', 'Reserved'), ('UNKNOWN', 'Unknown')], default='UNKNOWN', max_length=12),
        ),
        migrations.AddIndex(
            model_name='station',
            index=models.Index(fields=['deploy_state'], name='station_deploy_state'),
        ),
        migrations.AddIndex(
            model_name='station',
            index=models.Index(fields=['connectivity'], name='station_connectivity'),
        ),
    ]
