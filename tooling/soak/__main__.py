"""The demo soak check: ``make soak`` (``DURATION=60m`` by default; e.g. ``make soak DURATION=5m``).

Starts the embedded demo as ``make run`` does (``run_demo``, in ``var/soak/``
on free ports, niced), then for the given duration three signed-in users
(viewer, operator, admin) browse its pages and htmx fragments while the
operator makes a quick edit (a GreenFlux station's name) every
``WRITE_EVERY`` seconds. At the end it waits for every write to settle and
reports, in ``artifacts/soak-report.md`` and on stdout:

* crashes: children of the demo that exited (``var/soak/demo-status.json``),
  and "Traceback" / "Unrecoverable error" lines in the demo's log;
* restarts: how often the supervisor started a child again;
* lost operations: writes without an operation, not done once settled, or
  whose value is not the upstream's (the last write per station, read from
  the simulator);
* failed page requests (5xx or no answer) and page times.

The goal is 0 of each; the exit code is 1 otherwise. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from simulator.seed import GREENFLUX_TOKEN
from demo.driver import ROOT, Browser, Demo

WRITE_EVERY = 15.0
SETTLE_TIMEOUT = 300.0
PAGES = ["/", "/stations/", "/stations/?status=available", "/stations/?q=a", "/stations/?sort=-label",
         "/locations/", "/locations/network/", "/models/", "/operations/", "/sync/"]
ADMIN_PAGES = ["/users/", "/backends/", "/audit/"]


def parse_duration(text: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"DURATION must be like 90s, 5m or 1h (got {text!r})")
    return float(match[1]) * {"": 1, "s": 1, "m": 60, "h": 3600}[match[2]]


@dataclass
class Write:
    station_id: int
    upstream_id: str
    value: str
    answered: int


class Soak:
    def __init__(self, demo: Demo, seconds: float) -> None:
        self.demo, self.seconds = demo, seconds
        self.statuses: Counter[str] = Counter()
        self.times: list[float] = []
        self.failures: list[str] = []
        self.writes: list[Write] = []

    def request(self, browser: Browser, path: str, *, htmx: bool = False) -> None:
        started = time.perf_counter()
        try:
            response = browser.get(path, headers={"HX-Request": "true"} if htmx else {})
        except httpx.HTTPError as exc:
            self.statuses["no answer"] += 1
            self.failures.append(f"{datetime.now(UTC):%H:%M:%S} GET {path}: {exc!r}")
            return
        self.times.append(time.perf_counter() - started)
        self.statuses[str(response.status_code)] += 1
        if response.status_code >= 500 or response.status_code in (403, 404):
            self.failures.append(f"{datetime.now(UTC):%H:%M:%S} GET {path}: {response.status_code}")

    def run(self) -> None:
        browsers = {name: self.demo.browser(name) for name in ("viewer", "operator", "admin")}
        stations = self.demo.query(
            """SELECT s.id, s.upstream_id FROM stations_station s JOIN portal_backend b ON b.id = s.backend_id
               WHERE b.kind = 'greenflux' AND s.upstream_id IS NOT NULL AND s.removed_at IS NULL ORDER BY s.id""")
        all_stations = [sid for (sid,) in self.demo.query("SELECT id FROM stations_station WHERE removed_at IS NULL")]
        locations = [lid for (lid,) in self.demo.query("SELECT id FROM locations_location")]
        targets = stations[:6]
        rng = random.Random(14)
        started = time.monotonic()
        next_write = started + 5
        next_report = started + 60
        n = 0
        while time.monotonic() - started < self.seconds:
            name = rng.choice(list(browsers))
            browser = browsers[name]
            choice = rng.random()
            if choice < 0.5:
                self.request(browser, rng.choice(PAGES + (ADMIN_PAGES if name == "admin" else [])))
            elif choice < 0.75 and all_stations:
                station = rng.choice(all_stations)
                self.request(browser, f"/stations/{station}/")
                self.request(browser, f"/stations/{station}/row/", htmx=True)
            elif choice < 0.9 and locations:
                self.request(browser, f"/locations/{rng.choice(locations)}/")
            else:
                self.request(browser, "/locations/network/", htmx=True)
            if time.monotonic() >= next_write and targets:
                station_id, upstream_id = targets[n % len(targets)]
                n += 1
                value = f"Soak {n} {datetime.now(UTC):%H%M%S}"
                try:
                    answered = browsers["operator"].quick_edit(station_id, "label", value).status_code
                except httpx.HTTPError:
                    answered = 0
                self.writes.append(Write(station_id, upstream_id, value, answered))
                next_write += WRITE_EVERY
            if time.monotonic() >= next_report:
                minutes = (time.monotonic() - started) / 60
                print(f"[soak] {minutes:4.0f} min: {sum(self.statuses.values())} requests, "
                      f"{len(self.writes)} writes, {len(self.failures)} failed, restarts {self.restarts()}", flush=True)
                next_report += 60
            time.sleep(rng.uniform(0.2, 0.8))  # a person reads a little between clicks

    def restarts(self) -> int:
        return sum(c.get("restarts", 0) for c in self.demo.status()["children"].values())

    def settle(self) -> dict[str, int]:
        """Wait for the soak's writes to settle; count each one's outcome."""
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while time.monotonic() < deadline:
            (open_ops,), = self.demo.query(
                "SELECT COUNT(*) FROM portal_operation WHERE status IN ('queued', 'in_flight')")
            if not open_ops:
                break
            time.sleep(2)
        outcome: Counter[str] = Counter()
        for write in self.writes:
            rows = self.demo.query(
                "SELECT status FROM portal_operation WHERE target_type = 'station' AND target_id = ? "
                "AND payload LIKE ?", (write.station_id, f"%{json.dumps(write.value)[1:-1]}%"))
            outcome[rows[-1][0] if rows else "no operation"] += 1
        last: dict[int, Write] = {w.station_id: w for w in self.writes}
        for write in last.values():
            response = httpx.get(f"{self.demo.simulator_url}/greenflux/chargestations/{write.upstream_id}",
                                 headers={"Authorization": f"Bearer {GREENFLUX_TOKEN}"}, timeout=30)
            if response.json()["data"]["name"] != write.value:
                outcome["upstream differs"] += 1
        return dict(outcome)


def report(soak: Soak, outcome: dict[str, int], seconds: float, exit_code: int | None) -> tuple[str, bool]:
    status = soak.demo.status()
    children = status["children"]
    exits = [(name, e) for name, c in children.items() for e in c.get("exits", [])]
    log = soak.demo.log()
    tracebacks = [line for line in log.splitlines() if "Traceback" in line or "Unrecoverable error" in line]
    lost = sum(v for k, v in outcome.items() if k != "done")
    restarts = soak.restarts()
    failed = len(soak.failures)
    times = sorted(soak.times)
    p95 = times[int(len(times) * 0.95)] if times else 0.0
    ok = not exits and not tracebacks and not restarts and not lost and not failed and exit_code == 0
    lines = [
        "# Demo soak report",
        "",
        f"- When: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; duration {seconds / 60:.1f} min of browsing and writes",
        f"- Demo: `run_demo` on :{soak.demo.port} (simulator :{soak.demo.sim_port}), folder `{soak.demo.var_dir}`",
        f"- **Crashes: {len(exits)}** (children that exited)" + "".join(
            f"\n  - {name}: exit code {e['code']} at {e['at']} after {e['uptime_seconds']} s" for name, e in exits),
        f"- **Restarts: {restarts}** (" + ", ".join(f"{n} {c.get('restarts', 0)}" for n, c in children.items()) + ")",
        f"- **Lost operations: {lost}** of {len(soak.writes)} writes (outcomes: "
        + (", ".join(f"{k} {v}" for k, v in sorted(outcome.items())) or "none") + ")",
        f"- Tracebacks or unrecoverable errors in the demo's log: {len(tracebacks)}",
        f"- Page requests: {sum(soak.statuses.values())} ("
        + ", ".join(f"{k}: {v}" for k, v in sorted(soak.statuses.items())) + f"), failed {failed}",
        f"- Page times: median {statistics.median(times) * 1000 if times else 0:.0f} ms, "
        f"95th percentile {p95 * 1000:.0f} ms",
        f"- Demo stopped with exit code {exit_code} (SIGTERM at the end)",
        f"- Verdict: **{'PASS' if ok else 'FAIL'}** (goal: 0 crashes, 0 restarts, 0 lost operations)",
    ]
    if soak.failures:
        lines += ["", "Failed requests (first 20):", *[f"    {f}" for f in soak.failures[:20]]]
    if tracebacks:
        lines += ["", "Log lines (first 20):", *[f"    {t}" for t in tracebacks[:20]]]
    return "\n".join(lines) + "\n", ok


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tooling.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=parse_duration, default=os.environ.get("DURATION", "60m"),
                        help="how long to browse and write: 90s, 5m, 1h (default: $DURATION or 60m)")
    parser.add_argument("--report", type=Path, default=ROOT / "artifacts" / "soak-report.md")
    parser.add_argument("--folder", type=Path, default=ROOT / "var" / "soak",
                        help="the demo's own folder (emptied first)")
    args = parser.parse_args()
    seconds = args.duration if isinstance(args.duration, float) else parse_duration(args.duration)
    shutil.rmtree(args.folder, ignore_errors=True)
    demo = Demo(args.folder, args.folder / "run_demo.log")
    print(f"[soak] starting the demo in {args.folder} (log: {demo.log_path})", flush=True)
    demo.start()
    print(f"[soak] demo up at {demo.url}; browsing and writing for {seconds / 60:.1f} min", flush=True)
    soak = Soak(demo, seconds)
    try:
        soak.run()
        outcome = soak.settle()
    finally:
        exit_code = demo.stop()
    text, ok = report(soak, outcome, seconds, exit_code)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(text)
    print(text, flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
