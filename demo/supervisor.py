"""Keeps the demo's processes running: a child that dies is restarted with backoff, and logged.

``run_demo`` starts the simulator, the worker, beat and the web server
through a ``Supervisor``. When one exits on its own, the supervisor logs its
exit code and starts it again after a backoff that doubles from
``BACKOFF_FIRST`` up to ``BACKOFF_MAX`` seconds (a child that then stays up
for ``STABLE_AFTER`` seconds starts again from the first step), so a crash
costs a few seconds of that one process instead of the whole demo. Only
``stop_all`` (Ctrl-C or SIGTERM in ``run_demo``) stops everything.

The state (pid, starts, exits) of each child is written to a JSON file after
every change, so the soak check and the tests can see what happened.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Callable

BACKOFF_FIRST = 1.0
BACKOFF_MAX = 30.0
STABLE_AFTER = 60.0


@dataclass
class Child:
    name: str
    argv: list[str]
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    backoff: float = BACKOFF_FIRST
    starts: int = 0
    exits: list[dict[str, object]] = field(default_factory=list)


class Supervisor:
    def __init__(self, env: dict[str, str], status_path: Path, log: Callable[[str], None]) -> None:
        self.env = env
        self.status_path = status_path
        self.log = log
        self.children: dict[str, Child] = {}

    def start(self, name: str, argv: list[str]) -> None:
        child = self.children.setdefault(name, Child(name, argv))
        child.proc = subprocess.Popen(child.argv, env=self.env)
        child.started_at = time.monotonic()
        child.restart_at = None
        child.starts += 1
        self.write_status()

    def poll(self) -> None:
        """Notice children that exited and restart those whose backoff is over."""
        now = time.monotonic()
        for child in self.children.values():
            if child.restart_at is not None:
                if now >= child.restart_at:
                    self.log(f"Restarting {child.name} (restart {child.starts}).")
                    self.start(child.name, child.argv)
                continue
            if child.proc is None or child.proc.poll() is None:
                continue
            code = child.proc.returncode
            uptime = now - child.started_at
            if uptime >= STABLE_AFTER:
                child.backoff = BACKOFF_FIRST
            child.exits.append({"code": code, "at": datetime.now(UTC).isoformat(timespec="seconds"),
                                "uptime_seconds": round(uptime, 1)})
            self.log(f"{child.name} stopped with exit code {code} after {uptime:.0f} s; "
                     f"restarting it in {child.backoff:.0f} s.")
            child.restart_at = now + child.backoff
            child.backoff = min(child.backoff * 2, BACKOFF_MAX)
            self.write_status()

    def run_forever(self, interval: float = 0.5) -> None:
        while True:
            self.poll()
            time.sleep(interval)

    def stop_all(self, timeout: float = 10.0) -> None:
        running = [c.proc for c in self.children.values() if c.proc is not None and c.proc.poll() is None]
        for proc in running:
            proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in running:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for child in self.children.values():
            child.restart_at = None
        self.write_status(stopped=True)

    def write_status(self, *, stopped: bool = False) -> None:
        status = {
            "supervisor_pid": os.getpid(),
            "stopped": stopped,
            "children": {
                c.name: {"pid": c.proc.pid if c.proc else None, "starts": c.starts,
                         "restarts": max(0, c.starts - 1), "exits": c.exits,
                         "running": bool(c.proc and c.proc.poll() is None)}
                for c in self.children.values()
            },
        }
        tmp = self.status_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(status, indent=2))
        tmp.replace(self.status_path)  # readers never see half a file
