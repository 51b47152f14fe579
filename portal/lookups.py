"""``field__any=[...]``: membership in a list sent as one array parameter on PostgreSQL.

``field__in`` sends one placeholder per value: a refresh page of 1,000 ids costs
Django and psycopg a thousand parameters to bind and PostgreSQL a thousand to
parse, twice per page. ``= ANY(%s)`` sends the same list as one array (``make
bench``). Other databases (the demo's SQLite) fall back to ``IN``.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.lookups import In


SEPARATOR = "\x1f"  # the unit separator: not in ids, identities or names


@models.Field.register_lookup
class AnyOf(In):
    lookup_name = "any"

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = [self.lhs.output_field.get_db_prep_value(v, connection) for v in self.rhs]
        if not values:
            return "FALSE", []
        if all(isinstance(v, str) and v and SEPARATOR not in v for v in values):  # ("" would split to nothing)
            # Strings as one text, split by PostgreSQL: quoting a thousand-item array for the query
            # took psycopg longer than PostgreSQL took to answer it.
            return f"{lhs} = ANY(string_to_array(%s, E'\\x1f'))", [*lhs_params, SEPARATOR.join(values)]
        return f"{lhs} = ANY(%s)", [*lhs_params, values]
