"""``python -m bench [name-filter]``: run every ``bench/bench_*.py`` and print one table."""

from __future__ import annotations

import importlib
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


def main(argv: list[str]) -> int:
    name_filter = argv[0] if argv else None
    modules = discover(name_filter)
    if not modules:
        print(f"no benchmark matches {name_filter!r}", file=sys.stderr)
        return 1
    rows: list[dict[str, Any]] = []
    for name in modules:
        started = time.perf_counter()
        print(f"running {name} ...", file=sys.stderr, flush=True)
        module = importlib.import_module(f"bench.{name}")
        rows.extend(module.run())
        print(f"  {name} done in {time.perf_counter() - started:.1f}s", file=sys.stderr, flush=True)
    table = [[_fmt(row.get(c)) for c in COLUMNS] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in table)) for i, c in enumerate(COLUMNS)]
    print("  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths)))
    print("  ".join("-" * w for w in widths))
    for r in table:
        print("  ".join(v.ljust(w) if i < 2 or i == 3 or i == 4 else v.rjust(w) for i, (v, w) in enumerate(zip(r, widths))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
