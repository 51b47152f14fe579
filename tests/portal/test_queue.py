"""Every task a service queues by name (``portal.queue.enqueue``) is one a worker knows."""

from __future__ import annotations

import re
from pathlib import Path

from celery import current_app

ROOT = Path(__file__).resolve().parents[2]
SENT = re.compile(r"""enqueue\(\s*["']([\w.]+)["']""")


def _names_sent() -> set[str]:
    names: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if {".venv", "tests", "node_modules"} & set(path.relative_to(ROOT).parts):
            continue
        names |= set(SENT.findall(path.read_text(encoding="utf-8")))
    return names


def test_every_name_sent_is_a_registered_task() -> None:
    current_app.loader.import_default_modules()  # what a worker imports at start (autodiscovery)
    sent = _names_sent()
    assert {"portal.run_operation", "portal.refresh", "stations.run_import"} <= sent  # the scan finds them
    assert sorted(sent - set(current_app.tasks)) == []
