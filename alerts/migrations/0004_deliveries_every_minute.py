"""Beat runs the deliveries' housekeeping every minute: compose grouped mail that waited long enough (the
daily digests among it) and hand deliveries whose message was lost, or whose worker died, to a worker."""

from django.db import migrations

NAME = "Alert deliveries: compose mail, resend lost deliveries"


def forwards(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    PeriodicTask.objects.get_or_create(name=NAME, defaults={"task": "alerts.deliveries", "interval": every_minute})


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("alerts", "0003_delivery")]
    operations = [migrations.RunPython(forwards, backwards)]
