"""The layers of docs/architecture.md, checked on the static import graph of the project's own packages.

Every import counts, also one inside a function (it hides a cycle from Python's loader, not from a
reader). Tests and migrations are left out. ``python -m tooling.import_graph`` prints the whole graph.
"""

from __future__ import annotations

import pytest

from tooling.import_graph import Graph, build, cycles, oversized

# Top to bottom; a module belongs to the longest name here that it is or lies inside.
LAYERS: list[tuple[str, set[str]]] = [
    ("wiring", {"portal.settings", "portal.urls", "portal.celery", "portal.wsgi", "portal.asgi", "demo"}),
    ("dashboard", {"dashboard"}),
    ("entity apps", {"stations", "locations", "models_catalog", "maintenance", "api", "alerts"}),
    ("shared machinery", {"sync", "outbox", "portal"}),
    ("clients", {"upstreams", "simulator"}),
]
# The package module ``portal`` loads the Celery app (``portal/__init__.py``), as Celery's Django guide asks.
WIRING_MODULES = {"portal"}
# Another app's helpers an app may use, each for a reason:
ALLOWED_HELPERS = {
    # Stations plug their reader into the location pages (a lower app cannot import them).
    ("stations", "locations.stations_here"),
    # "Plan maintenance" for the stations the station list shows applies that list's own filters: a second
    # copy of the filters would drift from the list the user just looked at.
    ("maintenance", "stations.filters"),
    ("maintenance", "stations.selectors"),
}
# Tooling stands beside the layers: it may import the product, the product never imports it.
TOOLING = {"tooling", "tools", "bench", "loadtest", "soak"}
# Inside the entity layer, which app may import which (a station has a location and a model; the API
# and alerts read every app). Any pair not listed is refused.
ENTITY_IMPORTS = {
    "stations": {"locations", "models_catalog"},
    "maintenance": {"stations", "locations"},
    "api": {"stations", "locations", "models_catalog", "maintenance"},
    "alerts": {"stations", "locations", "models_catalog", "maintenance"},
    "locations": set(),
    "models_catalog": set(),
}


def _owner(module: str) -> str | None:
    names = [name for _, names in LAYERS for name in names] + sorted(TOOLING)
    matches = [n for n in names if module == n or module.startswith(n + ".")]
    return max(matches, key=len) if matches else None


def _layer(module: str, *, importing: bool = False) -> int | None:
    if importing and module in WIRING_MODULES:
        return 0
    owner = _owner(module)
    return next((i for i, (_, names) in enumerate(LAYERS) if owner in names), None)


def _none(found: list) -> None:  # type: ignore[type-arg]
    assert not found, "\n".join(map(str, found))


@pytest.fixture(scope="module")
def graph() -> Graph:
    return build()


def _arrows(graph: Graph) -> list[tuple[str, str]]:
    return sorted((source, target) for source, targets in graph.edges.items() for target in targets)


def test_every_module_has_a_place(graph: Graph) -> None:
    _none([m for m in graph.modules if _owner(m) is None])


def test_no_import_cycles(graph: Graph) -> None:
    _none(cycles(graph.edges))


def test_arrows_point_down_only(graph: Graph) -> None:
    upward = [(s, t) for s, t in _arrows(graph)
              if (a := _layer(s, importing=True)) is not None and (b := _layer(t)) is not None and b < a]
    _none(upward)


def test_nothing_of_the_product_imports_tooling(graph: Graph) -> None:
    _none([(s, t) for s, t in _arrows(graph) if _owner(t) in TOOLING and _owner(s) not in TOOLING])


def test_clients_and_the_simulator_import_nothing_of_the_project(graph: Graph) -> None:
    clients = LAYERS[-1][1]
    leaks = [(s, t) for s, t in _arrows(graph)
             if _owner(s) in clients and s.split(".")[0] != t.split(".")[0]]
    _none(leaks)


def test_entity_apps_import_each_other_only_where_the_domain_says_so(graph: Graph) -> None:
    wrong = [(s, t) for s, t in _arrows(graph)
             if (a := s.split(".")[0]) in ENTITY_IMPORTS and (b := t.split(".")[0]) in ENTITY_IMPORTS
             and a != b and b not in ENTITY_IMPORTS[a]]
    _none(wrong)


def test_entity_apps_use_each_others_models_never_their_helpers(graph: Graph) -> None:
    """The API is the exception: it is the pages' twin and calls the apps' services and selectors."""
    helpers = [(s, t) for s, t in _arrows(graph)
               if (a := s.split(".")[0]) in ENTITY_IMPORTS and (b := t.split(".")[0]) in ENTITY_IMPORTS
               and a != b and a not in {"api", "alerts"} and not (t == f"{b}.models" or t.startswith(f"{b}.models."))
               and (a, t) not in ALLOWED_HELPERS and t != b]
    _none(helpers)


def test_no_module_over_500_lines(graph: Graph) -> None:
    _none(oversized(graph))
