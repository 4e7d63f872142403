"""Benchmark the interactive map and the snapshots; GeoDataFrame.explore() as the reference.

Run: ``CAMERA_ATLAS_GEO_MIRROR=/work/shared/geo .venv/bin/python bench/bench_map.py [--repeat N]``

Prints ``name: value unit`` lines, no assertions. Times are the median of ``--repeat``
runs after one warm-up run (imports and font caches are not counted).
"""

from __future__ import annotations

import argparse
import warnings

from timing import timed

from geo.datasets import folders
from geo.figures import vocabulary
from geo.figures.selection import Selection
from geo.figures.view import build_view
from geo.names import places
from geo.official import areas as areas_mod
from geo.pictures import captions, classes, snapshot
from geo.pictures.web import choropleth

DATASET = "top10vpn-2021"
METRIC = "per_1k"
SCHEME = "quantiles"
K = 5
TOOLTIP = ["name", "networks", "per_1k", "per_km2", "rank"]


def show(name: str, value: float, unit: str) -> None:
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
    dataset = folders.load(DATASET)
    views = {
        level: build_view(dataset, resolver, areas, Selection(dataset=DATASET, metric=METRIC, level=level))
        for level in vocabulary.LEVELS
    }
    shapes = {level: view.shapes for level, view in views.items()}
    credit = captions.attribution(dataset)

    # Interactive map: build_map + map_html per level (classes included, as the app does).
    map_seconds: dict[str, float] = {}
    map_bytes: dict[str, int] = {}
    for level, frame in shapes.items():
        context = areas if level == "place" else None

        def build(frame=frame, context=context) -> str:
            found = classes.classify(frame.loc[frame["has_data"], METRIC], SCHEME, K)
            m = choropleth.build_map(frame, METRIC, found, context=context, attribution=credit)
            return choropleth.map_html(m)

        seconds, html = timed(build, args.repeat)
        map_seconds[level], map_bytes[level] = seconds, len(html.encode("utf-8"))
        show(f"map_build_{level}", seconds, "s")
        show(f"map_payload_{level}", map_bytes[level], "bytes")

    # Snapshots through the front door (snapshot.make), every format of the LAD map, a PNG
    # of the place map (bench_snapshot.py times the static renderer in detail).
    for fmt in snapshot.FORMATS:
        seconds, shot = timed(
            lambda fmt=fmt: snapshot.make(views["lad"], dataset, areas, fmt=fmt, scheme=SCHEME, k=K), args.repeat
        )
        show(f"snapshot_lad_{fmt}_render", seconds, "s")
        show(f"snapshot_lad_{fmt}_bytes", len(shot.data), "bytes")
    seconds, shot = timed(
        lambda: snapshot.make(views["place"], dataset, areas, fmt="png", scheme=SCHEME, k=K), args.repeat
    )
    show("snapshot_place_png_render", seconds, "s")
    show("snapshot_place_png_bytes", len(shot.data), "bytes")

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
