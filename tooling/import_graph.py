"""The static import graph of the project's own packages, for the architecture check.

Every ``import`` and ``from … import`` counts, also those inside functions: an import moved into a
function to break a cycle still makes the cycle (it only hides it from Python's loader). Tests,
migrations and the virtualenv are left out. Run ``python -m tooling.import_graph`` for a report:
cycles between modules, arrows between top-level packages, and modules over the size limit.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_PARTS = {".venv", "tests", "migrations", "node_modules", "var", "artifacts", "staticfiles", "__pycache__"}
MAX_LINES = 500


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_files(root: Path = ROOT) -> Iterator[Path]:
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if SKIPPED_PARTS.intersection(rel.parts) or len(rel.parts) == 1:
            continue  # manage.py and other root scripts belong to no package
        yield path


@dataclass
class Graph:
    """Modules and the project modules each imports (``edges[a]`` = modules ``a`` imports)."""

    modules: dict[str, Path] = field(default_factory=dict)
    edges: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def resolve(self, name: str) -> str | None:
        """The longest known module that ``name`` is or lies inside (``a.b.C`` -> ``a.b``)."""
        while name:
            if name in self.modules:
                return name
            name = name.rpartition(".")[0]
        return None

    def package_edges(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = defaultdict(set)
        for source, targets in self.edges.items():
            for target in targets:
                a, b = source.split(".")[0], target.split(".")[0]
                if a != b:
                    out[a].add(b)
        return out


def _imported_names(tree: ast.AST, module: str, is_package: bool) -> Iterable[str]:
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def build(root: Path = ROOT) -> Graph:
    graph = Graph()
    for path in project_files(root):
        graph.modules[module_name(path, root)] = path
    for name, path in graph.modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for imported in _imported_names(tree, name, path.name == "__init__.py"):
            target = graph.resolve(imported)
            if target and target != name and not name.startswith(target + "."):
                graph.edges[name].add(target)  # a module importing its own package is no arrow
    return graph


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(set(edges) | {t for ts in edges.values() for t in ts}):
        if node not in index:
            visit(node)
    return sorted(found)


def oversized(graph: Graph, limit: int = MAX_LINES) -> list[tuple[str, int]]:
    sizes = ((name, len(path.read_text(encoding="utf-8").splitlines())) for name, path in graph.modules.items())
    return sorted((item for item in sizes if item[1] > limit), key=lambda item: -item[1])


def main() -> None:
    graph = build()
    print(f"{len(graph.modules)} modules, {sum(map(len, graph.edges.values()))} imports between them")
    module_cycles = cycles(graph.edges)
    print(f"\n{len(module_cycles)} cycles between modules:")
    for component in module_cycles:
        print("  " + " <-> ".join(component))
    print("\narrows between top-level packages:")
    for source, targets in sorted(graph.package_edges().items()):
        print(f"  {source} -> {', '.join(sorted(targets))}")
    print(f"\nmodules over {MAX_LINES} lines:")
    for name, lines in oversized(graph):
        print(f"  {name}: {lines}")


if __name__ == "__main__":
    main()
