"""Import rows keep the company of their data; jobs keep their counts per company.

Rows imported before this know their backend only when they were valid: those get
its company; the others stay company-less, which shows them to their uploader only.
"""

import django.db.models.deletion
from django.db import migrations, models


def backfill(apps, schema_editor):
    ImportJob = apps.get_model("stations", "ImportJob")
    ImportRow = apps.get_model("stations", "ImportRow")
    Backend = apps.get_model("portal", "Backend")
    companies = dict(Backend.objects.values_list("pk", "company_id"))
    for job in ImportJob.objects.all().iterator():
        counts = {}
        for row in ImportRow.objects.filter(job=job).iterator():
            company = companies.get((row.values or {}).get("backend"))
            if company:
                ImportRow.objects.filter(pk=row.pk).update(company_id=company)
            entry = counts.setdefault(str(company) if company else "none", [0, 0, 0])
            entry[0] += 1
            entry[1] += not row.problems
            entry[2] += len(row.problems or [])
        ImportJob.objects.filter(pk=job.pk).update(company_rows=counts)


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0003_sync_runs'),
        ('stations', '0005_bulk_batches'),
    ]

    operations = [
        migrations.AddField(
            model_name='importjob',
            name='company_rows',
            field=models.JSONField(blank=True, default=dict, help_text='Rows per company of their data: {"<company id>" or "none": [rows, valid rows, problems]}.'),
        ),
        migrations.AddField(
            model_name='importrow',
            name='company',
            field=models.ForeignKey(blank=True, help_text="The company of the row's data; none: only the uploader sees the row.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='portal.company'),
        ),
        migrations.AddIndex(
            model_name='importrow',
            index=models.Index(fields=['job', 'company'], name='import_row_job_company'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
