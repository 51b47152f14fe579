"""Bulk writes for refreshes: new rows by COPY (``portal.copy_insert``); changed ones by COPY into a
scratch table, then one INSERT ... ON CONFLICT.

Django's ``bulk_create(update_conflicts=True)`` is correct but, with
client-side parameter binding, spends most of a large page quoting values in
Python. COPY sends the rows as a stream instead (measured in ``make bench``).
Other databases (the demo's SQLite) take ``bulk_create``; results are the same.

Values go through each field's ``pre_save`` and ``get_db_prep_save``, so
defaults, ``auto_now`` stamps and JSON adaptation are Django's own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from django.db import connection, models
from django.utils import timezone
import orjson
from psycopg.types.json import Jsonb

from portal.copy_insert import insert_rows

Row = dict[str, Any]  # attname -> value


def _dumps(value: Any) -> bytes:
    """JSON for COPY: orjson is several times faster than ``json.dumps`` on upstream documents."""
    return orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS)


def _fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The columns a write fills: not the id, nor columns the database computes (``GeneratedField``)."""
    return [f for f in model._meta.concrete_fields if not f.primary_key and not getattr(f, "generated", False)]


def _filler(model: type[models.Model]) -> tuple[list[str], Callable[[Row], list[Any]]]:
    """Columns, and a function from a row to COPY values: defaults filled, JSON wrapped, stamps set.

    Looked up once per call instead of per value: this is the hot loop of a refresh, so a row is
    one dict merge (defaults, the row, the stamps) and one ``itemgetter`` over the columns, both
    in C, and only the JSON columns are touched one by one.
    """
    fields = _fields(model)
    now = timezone.now()
    defaults: Row = {}
    stamps: Row = {}
    per_row: list[tuple[str, Callable[[], Any]]] = []  # callable defaults (a uuid...): a value per row
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            stamps[f.attname] = now
        elif f.has_default() and callable(f.default):
            per_row.append((f.attname, f.get_default))
        else:
            defaults[f.attname] = f.get_default()
    pick = itemgetter(*[f.attname for f in fields])
    json_at = [i for i, f in enumerate(fields) if f.get_internal_type() == "JSONField"]

    def values(row: Row) -> list[Any]:
        merged = {**defaults, **row, **stamps}
        for name, make in per_row:
            if name not in row:
                merged[name] = make()
        out = list(pick(merged))
        for i in json_at:
            if out[i] is not None:
                out[i] = Jsonb(out[i], _dumps)
        return out

    return [f.column for f in fields], values


def _copy(cursor: Any, table: str, columns: list[str], rows: Sequence[list[Any]]) -> None:
    names = ", ".join(f'"{c}"' for c in columns)
    with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


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
    columns, values = _filler(model)
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
        _copy(cursor, scratch, columns, [values(row) for row in rows])
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
