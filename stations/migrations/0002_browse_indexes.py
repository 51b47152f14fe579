"""Indexes for browsing the station list at 100,000 rows.

Why each index (see ``stations/selectors.py`` for the queries they serve):

* ``(sort key, id)`` for each sortable column: keyset pages seek straight to
  ``(value, id) > (last value, last id)`` and read 50 rows in index order,
  forwards or backwards (descending sorts scan the same index backwards).
* ``(company_id, status)``: the per-status counts of a company-scoped user
  are an index-only scan.
* Trigram GIN indexes on ``UPPER(col::text)`` (PostgreSQL only): the search
  box uses ``icontains``, which Django compiles to
  ``UPPER("col"::text) LIKE UPPER('%q%')``; these indexes match that
  expression, so a search does not read the whole table.

Plain SQL instead of ``AddIndex`` keeps the model state (owned by
``stations/models.py``) unchanged, and lets the PostgreSQL-only parts be
skipped on SQLite (the demo database).
"""

from __future__ import annotations

from django.db import migrations

BTREE = {
    "station_label_id": "(label, id)",
    "station_identity_id": "(charge_box_identity, id)",
    "station_status_id": "(status, id)",
    "station_updated_id": "(updated_at, id)",
    "station_company_status": "(company_id, status)",
}
TRIGRAM = {
    "station_label_trgm": "label",
    "station_identity_trgm": "charge_box_identity",
    "station_serial_trgm": "serial_number",
}


def create_indexes(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    for name, columns in BTREE.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON stations_station {columns}")
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in TRIGRAM.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON stations_station"
            f" USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    names = list(BTREE)
    if schema_editor.connection.vendor == "postgresql":
        names += list(TRIGRAM)
    for name in names:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("stations", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
