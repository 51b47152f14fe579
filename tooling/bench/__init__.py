"""Benchmarks: every ``tooling/bench/bench_*.py`` exposes ``run() -> list[dict]``.

Each row: ``benchmark``, ``figure``, ``value``, ``unit``, ``baseline`` (the
name of a baseline measured in the same run, or None), ``baseline_value``
and ``ratio`` (value / baseline_value).  ``python -m tooling.bench [filter]`` runs
them and prints one table.  Timings are reported, never asserted.
"""
