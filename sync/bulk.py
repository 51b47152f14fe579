"""Bulk writes for refreshes: new rows by COPY (``portal.copy_insert``); changed ones by COPY into a
scratch table, then one INSERT ... ON CONFLICT.

Django's ``bulk_create(update_conflicts=True)`` is correct but, with
client-side parameter binding, spends most of a large page quoting values in
Python. COPY sends the rows as a stream instead (measured in ``make bench``).
Other databases (the demo's SQLite) take ``bulk_create``; results are the same.

Both COPYs go through ``portal.copy_insert``: fields a row leaves out get their defaults
(``auto_now`` stamps, a callable default per row) and JSON is encoded once per value there.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from django.db import connection, models

from portal.copy_insert import copied_columns, insert_rows

Row = dict[str, Any]  # attname -> value


def _key(model: type[models.Model], unique: list[str]) -> list[models.Field[Any, Any]]:
    return [model._meta.get_field(name) for name in unique]


def upsert(model: type[models.Model], rows: Sequence[Row], *, unique: list[str], update: list[str]) -> dict[tuple[Any, ...], int]:
    """Insert ``rows`` or update the rows they clash with on ``unique``; returns {unique values: pk}.

    Rows are {attname: value}; fields left out take their defaults.
    ``update`` names the fields a clash overwrites (the others keep what is stored).
    """
    if not rows:
        return {}
    key_fields = _key(model, unique)
    if connection.vendor != "postgresql":
        objs = [model(**row) for row in rows]
        model.objects.bulk_create(objs, update_conflicts=True, unique_fields=unique, update_fields=update)
        keyed = {tuple(getattr(o, f.attname) for f in key_fields): o.pk for o in objs}
        if None in keyed.values():  # a database that cannot return ids from an upsert
            first = {k[0] for k in keyed}
            for found in model.objects.filter(**{f"{key_fields[0].attname}__in": first}).values_list(
                "pk", *[f.attname for f in key_fields]
            ):
                if tuple(found[1:]) in keyed:
                    keyed[tuple(found[1:])] = found[0]
        return keyed
    given = list(rows[0])  # a refresher's rows all carry the same fields
    columns = copied_columns(model, given)
    table, scratch = model._meta.db_table, f"refresh_{model._meta.db_table}"
    names = ", ".join(f'"{c}"' for c in columns)
    keys = ", ".join(f'"{f.column}"' for f in key_fields)
    targets = [model._meta.get_field(n).column for n in update]
    sets = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in targets)
    # Django's error wrapper: psycopg's UniqueViolation arrives as django.db.IntegrityError.
    with connection.cursor() as wrapper, connection.wrap_database_errors:
        cursor = wrapper.cursor  # psycopg's own cursor, in Django's transaction
        cursor.execute(f'DROP TABLE IF EXISTS "{scratch}"')
        cursor.execute(f'CREATE TEMP TABLE "{scratch}" AS SELECT {names} FROM "{table}" WITH NO DATA')
        pick = itemgetter(*given)
        insert_rows(model, given, [pick(row) for row in rows], into=scratch)
        cursor.execute(
            f'INSERT INTO "{table}" ({names}) SELECT {names} FROM "{scratch}" '
            f'ON CONFLICT ({keys}) DO UPDATE SET {sets} RETURNING "id", {keys}'
        )
        return {tuple(found[1:]): found[0] for found in cursor.fetchall()}


def insert_new(model: type[models.Model], rows: Sequence[Row], *, unique: list[str]) -> dict[tuple[Any, ...], int]:
    """Rows known to be new, straight into the table; returns {unique values: pk} as ``upsert`` does.

    The ids are drawn from the table's identity sequence first, so COPY writes them with the rows
    and no merge statement is needed (``portal.copy_insert``): a first full refresh writes every
    station, EVSE and connector this way. A row that exists after all (created meanwhile by
    someone else) makes COPY fail on the unique constraint with Django's ``IntegrityError``; the
    caller runs this in a savepoint and writes those rows the careful way.
    """
    if not rows:
        return {}
    key_fields = _key(model, unique)
    names = list(rows[0])  # a refresher's rows all carry the same fields
    pick = itemgetter(*names)
    ids = insert_rows(model, names, [pick(row) for row in rows], ids=True)
    return {tuple(row[f.attname] for f in key_fields): pk for pk, row in zip(ids, rows)}


def insert(model: type[models.Model], rows: Sequence[Row]) -> None:
    """Plain inserts (ids from the table's identity); COPY straight into the table on PostgreSQL."""
    if not rows:
        return
    names = list(rows[0])
    pick = itemgetter(*names)
    insert_rows(model, names, [pick(row) for row in rows])
