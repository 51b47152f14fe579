"""The demo's estate names every station once: "Köln Hohe Straße 01", "… 02", never the same name twice."""

from __future__ import annotations

from collections import Counter

from simulator.seed import build_estate


def test_no_two_stations_share_a_name() -> None:
    data, _ = build_estate()
    names = [s["label"] for _, s in data["be_stations"]] + [s["name"] for _, s in data["gf_stations"]]
    twice = {name: n for name, n in Counter(names).items() if n > 1}
    assert len(names) > 200 and not twice, list(twice.items())[:5]
