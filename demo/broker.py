"""The demo's embedded Celery broker: kombu's SQLAlchemy transport on its own SQLite file.

It replaces kombu's file-system transport, whose consumer could read a message
file another process was still writing and died with ``JSONDecodeError``. Here
every message is a row: a publish is one committed INSERT, and a consumer takes
a message in one ``BEGIN IMMEDIATE`` transaction (kombu does this on SQLite),
so two processes never read half a message nor both take the same one. The
file is separate from the portal's database, so queue traffic never waits on
the portal's write lock. WAL journalling lets readers run beside the writer,
and a 30 s busy timeout makes a writer wait for the lock instead of failing.

Delivered messages stay in the table with ``visible = 0`` (kombu's virtual
transport never deletes them); ``demo_broker_prepare`` removes them when the
demo starts, before any worker runs.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

BROKER_FILENAME = "broker.sqlite3"


def demo_broker_url(var_dir: Path) -> str:
    return f"sqla+sqlite:///{Path(var_dir) / BROKER_FILENAME}"


def demo_broker_transport_options() -> dict[str, Any]:
    """Passed to ``sqlalchemy.create_engine`` by kombu: wait for the SQLite lock rather than fail."""
    return {"connect_args": {"timeout": 30}}


def demo_broker_path(broker_url: str) -> Path | None:
    """The SQLite file of a ``sqla+sqlite:///`` URL, else None (another broker)."""
    prefix = "sqla+sqlite:///"
    return Path(broker_url[len(prefix):]) if broker_url.startswith(prefix) else None


def demo_broker_prepare(broker_url: str, queues: list[str]) -> int:
    """Create kombu's tables, switch the file to WAL, drop delivered messages; returns how many.

    Only call it while no worker runs (the demo does, before starting them):
    kombu creates its tables and each queue's row on first use, and two
    processes doing that at once fail ("table kombu_queue already exists",
    "UNIQUE constraint failed: kombu_queue.name"), so both are made here first.
    """
    from kombu import Connection

    path = demo_broker_path(broker_url)
    if path is None:
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with Connection(broker_url, transport_options=demo_broker_transport_options()) as broker:
        channel = broker.default_channel
        for queue in queues:
            channel._new_queue(queue)  # kombu's own schema and queue rows, made by kombu
    connection = sqlite3.connect(path, timeout=30)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        with connection:
            return connection.execute("DELETE FROM kombu_message WHERE visible = 0").rowcount
    finally:
        connection.close()
