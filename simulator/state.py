"""The simulator's working state: in memory, written through to SQLite.

Records are plain JSON-able dicts kept per *collection* (``gf_stations``,
``models``...) in insertion order, which is the order every list endpoint
pages through (stable under concurrent edits, unlike ordering by a timestamp).

Records are treated as immutable: an edit builds a new dict and ``put``s it.
That lets handlers serialise a record after releasing the lock without ever
seeing a half-applied edit.  All mutation happens under :attr:`Store.lock`.

With a ``path`` every ``put`` is written through to a SQLite file (stdlib
``sqlite3``, WAL) so the demo's estate survives a restart; without one the
store lives in memory only (tests).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

from .common import no_gc

T = TypeVar("T")

COLLECTIONS: tuple[str, ...] = (
    "companies",
    "be_clients",
    "be_technicians",
    "be_stations",
    "be_maintenance",
    "gf_locations",
    "gf_templates",
    "gf_stations",
    "models",
    "ce_locations",
    "ce_stations",
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    coll TEXT NOT NULL,
    id   TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (coll, id)
);
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


class Store:
    """Collections of records plus a small ``meta`` map, guarded by one lock."""

    def __init__(self, path: str | Path | None = None) -> None:
        # Re-entrant: a handler holding the lock may call helpers that take it.
        self.lock = threading.RLock()
        self.path = Path(path) if path else None
        self.data: dict[str, dict[str, dict[str, Any]]] = {c: {} for c in COLLECTIONS}
        self.meta: dict[str, Any] = {}
        # Bumped on every change of a collection; derived views cache on it.
        self._versions: dict[str, int] = {c: 0 for c in COLLECTIONS}
        self._views: dict[tuple[str, str], tuple[int, Any]] = {}
        # Tokens granted per kind since the last reset (in memory only): what a client's token
        # caching costs the upstream, read through ``/_sim/health``.
        self.tokens_issued: dict[str, int] = {}
        # Create requests per kind and identity since the last reset, refused ones included (in memory
        # only): a client that sends one create twice shows here even when the second got a 409.
        self.create_requests: dict[str, dict[str, int]] = {}
        self._db: sqlite3.Connection | None = None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # One connection shared by all server threads, always used under
            # self.lock, hence check_same_thread=False.
            self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            self._load()

    # -- reading -----------------------------------------------------------

    @property
    def is_empty(self) -> bool:
        """True when nothing was ever seeded (a new state file, or memory)."""
        return "seed" not in self.meta

    def get(self, coll: str, rid: str) -> dict[str, Any] | None:
        return self.data[coll].get(rid)

    def values(self, coll: str) -> list[dict[str, Any]]:
        """A snapshot list of a collection's records, in insertion order."""
        with self.lock:
            return list(self.data[coll].values())

    def count(self, coll: str) -> int:
        return len(self.data[coll])

    def count_create(self, kind: str, identity: Any) -> None:
        """One more create request for ``identity`` on ``kind``, whatever its answer will be."""
        key = identity if isinstance(identity, str) else repr(identity)
        with self.lock:
            counts = self.create_requests.setdefault(kind, {})
            counts[key] = counts.get(key, 0) + 1

    def view(self, coll: str, name: str, build: Callable[[dict[str, dict[str, Any]]], T]) -> T:
        """A derived structure (an index, a filtered list) cached until ``coll`` changes.

        Keeps list endpoints O(page) instead of O(collection) on big estates.
        """
        with self.lock:
            version = self._versions[coll]
            cached = self._views.get((coll, name))
            if cached is not None and cached[0] == version:
                return cached[1]
            value = build(self.data[coll])
            self._views[(coll, name)] = (version, value)
            return value

    # -- writing -----------------------------------------------------------

    def put(self, coll: str, rid: str, record: dict[str, Any]) -> None:
        """Insert or replace one record (write-through when persistent)."""
        with self.lock:
            self.data[coll][rid] = record
            self._versions[coll] += 1
            if self._db is not None:
                # ON CONFLICT DO UPDATE keeps the rowid, so the insertion
                # order reloaded after a restart is the original one.
                self._db.execute(
                    "INSERT INTO records (coll, id, body) VALUES (?, ?, ?) "
                    "ON CONFLICT (coll, id) DO UPDATE SET body = excluded.body",
                    (coll, rid, json.dumps(record, separators=(",", ":"))),
                )

    def delete(self, coll: str, rid: str) -> bool:
        """Remove one record (a cancelled maintenance window, a decommissioned station); True if it existed."""
        with self.lock:
            if self.data[coll].pop(rid, None) is None:
                return False
            self._versions[coll] += 1
            if self._db is not None:
                self._db.execute("DELETE FROM records WHERE coll = ? AND id = ?", (coll, rid))
            return True

    def set_meta(self, key: str, value: Any) -> None:
        with self.lock:
            self.meta[key] = value
            if self._db is not None:
                self._db.execute(
                    "INSERT INTO meta (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (key, json.dumps(value)),
                )

    def replace_all(self, data: dict[str, Iterable[tuple[str, dict[str, Any]]]], meta: dict[str, Any]) -> None:
        """Swap in a whole new estate (seed, reset) in one transaction."""
        with self.lock, no_gc():
            self.data = {c: {} for c in COLLECTIONS}
            for coll, items in data.items():
                self.data[coll] = dict(items)
            self.meta = dict(meta)
            for coll in COLLECTIONS:
                self._versions[coll] += 1
            self._views.clear()
            if self._db is None:
                return
            db = self._db
            db.execute("BEGIN")
            try:
                db.execute("DELETE FROM records")
                db.execute("DELETE FROM meta")
                dumps = json.JSONEncoder(separators=(",", ":")).encode
                for coll in COLLECTIONS:
                    db.executemany(
                        "INSERT INTO records (coll, id, body) VALUES (?, ?, ?)",
                        ((coll, rid, dumps(rec)) for rid, rec in self.data[coll].items()),
                    )
                db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", ((k, json.dumps(v)) for k, v in self.meta.items()))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        with self.lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    # -- loading -----------------------------------------------------------

    def _load(self) -> None:
        assert self._db is not None
        loads = json.loads
        with no_gc():
            self._load_rows(loads)

    def _load_rows(self, loads: Callable[[str], Any]) -> None:
        assert self._db is not None
        for coll, rid, body in self._db.execute("SELECT coll, id, body FROM records ORDER BY rowid"):
            if coll in self.data:
                self.data[coll][rid] = loads(body)
        for key, value in self._db.execute("SELECT key, value FROM meta"):
            self.meta[key] = loads(value)
