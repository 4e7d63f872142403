"""Name resolution under hostile volume: a Shodan export of distinct cities, and view changes over unmatched names.

Two measurements, each printing ``name: value unit`` lines (no assertions; run it on two
commits to compare):

  shodan  a raw Shodan export (gzip JSON lines, written to a temporary folder) of
          ``--cities`` banners (default 100,000), each a Hikvision camera in GB with its own
          made-up city name and no coordinates (about 1.2 MB): CPU seconds (all threads)
          and wall seconds of :func:`geo.shodan.importer.ingest` (with the default cap on distinct
          cities, then with it raised above the export's count), and how long a cancelled import
          (the progress callback raises :class:`geo.core.errors.Cancelled` once placing starts)
          takes to stop.
  view    a table of ``--names`` distinct made-up place names of 60-100 characters (default
          10,000, none of them a place) uploaded on the Data page of the app under
          ``streamlit.testing.v1.AppTest``, with ``--choices`` place choices applied; then
          on the Map page each sidebar change (metric, level, vendor, a place) is one rerun:
          wall and CPU seconds per change, as a visitor waits for them.

    .venv/bin/python bench/bench_names.py [--part shodan|view|all] [--cities 100000] [--names 10000] [--choices 0]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import string
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
for folder in (REPO_ROOT, Path(__file__).resolve().parent):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from timing import show  # noqa: E402


def cpu_seconds() -> float:
    """CPU time of this process, all threads (rapidfuzz's and DuckDB's included), user + system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def made_up_name(rng: random.Random, low: int, high: int) -> str:
    """Words of letters that name no UK place, ``low`` to ``high`` characters long."""
    length = rng.randint(low, high)
    words: list[str] = []
    while len(" ".join(words)) < length:
        words.append("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 9))).title())
    return " ".join(words)[:length].strip()


def city_export(path: Path, cities: int, seed: int = 14) -> int:
    """A gzip export of ``cities`` banners, each with a distinct city and no coordinates; returns its size."""
    rng = random.Random(seed)
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as out:
        for i in range(cities):
            banner = {
                "ip_str": f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}",
                "product": "Hikvision IP Camera",
                # One in a thousand is a real town, so the import has something to count.
                "location": {
                    "country_code": "GB",
                    "city": "Leeds" if i % 1000 == 0 else f"{made_up_name(rng, 6, 12)} {i}",
                },
            }
            out.write(json.dumps(banner, separators=(",", ":")) + "\n")
    return path.stat().st_size


def bench_shodan(cities: int) -> None:
    from geo.core.errors import AtlasError, Cancelled
    from geo.names import places
    from geo.official import areas
    from geo.shodan import importer as shodan

    frame = areas.load_areas()
    resolver = places.build_resolver(frame)
    with tempfile.TemporaryDirectory(prefix="atlas-bench-names-") as tmp:
        path = Path(tmp) / "cities.json.gz"
        size = city_export(path, cities)
        print(
            f"# export: {cities:,} banners, {cities:,} distinct cities (one in 1,000 is Leeds), no coordinates, {size / 1e6:.2f} MB gzip"
        )
        cpu, start = cpu_seconds(), time.perf_counter()
        try:
            result = shodan.ingest(path, frame, resolver, max_bytes=size + 1)
            outcome = result.summary() + " | " + " | ".join(result.notes)
        except AtlasError as err:
            outcome = f"refused: {err}"
        show("shodan import of distinct cities, wall", time.perf_counter() - start, "s")
        show("shodan import of distinct cities, CPU (all threads)", cpu_seconds() - cpu, "s")
        print(f"# outcome: {outcome[:400]}")

        # Every name looked up (the cap above the export's cities): the cost of the lookups alone.
        os.environ["CAMERA_ATLAS_MAX_TABLE_PLACES"] = str(cities * 2)
        unlimited = places.build_resolver(frame)
        cpu, start = cpu_seconds(), time.perf_counter()
        try:
            shodan.ingest(path, frame, unlimited, max_bytes=size + 1)
        except AtlasError:
            pass
        finally:
            del os.environ["CAMERA_ATLAS_MAX_TABLE_PLACES"]
        show("the same, every city looked up (cap raised), wall", time.perf_counter() - start, "s")
        show("the same, every city looked up (cap raised), CPU (all threads)", cpu_seconds() - cpu, "s")

        state: dict[str, float | None] = {"placing": None}

        def progress(fraction: float, message: str) -> None:
            # The session "goes" once placing has started: from then on the first call raises,
            # as the app's callback does; the time to that call is what cancelling costs.
            if state["placing"] is not None:
                raise Cancelled()
            if fraction >= 0.75:
                state["placing"] = time.perf_counter()

        fresh = places.build_resolver(frame)
        cpu, start = cpu_seconds(), time.perf_counter()
        try:
            shodan.ingest(path, frame, fresh, max_bytes=size + 1, progress=progress)
            stopped = "not cancelled (ran to the end)"
        except Cancelled:
            stopped = "cancelled"
        end = time.perf_counter()
        show(
            "cancelled import: seconds from the session going to the import stopping",
            end - (state["placing"] or end),
            "s",
        )
        show("cancelled import, CPU (all threads)", cpu_seconds() - cpu, "s")
        print(f"# cancelled import: {stopped}")


def _navigation() -> None:
    """AppTest runs page files alone when a pages/ folder sits beside app.py; clear the flag as the server does."""
    import streamlit.testing.v1.app_test as app_test_module
    from streamlit.runtime.pages_manager import PagesManager

    class NavigationPagesManager(PagesManager):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False

    app_test_module.PagesManager = NavigationPagesManager


def names_table(names: int, seed: int = 14) -> bytes:
    rng = random.Random(seed)
    lines = ["place,vendor,networks"]
    seen: set[str] = set()
    while len(seen) < names - 3:  # three real places below; the table limit counts them too
        name = made_up_name(rng, 60, 100)
        if name not in seen:
            seen.add(name)
            lines.append(f"{name},{rng.choice(('hikvision', 'dahua'))},{rng.randint(1, 50)}")
    lines += ["Leeds,hikvision,40", "York,dahua,9", "Bristol,hikvision,12"]
    return ("\n".join(lines) + "\n").encode()


def bench_view(names: int, choices: int) -> None:
    from streamlit.testing.v1 import AppTest

    _navigation()
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=900)
    at.run()
    at.switch_page("pages/data.py").run()
    data = names_table(names)
    next(u for u in at.get("file_uploader") if u.key == "upload_table").set_value(("names.csv", data, "text/csv"))
    at.run()
    cpu, start = cpu_seconds(), time.perf_counter()
    next(b for b in at.button if b.label == "Load this table").click().run()
    if at.error or at.exception:
        raise SystemExit(f"the table was refused: {[e.value for e in at.error] + [e.value for e in at.exception]}")
    show(f"load a table of {names:,} unmatched names (60-100 characters), wall", time.perf_counter() - start, "s")
    show(f"load a table of {names:,} unmatched names, CPU (all threads)", cpu_seconds() - cpu, "s")
    if choices:
        from geo.datasets import dataset as datasets
        from pages import loaders

        dataset_id = at.sidebar.selectbox(key="f_dataset").value
        current = at.session_state[loaders.UPLOADS_KEY][dataset_id]
        picks = {f"Chosen Name {i}": "Leeds" for i in range(choices)}
        adjusted = datasets.with_choices(current, picks)
        at.session_state[loaders.UPLOADS_KEY][adjusted.id] = adjusted
        at.session_state["atlas_pending_dataset"] = adjusted.id  # the sidebar switches to it (pages/sidebar.py)
        print(f"# {choices:,} place choices added")
    cpu, start = cpu_seconds(), time.perf_counter()
    at.switch_page("pages/map.py").run()
    show("open the Map page, wall", time.perf_counter() - start, "s")
    show("open the Map page, CPU (all threads)", cpu_seconds() - cpu, "s")
    problems = [e.value for e in at.exception] + [e.value for e in at.error]
    if problems:
        print(f"# problems: {problems[:2]}")
    changes = [
        ("metric per 1,000", lambda: at.sidebar.radio(key="f_metric").set_value("per_1k")),
        ("level local authorities", lambda: at.sidebar.radio(key="f_level").set_value("lad")),
        ("vendor Hikvision", lambda: at.sidebar.radio(key="f_vendor").set_value("hikvision")),
        ("place Leeds", lambda: at.sidebar.multiselect(key="f_places").set_value(["Leeds"])),
        ("metric per km2", lambda: at.sidebar.radio(key="f_metric").set_value("per_km2")),
    ]
    walls, cpus = [], []
    for label, change in changes:
        change()
        cpu, start = cpu_seconds(), time.perf_counter()
        at.run()
        walls.append(time.perf_counter() - start)
        cpus.append(cpu_seconds() - cpu)
        show(f"view change ({label}), wall", walls[-1], "s")
        show(f"view change ({label}), CPU (all threads)", cpus[-1], "s")
    show("view change, mean wall", sum(walls) / len(walls), "s")
    show("view change, mean CPU (all threads)", sum(cpus) / len(cpus), "s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("shodan", "view", "all"), default="all")
    parser.add_argument("--cities", type=int, default=100_000)
    parser.add_argument("--names", type=int, default=10_000)
    parser.add_argument("--choices", type=int, default=0)
    args = parser.parse_args(argv)
    if not os.environ.get("CAMERA_ATLAS_GEO_MIRROR") and (REPO_ROOT.parent / "shared" / "geo").is_dir():
        os.environ["CAMERA_ATLAS_GEO_MIRROR"] = str(REPO_ROOT.parent / "shared" / "geo")
    print(f"# bench_names: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    if args.part in ("shodan", "all"):
        bench_shodan(args.cities)
    if args.part in ("view", "all"):
        bench_view(args.names, args.choices)
    print(f"# load average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
