"""The project's tooling, apart from the product: benchmarks (``python -m tooling.bench``, ``make bench``),
the load test (``python -m tooling.load``, ``make load``), the demo soak check (``python -m tooling.soak``,
``make soak``), the static import graph (``python -m tooling.import_graph``) and the scripts that made the
map's offline data (``tooling.place_names``, ``tooling.country_outlines``).

Nothing here is imported by the product, and nothing here imports ``tests/``.
"""
