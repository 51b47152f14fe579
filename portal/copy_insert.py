"""Inserting thousands of rows in one statement: PostgreSQL's COPY, ``bulk_create`` elsewhere.

A preview of 10,000 stations writes 10,000 rows. ``bulk_create`` builds a model
instance per row and prepares and quotes every value one by one in Python: of
its 0.75 s for those rows, the database's own work is about 0.1 s. COPY streams
the rows as they are (psycopg's C code formats them).

The caller gives plain values as the database stores them: attnames
(``batch_id``), choices as their value, aware datetimes, and JSON columns as
Python objects (encoded here, once each: with orjson, several times faster than
``json.dumps``, unless the field has an encoder of its own; ``None`` is SQL NULL
as with the ORM). A field left out gets its default as ``bulk_create``
would give it: a callable default called per row, ``auto_now``/``auto_now_add``
the time of the call, a database default left to the database.

COPY returns nothing: a caller that needs the new rows' ids asks for them
(``ids=True``), and they are drawn from the table's id sequence beforehand, one
query for all of them. The statement shows in ``connection.queries`` (query-count tests and
the benchmarks' counts see it). On other databases (the demo's SQLite) the same
rows go through ``bulk_create``.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import orjson
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, JSONField, Model
from django.utils import timezone


# What ``json.dumps`` accepts, as it would encode it (non-string keys become strings); a datetime or a
# dataclass, which ``json.dumps`` refuses, goes to ``json.dumps`` and is refused as the ORM would.
# (NaN, which ``json.dumps`` writes and PostgreSQL then refuses, is stored as null.)
ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _dumps(value: Any) -> str:
    try:
        return orjson.dumps(value, option=ORJSON_OPTIONS).decode()
    except orjson.JSONEncodeError:  # e.g. an integer beyond 64 bits: json.dumps writes it (or raises)
        return json.dumps(value)


def _encoder(field: Field) -> Callable[[Any], Any] | None:
    """How a JSON column's value is sent: as its text (``None`` stays SQL NULL). Other columns: as they are."""
    if not isinstance(field, JSONField):
        return None
    encode = functools.partial(json.dumps, cls=field.encoder) if field.encoder else _dumps
    return lambda value: None if value is None else encode(value)


def _missing_values(model: type[Model], given: set[str]) -> tuple[list[Field], list[Callable[[], Any]]]:
    """The columns the caller left out, each with how its value is made (per row or once)."""
    fields: list[Field] = []
    makers: list[Callable[[], Any]] = []
    now = timezone.now()
    for field in model._meta.concrete_fields:
        if field.attname in given or field.name in given or (field.primary_key and field.db_returning):
            continue  # given, or an auto id the database numbers
        if getattr(field, "generated", False):
            continue  # computed by the database (``GeneratedField``)
        if field.has_db_default() and not field.has_default():
            continue  # the column's own default applies
        fields.append(field)
        encode = _encoder(field)
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            makers.append(lambda now=now: now)
        elif field.has_default() and callable(field.default):
            # e.g. a fresh uuid per row
            makers.append(field.get_default if encode is None else lambda f=field, e=encode: e(f.get_default()))
        else:
            value = field.get_default() if encode is None else encode(field.get_default())
            makers.append(lambda value=value: value)
    return fields, makers


def copied_columns(model: type[Model], names: Sequence[str]) -> list[str]:
    """The columns ``insert_rows`` writes for rows of ``names``: those given, then the defaults'.

    For a caller that copies into a scratch table first (``sync.bulk.upsert``) and needs
    the same columns to make it and to merge it.
    """
    given = [model._meta.get_field(name) for name in names]
    missing, _ = _missing_values(model, {f.attname for f in given})
    return [f.column for f in given + missing]


def insert_rows(model: type[Model], names: Sequence[str], rows: Iterable[Sequence[Any]], *,
                ids: bool = False, using: str = DEFAULT_DB_ALIAS, into: str | None = None) -> list[Any]:
    """Insert ``rows`` (values in the order of ``names``) into ``model``'s table.

    With ``ids``, returns the new rows' primary keys in the rows' order (on PostgreSQL drawn from the
    id sequence first, one more query); otherwise an empty list. ``into`` names another table
    with the same ``copied_columns`` (PostgreSQL only), e.g. a temporary one to merge from.
    """
    connection = connections[using]
    meta = model._meta
    given = [meta.get_field(name) for name in names]
    if into is not None and (ids or connection.vendor != "postgresql"):
        raise ValueError("Copying into another table is for PostgreSQL, without ids.")
    if connection.vendor != "postgresql":
        attnames = [f.attname for f in given]
        objs = [model(**dict(zip(attnames, row))) for row in rows]
        model._base_manager.using(using).bulk_create(objs)
        return [obj.pk for obj in objs] if ids else []

    if ids and not meta.pk.db_returning:
        raise ValueError(f"{meta.label}'s ids are not numbered by the database.")
    missing, makers = _missing_values(model, {f.attname for f in given})
    offset = 1 if ids else 0  # the id goes first
    json_columns = [(offset + i, encode) for i, encode in enumerate(map(_encoder, given)) if encode is not None]
    quote = connection.ops.quote_name
    columns = ([meta.pk] if ids else []) + given + missing
    sql = f"COPY {quote(into or meta.db_table)} ({', '.join(quote(f.column) for f in columns)}) FROM STDIN"
    with connection.cursor() as cursor:
        new_ids: list[Any] = []
        if ids:
            rows = list(rows)
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [quote(meta.db_table), meta.pk.column, len(rows)])
            new_ids = sorted(pk for (pk,) in cursor.fetchall())  # ascending, as bulk_create numbers them
        # Logged like any statement (CursorDebugWrapper when queries are recorded).
        logged = cursor.debug_sql(sql) if hasattr(cursor, "debug_sql") else contextlib.nullcontext()
        connection.validate_no_broken_transaction()
        with logged, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            write = copy.write_row
            if not json_columns and not makers and not ids:
                for row in rows:
                    write(row)
                return []
            numbers = iter(new_ids)
            for row in rows:
                values = [next(numbers), *row] if ids else list(row)
                for i, encode in json_columns:
                    values[i] = encode(values[i])
                values.extend([make() for make in makers])
                write(values)
    return new_ids
