"""Django for benchmarks: PostgreSQL (``BENCH_DATABASE_URL``), created and migrated when missing.

Every benchmark calls :func:`setup`; the first call configures Django, later ones return at once.
The benchmark database is its own (default ``portal_bench``), never ``DATABASE_URL``, so a
benchmark can never write into a real portal's database.
"""

from __future__ import annotations

import os

import dj_database_url
import psycopg

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
_done: list[str] = []


def setup() -> str:
    """Configure and start Django on the benchmark database; return its URL."""
    if _done:
        return _done[0]
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    cfg = dj_database_url.parse(url)
    if "postgresql" not in cfg["ENGINE"]:
        raise SystemExit("The benchmarks measure PostgreSQL: set BENCH_DATABASE_URL to a postgres:// URL.")
    os.environ["DATABASE_URL"] = url
    for name, value in {
        "SECRET_KEY": "bench-only-secret-key-not-used-anywhere-else-0123456789",
        "DJANGO_SETTINGS_MODULE": "portal.settings", "DEBUG": "0", "ALLOWED_HOSTS": "testserver,localhost",
        "SECURE_SSL_REDIRECT": "0", "STATIC_MANIFEST": "0", "WHITENOISE_USE_FINDERS": "1",
        "LOG_LEVEL": "WARNING", "PORTAL_VAR_DIR": "var/bench",
        # Redis, not the demo's SQLite broker: the bulk benchmark counts and purges the queued messages.
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/12",
    }.items():
        os.environ.setdefault(name, value)
    with psycopg.connect(host=cfg["HOST"] or "127.0.0.1", port=cfg["PORT"] or 5432, user=cfg["USER"],
                         password=cfg["PASSWORD"] or None, dbname="postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]).fetchone():
            admin.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)  # the default cache is a table (upstream tokens)
    _done.append(url)
    return url


def vacuum(*tables: str) -> None:
    """``VACUUM (ANALYZE)`` each table: dead rows gone, statistics and visibility map fresh.

    Autovacuum is off on the benchmark machine, so a benchmark that rewrites or deletes rows
    vacuums them before measuring, and every run starts alike.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
