"""``python -m tooling.bench [--runs N] [name-filter]``: run every ``tooling/bench/bench_*.py`` and print one table.

With ``--runs N`` (``make bench ARGS="--runs 3 refresh"``) each benchmark runs N times and each
figure is the median of its runs: value and baseline each their median, the ratio the median of
the runs' own ratios (each measured against the baseline of the same run), and a ``runs`` column
lists every run's ratio so the spread shows.
"""

from __future__ import annotations

import importlib
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

COLUMNS = ("benchmark", "figure", "value", "unit", "baseline", "baseline_value", "ratio")


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 100 else f"{value:.1f}"
    return str(value)


def discover(name_filter: str | None) -> list[str]:
    names = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    return [n for n in names if not name_filter or name_filter in n]


def _median(values: list[Any]) -> Any:
    numbers = [v for v in values if isinstance(v, (int, float))]
    return statistics.median(numbers) if numbers else values[0]


def _figure_key(row: dict[str, Any]) -> tuple[str, str]:
    """A figure's name without its numbers, which may be a run's own ("347712 rows in 22.0 s")."""
    return row.get("benchmark", ""), re.sub(r"[\d.,]+", "#", row["figure"])


def combine(runs: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """One row per figure: the median over the runs that have it (a row only some runs print, such
    as the first run's seeding, is matched by its name, not its position); with one run, the rows
    as they are."""
    if len(runs) == 1:
        return runs[0]
    order: list[tuple[str, str]] = []
    by_figure: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for run_rows in runs:
        for r in run_rows:
            key = _figure_key(r)
            if key not in by_figure:
                order.append(key)
            by_figure.setdefault(key, []).append(r)
    combined = []
    for key in order:
        rows = by_figure[key]
        row = dict(rows[-1])
        for key in ("value", "baseline_value", "ratio"):
            row[key] = _median([r.get(key) for r in rows])
        ratios = [r.get("ratio") for r in rows]
        if all(isinstance(r, (int, float)) for r in ratios):
            row["runs"] = " ".join(f"{r:.3f}" for r in ratios)
        combined.append(row)
    return combined


def main(argv: list[str]) -> int:
    runs = 1
    if argv[:1] == ["--runs"]:
        runs, argv = int(argv[1]), argv[2:]
    name_filter = argv[0] if argv else None
    modules = discover(name_filter)
    if not modules:
        print(f"no benchmark matches {name_filter!r}", file=sys.stderr)
        return 1
    rows: list[dict[str, Any]] = []
    for name in modules:
        module = importlib.import_module(f"tooling.bench.{name}")
        results = []
        for attempt in range(1, runs + 1):
            started = time.perf_counter()
            print(f"running {name} ({attempt} of {runs}) ...", file=sys.stderr, flush=True)
            results.append(module.run())
            print(f"  {name} done in {time.perf_counter() - started:.1f}s", file=sys.stderr, flush=True)
        rows.extend(combine(results))
    columns = COLUMNS + (("runs",) if runs > 1 else ())
    table = [[_fmt(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in table)) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    print("  ".join("-" * w for w in widths))
    for r in table:
        print("  ".join(v.ljust(w) if i < 2 or i == 3 or i == 4 else v.rjust(w) for i, (v, w) in enumerate(zip(r, widths))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
