"""The Trends page's date slider: seconds from a slider move to the map redrawn, in Chromium.

Run: ``CAMERA_ATLAS_GEO_MIRROR=/work/shared/geo .venv/bin/python bench/bench_trends_slider.py
[--months 36] [--cities 1000] [--moves 10] [--level place] [--collection DIR]``

The collection is the issue's scale: ``--months`` monthly Shodan counts (folders as
``scan shodan --into`` writes them) of ``--cities`` cities per vendor. The city names are
real: the most populous GeoNames towns of the UK that the gazetteer holds (ambiguous ones
such as "Newport" included, as a real count names them), 10% more than a count lists, so
each month's top ``--cities`` differ; each city's count follows its own random walk (seeded),
and Dahua falls over the months. ``--collection DIR`` keeps the folders (written once, then
reused).

One ``streamlit run app.py`` (the browser tests' ``StreamlitServer``) with
``CAMERA_ATLAS_DATASETS_DIR`` at the collection; headless Chromium opens ``/trends`` (the
first load builds the series and is reported apart), then moves the date slider one step
with the keyboard ``--moves`` times and waits each time until every area the map drew
before has been replaced (the data layer swapped in). Prints ``name: value unit`` lines and
the median beside the target (0.5 s). Never asserts a time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
for folder in (REPO_ROOT, REPO_ROOT / "tests", REPO_ROOT / "tests" / "browser", HERE):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from browser_harness import CHROMIUM, CHROMIUM_ARGS, MAP_IFRAME, StreamlitServer, is_local_url, wait_for_app  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402
from timing import percentile, show  # noqa: E402
from trend_scans import folder_name, scan_result  # noqa: E402

TARGET = 0.5  # seconds, the "slider moves the map" median
LOAD_TIMEOUT_MS = 900_000
MOVE_TIMEOUT_MS = 120_000

MARK_JS = "() => { document.querySelectorAll('path.leaflet-interactive').forEach(p => p.__atlasOld = true); }"
# Redrawn: areas are drawn and none of them is one marked before the move.
REDRAWN_JS = """() => {
    const paths = [...document.querySelectorAll('path.leaflet-interactive')];
    return paths.length > 0 && paths.every(p => !p.__atlasOld);
}"""


def town_names(count: int) -> list[str]:
    """The ``count`` most populous distinct town names of the gazetteer (real names a count would list)."""
    from geo.names import gazetteer
    from geo.official import areas

    towns = gazetteer.load_towns(areas.load_areas()).sort_values("population", ascending=False)
    return list(dict.fromkeys(towns["name"]))[:count]


def make_collection(folder: Path, months: int, cities: int, seed: int = 7) -> list[Path]:
    """``months`` monthly counts of ``cities`` cities per vendor as dataset folders in ``folder`` (kept if there)."""
    from geo.names import places
    from geo.official import areas
    from geo.scan.as_dataset import write_dataset
    from geo.scan.summary import summarise

    folder.mkdir(parents=True, exist_ok=True)
    existing = sorted(p.parent for p in folder.glob("*/datapackage.json"))
    if len(existing) == months:
        return existing
    rng = random.Random(seed)
    pool = town_names(int(cities * 1.1))
    base = {name: max(1.0, 4000 / (rank + 1) ** 0.9) for rank, name in enumerate(pool)}
    level = {vendor: dict(base) for vendor in ("hikvision", "dahua")}
    resolver = places.build_resolver(areas.load_areas())
    start = datetime(2024, 1, 1, 6, tzinfo=timezone.utc)
    written = []
    for month in range(months):
        counts = {}
        for vendor, drift in (("hikvision", 1.0), ("dahua", 0.985)):
            walk = level[vendor]
            for name in walk:
                walk[name] = max(1.0, walk[name] * drift * rng.lognormvariate(0, 0.08))
            top = sorted(walk.items(), key=lambda item: -item[1])[:cities]
            listed = {name: int(round(value)) for name, value in top}
            counts[vendor] = [(int(sum(listed.values()) * 1.25), listed)]
        started = (start + timedelta(days=31 * month)).replace(day=1)
        result = scan_result(0, counts, started=started, facet_size=cities)
        written.append(write_dataset(summarise(result, resolver), folder / folder_name(started.date().isoformat())))
    return written


def map_document(page: Page, timeout: float = MOVE_TIMEOUT_MS):
    """The map-at-a-date's document (the first map on the page), found afresh."""
    handle = page.locator(MAP_IFRAME).first.element_handle(timeout=timeout)
    frame = handle.content_frame()
    if frame is None:
        raise RuntimeError("the map iframe has no document")
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--cities", type=int, default=1000)
    parser.add_argument("--moves", type=int, default=10)
    parser.add_argument("--level", default="place", choices=("place", "lad", "region"))
    parser.add_argument("--collection", type=Path, help="folder for the collection (kept; default: a temporary one)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        collection = args.collection or Path(tmp) / "collection"
        start = time.perf_counter()
        folders = make_collection(collection, args.months, args.cities)
        show("collection", f"{len(folders)} monthly counts x {args.cities:,} cities per vendor in {collection}")
        show("collection_written", time.perf_counter() - start, "s")

        server = StreamlitServer(REPO_ROOT / "app.py", Path(tmp), env={"CAMERA_ATLAS_DATASETS_DIR": str(collection)})
        server.start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
                page.route(
                    "**/*", lambda route: route.continue_() if is_local_url(route.request.url) else route.abort()
                )
                start = time.perf_counter()
                page.goto(f"{server.url}/trends?level={args.level}")
                wait_for_app(page, timeout=LOAD_TIMEOUT_MS)
                map_document(page, LOAD_TIMEOUT_MS).wait_for_function(REDRAWN_JS, timeout=LOAD_TIMEOUT_MS)
                show("first_load_cold", time.perf_counter() - start, "s")
                areas_drawn = map_document(page).evaluate(
                    "document.querySelectorAll('path.leaflet-interactive').length"
                )
                show("areas_on_the_map", f"{areas_drawn:,}")

                thumb = page.get_by_test_id("stSlider").filter(has_text="Date").locator('input[type="range"]').first
                times = []
                for _ in range(args.moves):
                    frame = map_document(page)
                    frame.evaluate(MARK_JS)
                    thumb.focus()
                    start = time.perf_counter()
                    page.keyboard.press("ArrowLeft")
                    frame.wait_for_function(REDRAWN_JS, timeout=MOVE_TIMEOUT_MS, polling="raf")
                    times.append(time.perf_counter() - start)
                    wait_for_app(page, timeout=MOVE_TIMEOUT_MS)
                for i, seconds in enumerate(times, 1):
                    show(f"move_{i}", seconds, "s")
                median = statistics.median(times)
                show("slider_to_map_median", median, "s")
                show("slider_to_map_p95", percentile(times, 95), "s")
                show("target", f"{TARGET} s median: {'met' if median <= TARGET else 'NOT met'}")
                browser.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main()
