"""Benchmark the interactive map and the snapshots; GeoDataFrame.explore() as the reference.

Run: ``CAMERA_ATLAS_GEO_MIRROR=/work/shared/geo .venv/bin/python bench/bench_map.py [--repeat N]``

Prints ``name: value unit`` lines, no assertions. Times are the median of ``--repeat``
runs after one warm-up run (imports and font caches are not counted).
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from typing import Callable

from geo import dataset_folders
from geo import vocabulary
from geo import areas as areas_mod
from geo import choropleth, join, metrics, places, snapshot

DATASET = "top10vpn-2021"
METRIC = "per_1k"
SCHEME = "quantiles"
K = 5
TOOLTIP = ["name", "networks", "per_1k", "per_km2", "rank"]


def timed(func: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median seconds of ``repeat`` calls after a warm-up call, and the last result."""
    result = func()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def show(name: str, value: float | int, unit: str) -> None:
    if isinstance(value, float):
        print(f"{name}: {value:.3f} {unit}")
    else:
        print(f"{name}: {value} {unit}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # mapclassify's "Numba not installed"

    areas = areas_mod.load_areas()
    resolver = places.build_resolver(areas)
    dataset = dataset_folders.load(DATASET)
    tables = {level: metrics.build_table(dataset, resolver, areas, level=level, rank_by=METRIC) for level in vocabulary.LEVELS}
    shapes = {level: join.level_shapes(table, areas) for level, table in tables.items()}

    # Interactive map: build_map + map_html per level (classes included, as the app does).
    map_seconds: dict[str, float] = {}
    map_bytes: dict[str, int] = {}
    for level, frame in shapes.items():
        context = areas if level == "place" else None

        def build(frame=frame, context=context) -> str:
            classes = choropleth.classify(frame.loc[frame["has_data"], METRIC], SCHEME, K)
            m = choropleth.build_map(frame, METRIC, classes, context=context, attribution=dataset.source)
            return choropleth.map_html(m)

        seconds, html = timed(build, args.repeat)
        map_seconds[level], map_bytes[level] = seconds, len(html.encode("utf-8"))
        show(f"map_build_{level}", seconds, "s")
        show(f"map_payload_{level}", map_bytes[level], "bytes")

    # Snapshots of the LAD-level map, every format.
    title, subtitle, lines = snapshot.describe(tables["lad"], dataset, METRIC)
    spec = snapshot.SnapshotSpec(METRIC, SCHEME, K, title, subtitle, lines)
    for fmt in snapshot.FORMATS:
        seconds, data = timed(lambda fmt=fmt: snapshot.render(shapes["lad"], spec, fmt), args.repeat)
        show(f"snapshot_lad_{fmt}_render", seconds, "s")
        show(f"snapshot_lad_{fmt}_bytes", len(data), "bytes")
    place_title, place_subtitle, place_lines = snapshot.describe(tables["place"], dataset, "networks")
    place_spec = snapshot.SnapshotSpec("networks", SCHEME, K, place_title, place_subtitle, place_lines)
    seconds, data = timed(lambda: snapshot.render(shapes["place"], place_spec, "png", context=areas), args.repeat)
    show("snapshot_place_png_render", seconds, "s")
    show("snapshot_place_png_bytes", len(data), "bytes")

    # Reference: GeoDataFrame.explore() on the same LAD-level frame (no basemap, like ours).
    lad = shapes["lad"]

    def explore() -> str:
        m = lad.explore(column=METRIC, scheme=SCHEME, k=K, tooltip=TOOLTIP, tiles=None)
        return m.get_root().render()

    seconds, html = timed(explore, args.repeat)
    explore_bytes = len(html.encode("utf-8"))
    show("explore_lad_build_render", seconds, "s")
    show("explore_lad_payload", explore_bytes, "bytes")
    show("ratio_lad_time_ours_over_explore", map_seconds["lad"] / seconds, "x")
    show("ratio_lad_payload_ours_over_explore", map_bytes["lad"] / explore_bytes, "x")


if __name__ == "__main__":
    main()
