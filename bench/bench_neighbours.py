"""Noisy neighbour: one session does the heaviest things it is allowed to while another opens pages.

Run: ``CAMERA_ATLAS_GEO_MIRROR=/work/shared/geo .venv/bin/python bench/bench_neighbours.py [--loads 5]``

One ``streamlit run app.py`` (the browser tests' ``StreamlitServer``), with ``SHODAN_API_URL``
pointing at a local stand-in that answers every count with the largest facet the page accepts.
Two headless Chromiums in two processes:

* the **heavy** session (a subprocess: ``--role heavy``), one step after another:
  1. ``upload``: the largest table accepted (the row and distinct-place limits, most names not
     UK places, so every one is resolved and scored for suggestions), loaded, Map page drawn;
  2. ``lad``: the Map page at local-authority level for that table;
  3. ``png`` and ``html``: the snapshot at print width and the interactive HTML export;
  4. ``count``: *Count with Shodan*, each vendor answered with the page's largest facet;
  5. ``shodan``: a raw Shodan export (``make_shodan_export.py``, ``--banners`` banners) imported.
* the **observer** (this process): a fresh browser context per load: open the app, wait until
  the map has drawn its 4 areas. ``--loads`` loads before the heavy session starts (idle), then
  back to back until it ends (busy).

Prints ``name: value unit`` lines: each heavy step's seconds, idle and busy page-load medians
and p95, and busy/idle (the target is at most 2). Never asserts a time.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
for folder in (REPO_ROOT, REPO_ROOT / "tests", REPO_ROOT / "tests" / "browser", HERE):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from atlas_testing import LocalServer  # noqa: E402
from browser_harness import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    INSTALL_CHROMIUM,
    MAP_IFRAME,
    StreamlitServer,
    is_local_url,
    wait_for_app,
)
from fake_shodan import MEMBER_KEY  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402
from timing import percentile, show  # noqa: E402

from geo.datasets import limits

STEP_TIMEOUT_MS = 300_000
FACET_SIZE = 10_000  # the largest "Cities per vendor" the page accepts


def big_table(rows: int, places: int) -> bytes:
    """A CSV at the limits: ``places`` distinct names (a tenth real UK towns, the rest not places), ``rows`` rows."""
    rng = random.Random(7)
    from geo.names import gazetteer
    from geo.official import areas

    towns = gazetteer.load_towns(areas.load_areas()).sort_values("population", ascending=False)
    real = list(dict.fromkeys(towns["name"]))[: places // 10]
    names = real + [f"{''.join(rng.choices('bcdfghklmnprstvw', k=6))}ton {i}" for i in range(places - len(real))]
    vendors = ("hikvision", "dahua")
    lines = ["place,vendor,networks"]
    for i in range(rows):
        lines.append(f"{names[i % places]},{vendors[(i // places) % 2]},{rng.randrange(1, 500)}")
    # Each (place, vendor) once: rows beyond 2 x places repeat with the same count, collapsed with a note.
    seen: dict[tuple[str, str], str] = {}
    out = [lines[0]]
    for line in lines[1:]:
        place, vendor, count = line.rsplit(",", 2)
        out.append(f"{place},{vendor},{seen.setdefault((place, vendor), count)}")
    return ("\n".join(out) + "\n").encode()


def facet_server(size: int) -> LocalServer:
    """A stand-in count API answering every query with ``size`` cities (GeoNames towns first)."""
    from geo.names import gazetteer
    from geo.official import areas

    towns = gazetteer.load_towns(areas.load_areas()).sort_values("population", ascending=False)
    names = list(dict.fromkeys(towns["name"]))[:size]
    names += [f"Nowhere {i}" for i in range(size - len(names))]
    body = json.dumps(
        {
            "total": 10 * size * 300,
            "matches": [],
            "facets": {
                "city": [{"value": name, "count": 300 - (i * 299) // max(size - 1, 1)} for i, name in enumerate(names)]
            },
        }
    ).encode()
    return LocalServer(lambda path: (200, body, "application/json"))


def open_and_draw(page: Page, url: str, areas: int = 4) -> None:
    """Open ``url`` and wait until its map has drawn ``areas`` areas."""
    page.goto(url)
    map_drawn(page, areas)


def map_drawn(page: Page, areas: int = 1) -> None:
    """Wait until the page's map has drawn ``areas`` areas (the iframe found afresh on every poll)."""
    wait_for_app(page, timeout=STEP_TIMEOUT_MS)
    deadline = time.monotonic() + STEP_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        try:
            inner = page.locator(MAP_IFRAME).first.element_handle(timeout=5_000).content_frame()
            if inner and inner.evaluate("document.querySelectorAll('path.leaflet-interactive').length") >= areas:
                return
        except Exception:  # the iframe is being replaced
            pass
        page.wait_for_timeout(50)
    raise TimeoutError(f"the map did not draw {areas} areas within {STEP_TIMEOUT_MS / 1000:.0f} s")


def heavy(url: str, work: Path, banners: int) -> None:
    """The heavy session's steps, each timed (printed as ``heavy_<step>: seconds``)."""
    table = big_table(limits.max_table_rows(), limits.max_table_places())
    export = work / "export.json.gz"
    subprocess.run(
        [sys.executable, str(HERE / "make_shodan_export.py"), str(export), "--banners", str(banners)],
        check=True,
        capture_output=True,
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True).new_page()
        page.route("**/*", lambda route: route.continue_() if is_local_url(route.request.url) else route.abort())

        def step(name: str, action) -> None:
            start = time.perf_counter()
            action()
            show(f"heavy_{name}", time.perf_counter() - start, "s")

        def upload() -> None:
            page.goto(f"{url}/data")
            wait_for_app(page, timeout=STEP_TIMEOUT_MS)
            page.get_by_test_id("stFileUploader").filter(has_text="Upload a table").locator(
                'input[type="file"]'
            ).set_input_files(files=[{"name": "limits.csv", "mimeType": "text/csv", "buffer": table}])
            page.get_by_role("button", name="Load this table").click(timeout=STEP_TIMEOUT_MS)
            page.get_by_text("Your table: limits.csv").first.wait_for(timeout=STEP_TIMEOUT_MS)
            page.get_by_test_id("stSidebarNav").get_by_text("Map", exact=True).click()
            map_drawn(page)

        def lad() -> None:
            page.get_by_test_id("stSidebar").get_by_text("Local authorities", exact=True).click()
            page.get_by_test_id("stCaptionContainer").filter(has_text=" · Local authorities · ").first.wait_for(
                timeout=STEP_TIMEOUT_MS
            )
            map_drawn(page)

        def snapshot(label: str):
            def run() -> None:
                page.get_by_test_id("stRadio").filter(has_text="Format").get_by_text(label, exact=True).click()
                page.get_by_role("button", name="Create the snapshot").click()
                page.get_by_role("button", name=f"Download {label}", exact=True).wait_for(timeout=STEP_TIMEOUT_MS)

            return run

        def count() -> None:
            page.get_by_test_id("stSidebarNav").get_by_text("Data", exact=True).click()
            wait_for_app(page, timeout=STEP_TIMEOUT_MS)
            page.get_by_role("tab", name="Count with Shodan").click()
            panel = page.get_by_role("tabpanel", name="Count with Shodan")
            panel.get_by_label("Shodan API key").fill(MEMBER_KEY)
            panel.get_by_role("spinbutton", name="Cities per vendor").fill(str(FACET_SIZE))
            panel.get_by_role("button", name="Count with Shodan").click()
            finished(panel, page.get_by_text("Shodan count:").first)

        def finished(panel, success) -> None:
            """Wait until the work has ended: ``success`` shows, or the tab shows a one-line error (printed)."""
            error = panel.get_by_test_id("stAlertContentError")
            success.or_(error).first.wait_for(timeout=STEP_TIMEOUT_MS)
            if error.count():
                print(f"heavy: refused: {error.first.inner_text()[:200]}", file=sys.stderr, flush=True)
            wait_for_app(page, timeout=STEP_TIMEOUT_MS)

        def shodan_import() -> None:
            page.get_by_test_id("stSidebarNav").get_by_text("Data", exact=True).click()
            wait_for_app(page, timeout=STEP_TIMEOUT_MS)
            page.get_by_role("tab", name="Shodan export").click()
            panel = page.get_by_role("tabpanel", name="Shodan export")
            uploaded = lambda response: "upload_file" in response.url and response.request.method == "PUT"  # noqa: E731
            with page.expect_response(uploaded, timeout=STEP_TIMEOUT_MS):  # the file is on the server
                panel.get_by_test_id("stFileUploader").locator('input[type="file"]').set_input_files(str(export))
            wait_for_app(page, timeout=STEP_TIMEOUT_MS)
            done = page.get_by_text("Your Shodan export: export.json.gz").first
            panel.get_by_role("button", name="Import the export").click()
            finished(panel, done)

        for name, action in (
            ("upload", upload),
            ("lad", lad),
            ("png", snapshot("PNG image")),
            ("html", snapshot("Interactive HTML")),
            ("count", count),
            ("shodan", shodan_import),
        ):
            try:
                step(name, action)
            except Exception as err:  # a step that cannot run is reported, the rest still run
                show(f"heavy_{name}", f"failed ({type(err).__name__}: {str(err).splitlines()[0][:120]})")
        browser.close()


def observe(url: str, loads: int | None, until: subprocess.Popen | None) -> list[float]:
    """Page-load seconds: ``loads`` of them, or back to back until ``until`` exits."""
    times: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        while (loads is not None and len(times) < loads) or (until is not None and until.poll() is None):
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.route("**/*", lambda route: route.continue_() if is_local_url(route.request.url) else route.abort())
            start = time.perf_counter()
            try:
                open_and_draw(page, url)
            except Exception as err:  # a load that never finished counts as the whole wait
                print(
                    f"observer: a page load failed ({type(err).__name__}: {str(err).splitlines()[0][:200]})",
                    file=sys.stderr,
                    flush=True,
                )
                page.screenshot(path=str(Path(tempfile.gettempdir()) / "bench-neighbours-failed-load.png"))
            times.append(time.perf_counter() - start)
            print(f"observer: page load {times[-1]:.1f} s", file=sys.stderr, flush=True)
            context.close()
        browser.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=5, help="idle page loads (default 5)")
    parser.add_argument("--banners", type=int, default=200_000, help="banners in the Shodan export (default 200,000)")
    parser.add_argument("--logs", help="keep the server's logs in this folder (default: a temporary one)")
    parser.add_argument("--role", choices=["observer", "heavy"], default="observer")
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not CHROMIUM.is_file():
        print(INSTALL_CHROMIUM, file=sys.stderr)
        return 1
    if args.role == "heavy":
        with tempfile.TemporaryDirectory() as work:
            heavy(args.url, Path(work), args.banners)
        return 0

    with tempfile.TemporaryDirectory() as logs, facet_server(FACET_SIZE) as counts:
        log_dir = Path(args.logs or logs)
        log_dir.mkdir(parents=True, exist_ok=True)
        server = StreamlitServer(REPO_ROOT / "app.py", log_dir, env={"SHODAN_API_URL": counts.url})
        url = server.start(timeout=180)
        try:
            observe(url, 1, None)  # warm: the first page loads boundaries and gazetteer
            idle = observe(url, args.loads, None)
            worker = subprocess.Popen(
                [sys.executable, __file__, "--role", "heavy", "--url", url, "--banners", str(args.banners)],
                cwd=REPO_ROOT,
            )
            busy = observe(url, None, worker)
            worker.wait()
        finally:
            server.stop()
    show("idle_page_load_median", statistics.median(idle), "s")
    show("idle_page_load_p95", percentile(idle, 95), "s")
    show("busy_page_loads", len(busy))
    show("busy_page_load_median", statistics.median(busy), "s")
    show("busy_page_load_p95", percentile(busy, 95), "s")
    show("busy_over_idle_median", statistics.median(busy) / statistics.median(idle), "x (target <= 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
