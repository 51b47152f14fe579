"""CSV import validation: our importer against django-import-export's dry run, and peak memory.

Both read the same 10,000-row file into the same model (``Station``):
ours validates every row with the create form's rules and stores the report;
django-import-export's ``import_data(dry_run=True)`` is the baseline. Peak
memory is the resident set of a fresh process validating 100,000 rows.
"""

from __future__ import annotations

import io
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

ROWS = 10_000
BIG_ROWS = 100_000
PREFIX = "BENCHCSV"


def _fixtures() -> tuple[Any, Any]:
    from locations.models import Location
    from portal.access import Role
    from portal.models import Backend, Company, User

    company, _ = Company.objects.get_or_create(name="Bench Company", defaults={"upstream_ref": "bench-company"})
    backend = Backend.objects.filter(name="Bench GreenFlux").first()
    if backend is None:
        backend = Backend(name="Bench GreenFlux", kind="greenflux", company=company, base_url="http://127.0.0.1:9/gf")
        backend.credentials = {"token": "unused"}
        backend.save()
    Location.objects.get_or_create(backend=backend, upstream_id="bench-loc",
                                   defaults={"company": company, "name": "Bench Depot"})
    user, created = User.objects.get_or_create(username="bench-operator")
    if created:
        user.companies.add(company, through_defaults={"role": Role.OPERATOR})
    return user, backend


def make_csv(rows: int) -> bytes:
    from stations.csv_import.format import COLUMN_NAMES

    lines = [",".join(COLUMN_NAMES)]
    for n in range(rows):
        values = {"backend": "Bench GreenFlux", "label": f"Bench station {n}", "charge_box_identity": f"{PREFIX}-{n:06d}",
                  "location": "bench-loc", "deploy_state": "Stock", "default_tariff_id": "TARIFF-AC",
                  "charger_type": "Business", "connectors": "IEC_62196_T2/SOCKET/AC_3_PHASE/400/32/22000"}
        lines.append(",".join(values.get(name, "") for name in COLUMN_NAMES))
    return ("\r\n".join(lines) + "\r\n").encode()


def ours(user: Any, data: bytes) -> float:
    from stations.csv_import.models import ImportJob
    from stations.csv_import.services import import_upload

    started = time.perf_counter()
    job = import_upload(user=user, stream=io.BytesIO(data), file_name="bench.csv", size=len(data))
    elapsed = time.perf_counter() - started
    assert job.valid_rows == job.total_rows, job.file_problem
    ImportJob.objects.filter(pk=job.pk).delete()
    return elapsed


def import_export_dry_run(data: bytes) -> float:
    import tablib
    from import_export import fields, resources, widgets

    from locations.models import Location
    from portal.models import Backend, Company
    from stations.models import Station

    class StationResource(resources.ModelResource):
        backend = fields.Field(attribute="backend", column_name="backend",
                               widget=widgets.ForeignKeyWidget(Backend, field="name"))
        company = fields.Field(attribute="company", column_name="company",
                               widget=widgets.ForeignKeyWidget(Company, field="name"))
        location = fields.Field(attribute="location", column_name="location",
                                widget=widgets.ForeignKeyWidget(Location, field="upstream_id"))

        class Meta:
            model = Station
            import_id_fields = ("charge_box_identity",)
            fields = ("backend", "company", "label", "charge_box_identity", "location", "deploy_state",
                      "default_tariff_id", "charger_type", "time_zone")

        def before_import_row(self, row: Any, **kwargs: Any) -> None:
            row["company"] = "Bench Company"

    dataset = tablib.Dataset().load(data.decode(), format="csv")
    started = time.perf_counter()
    result = StationResource().import_data(dataset, dry_run=True, raise_errors=False)
    elapsed = time.perf_counter() - started
    assert not result.has_errors(), result.base_errors[:1]
    return elapsed


def peak_memory_mb(rows: int) -> float:
    """Validate ``rows`` rows in a fresh process; its peak resident memory in MB."""
    code = (
        "import io, resource, sys\n"
        "from tooling.bench import django_db; django_db.setup()\n"
        "from tooling.bench.bench_csv_import import _fixtures, make_csv, ours\n"
        f"user, _ = _fixtures(); data = make_csv({rows}); ours(user, data)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def run() -> list[dict[str, Any]]:
    from tooling.bench import django_db

    django_db.setup()
    user, _backend = _fixtures()
    data = make_csv(ROWS)
    our_times = [ours(user, data) for _ in range(3)]
    baseline_times = [import_export_dry_run(data)]
    mine, theirs = statistics.median(our_times), statistics.median(baseline_times)
    memory = peak_memory_mb(BIG_ROWS)
    return [
        {"benchmark": "csv import", "figure": f"validate {ROWS:,} rows", "value": mine, "unit": "s",
         "baseline": "django-import-export dry run", "baseline_value": theirs, "ratio": theirs / mine},
        {"benchmark": "csv import", "figure": f"peak memory validating {BIG_ROWS:,} rows", "value": memory,
         "unit": "MB", "baseline": "goal", "baseline_value": 300.0, "ratio": memory / 300.0},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
    print("peak", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "MB")
