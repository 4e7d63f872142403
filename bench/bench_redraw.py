"""How fast the Map page answers a filter change, beside ``GeoDataFrame.explore()`` on the same LAD data.

Run: ``CAMERA_ATLAS_GEO_MIRROR=/work/shared/geo .venv/bin/python bench/bench_redraw.py [--repeat N] [--clicks N]``

Issue 11 §3. In one run, on the shipped dataset at local-authority level (329 units:
Greater London is one), metric "per 1,000 residents":

(a) **Server time of a filter change, warm caches**: what pages/map.py does per rerun for
    the map: the view from the cache (``st.cache_data`` unpickles its copy on every hit),
    the folium map built from it (``choropleth.build_map``) and rendered the way
    ``st_folium`` renders it (its own code runs; only the hand-over to the browser is
    captured). Beside it the whole Map page rerun after a metric click
    (``streamlit.testing`` AppTest: sidebar, headline figures, captions, downloads too), and
    ``explore()`` + render of the same frame. Target ≤ 0.3 s.
(b) **HTML bytes of the LAD map**: what st_folium hands the browser (script + html +
    header), the standalone page with Leaflet served, the self-contained export with Leaflet
    inlined, and explore()'s page. Target ≤ 350 KB.
(c) **In Chromium** (Debian's, every non-local request aborted): time from a click on a
    metric in the sidebar (its pointerdown) until the map iframe has redrawn its paths
    (the next frame after every path is there with the new content), several times with
    warm server caches: median and p95. Target ≤ 0.5 s. For reference, "time to draw" from
    navigation start of the two HTML files opened from ``file://`` with the network off:
    our export and explore()'s page (Leaflet inlined in both, explore() without its legend,
    which needs d3 from a CDN).

Prints ``name: value unit`` lines, then a table. No assertions; exit code non-zero only
when the benchmark cannot run (no Chromium, no map assets, the server does not start).
"""

from __future__ import annotations

import argparse
import gzip
import pickle
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "tests" / "browser"))

import folium
import streamlit_folium
from browser_harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    INSTALL_CHROMIUM,
    MAP_IFRAME,
    StreamlitServer,
    ThirdPartyBlocker,
    wait_for_app,
    wait_for_map_paths,
)
from playwright.sync_api import Page, sync_playwright
from timing import percentile, show, timed

from geo.datasets import folders
from geo.figures.selection import Selection
from geo.figures.view import build_view
from geo.names import places
from geo.official import areas as areas_mod
from geo.official import assets
from geo.pictures import captions, classes
from geo.pictures.web import choropleth, elements

DATASET = "top10vpn-2021"
LEVEL = "lad"
METRIC = "per_1k"
SCHEME, K = "quantiles", 5
TOOLTIP = ["name", "networks", "per_1k", "per_km2", "rank"]
METRIC_LABELS = ["Camera networks", "Networks per 1,000 residents", "Networks per km²"]
TARGET_SERVER_S, TARGET_BYTES, TARGET_REDRAW_S = 0.3, 350_000, 0.5

# Armed before a click: records the click's pointerdown, then polls the map iframe (found
# afresh each time: st_folium replaces it when the map changes) until it holds at least
# `expected` paths whose fills and outlines differ from before; the redraw ends at the next
# animation frame after that (the frame that paints them). On the way it marks when the new
# iframe appears and when Leaflet is loaded in it.
ARM_JS = """([iframe, expected]) => {
    const old = document.querySelector(iframe);
    const signature = (frame) => {
        const doc = frame && frame.contentDocument;
        if (!doc) return null;
        const paths = doc.querySelectorAll('path.leaflet-interactive');
        if (paths.length < expected) return null;
        let s = '';
        for (const p of paths) s += p.getAttribute('fill') + (p.getAttribute('d') || '').slice(0, 24) + ';';
        return s;
    };
    const before = signature(old);
    const marks = window.__marks = {t0: null, iframe: null, leaflet: null, paths: null, paint: null};
    document.addEventListener('pointerdown', () => { marks.t0 = performance.now(); }, {capture: true, once: true});
    const poll = () => {
        const frame = document.querySelector(iframe);
        if (marks.t0 !== null) {
            if (marks.iframe === null && frame && frame !== old) marks.iframe = performance.now();
            if (marks.leaflet === null && frame && frame !== old && frame.contentWindow && frame.contentWindow.L) marks.leaflet = performance.now();
            const now = signature(frame);
            if (now !== null && now !== before) {
                marks.paths = performance.now();
                requestAnimationFrame(() => { marks.paint = performance.now(); });
                return;
            }
        }
        setTimeout(poll, 4);
    };
    poll();
}"""

# Injected into every document of a "time to draw" page: the first moment the page holds
# `expected` paths (relative to navigation start), then the next animation frame.
DRAWN_JS = """expected => {
    const poll = () => {
        if (document.querySelectorAll('path.leaflet-interactive').length >= expected) {
            requestAnimationFrame(() => { window.__drawn = performance.now(); });
            return;
        }
        setTimeout(poll, 2);
    };
    poll();
}"""


def st_folium_payload(parts: choropleth.MapParts) -> dict:
    """Run st_folium exactly as pages/map.py calls it; return what it would hand the browser."""
    captured: dict = {}

    def capture(**kwargs: object) -> object:
        captured.update(kwargs)
        return kwargs.get("default")

    original = streamlit_folium._component_func
    streamlit_folium._component_func = capture
    try:
        streamlit_folium.st_folium(
            parts.base,
            feature_group_to_add=parts.layer,
            key="atlas-map",
            height=600,
            use_container_width=True,
            returned_objects=["last_active_drawing"],
        )
    finally:
        streamlit_folium._component_func = original
    return captured


def inline_explore(m: folium.Map) -> folium.Map:
    """explore()'s map with Leaflet inlined instead of its CDN files (as our export does)."""
    m.default_js, m.default_css = [], []
    m.get_root().header.add_child(elements.RawHtml(assets.inline_html()), name="atlas_assets")
    return m


# --------------------------------------------------------------------------- (a) and (b)


def server_side(repeat: int) -> dict[str, float | int]:
    warnings.simplefilter("ignore")  # mapclassify's "Numba not installed"
    figures: dict[str, float | int] = {}
    areas = areas_mod.load_areas()
    resolver = places.build_resolver(areas)
    dataset = folders.load(DATASET)
    sel = Selection(dataset=DATASET, metric=METRIC, level=LEVEL)
    view = build_view(dataset, resolver, areas, sel)
    found = classes.classify(view.shapes.loc[view.shapes["has_data"], METRIC], SCHEME, K)
    credit = captions.attribution(dataset)
    cached_view, cached_classes = pickle.dumps(view), pickle.dumps(found)
    figures["units"] = len(view.shapes)

    def from_cache() -> tuple:
        return pickle.loads(cached_view), pickle.loads(cached_classes)

    def build() -> folium.Map:
        v, c = from_cache()
        return choropleth.build_map(
            v.shapes, METRIC, c, attribution=credit, selected=v.selected_units, url_base=assets.URL_BASE
        )

    figures["a_cache"], _ = timed(from_cache, repeat)
    figures["a_build"], _ = timed(
        lambda: choropleth.build_map(
            view.shapes, METRIC, found, attribution=credit, selected=view.selected_units, url_base=assets.URL_BASE
        ),
        repeat,
    )
    figures["a_render"], _ = timed(
        lambda: st_folium_payload(
            choropleth.build_map(
                view.shapes, METRIC, found, attribution=credit, selected=view.selected_units, url_base=assets.URL_BASE
            )
        ),
        repeat,
    )
    figures["a_render"] -= figures["a_build"]  # the render alone
    figures["a_total"], payload = timed(lambda: st_folium_payload(build()), repeat)

    sent = ("script", "html", "header", "feature_group")
    component = sum(len(str(payload.get(key) or "").encode("utf-8")) for key in sent)
    standalone = choropleth.map_html(build()).encode("utf-8")
    export = choropleth.map_html(
        choropleth.build_map(
            view.shapes, METRIC, found, attribution=credit, selected=view.selected_units, inline_assets=True
        )
    ).encode("utf-8")
    figures["b_component"], figures["b_component_gz"] = (
        component,
        len(gzip.compress("".join(str(payload.get(k) or "") for k in sent).encode("utf-8"))),
    )
    figures["b_standalone"], figures["b_export"] = len(standalone), len(export)

    frame = view.shapes

    def explore() -> str:
        m = frame.explore(column=METRIC, scheme=SCHEME, k=K, tooltip=TOOLTIP, tiles=None)
        return m.get_root().render()

    figures["explore_build_render"], explore_html = timed(explore, repeat)
    figures["b_explore"] = len(explore_html.encode("utf-8"))
    figures["b_explore_gz"] = len(gzip.compress(explore_html.encode("utf-8")))

    # The two files timed in the browser: our export and explore() with Leaflet inlined.
    out = Path(tempfile.mkdtemp(prefix="bench-redraw-"))
    (out / "ours.html").write_bytes(export)
    plain = frame.explore(column=METRIC, scheme=SCHEME, k=K, tooltip=TOOLTIP, tiles=None, legend=False)
    (out / "explore.html").write_text(inline_explore(plain).get_root().render(), encoding="utf-8")
    figures["_files"] = str(out)  # type: ignore[assignment]
    return figures


def app_rerun(repeat: int) -> float:
    """Median seconds of a whole Map page rerun after a metric change (AppTest, warm caches)."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest
    from streamlit.testing.v1 import app_test as app_test_module

    class NavigationPagesManager(PagesManager):  # as tests/conftest.py: app.py's st.navigation, not pages/
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False

    app_test_module.PagesManager = NavigationPagesManager
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=300)
    at.query_params["level"] = LEVEL
    at.run()
    metrics = ["networks", "per_1k", "per_km2"]
    for metric in metrics:  # fill every metric's caches first
        at.radio(key="f_metric").set_value(metric).run()
    times = []
    for i in range(repeat * len(metrics)):
        radio = at.radio(key="f_metric").set_value(metrics[i % len(metrics)])
        start = time.perf_counter()
        radio.run()
        times.append(time.perf_counter() - start)
    if at.exception:
        raise RuntimeError(f"the Map page failed under AppTest: {at.exception[0].value}")
    return statistics.median(times)


# --------------------------------------------------------------------------- (c)


PHASES = ("iframe", "leaflet", "paths", "paint")


def _phase_text(values: list[float]) -> str:
    """A phase's median, or why there is none (the data layer is swapped into the same iframe)."""
    seen = [v for v in values if v == v]
    return f"{statistics.median(seen):.3f} s" if seen else "none: same iframe"


PHASE_LABELS = {"iframe": "new map iframe in the page", "leaflet": "Leaflet loaded in it", "paths": "paths drawn"}


def click_redraw(page: Page, label: str, expected: int) -> dict[str, float]:
    """Seconds from the pointerdown on ``label`` to each phase of the map iframe's redraw (``paint``: done)."""
    page.evaluate(ARM_JS, [MAP_IFRAME, expected])
    page.get_by_test_id("stSidebar").get_by_test_id("stRadio").filter(has_text="Metric").get_by_text(
        label, exact=True
    ).click()
    page.wait_for_function("() => window.__marks.paint !== null", timeout=120_000)
    marks = page.evaluate("() => window.__marks")
    page.wait_for_timeout(300)
    wait_for_app(page)
    return {
        phase: (marks[phase] - marks["t0"]) / 1000 if marks[phase] is not None else float("nan") for phase in PHASES
    }


def time_to_draw(browser, path: Path, repeat: int) -> tuple[float, int]:
    """Median seconds from navigation start to painted paths, file:// with the network off; and the path count."""
    probe_guard = ThirdPartyBlocker(allow_loopback=False)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    probe_guard.install(context)
    page = context.new_page()
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    expected = wait_for_map_paths(page.main_frame, minimum=1)
    page.wait_for_timeout(500)
    expected = page.locator("path.leaflet-interactive").count()
    context.close()
    times = []
    for _ in range(repeat):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        ThirdPartyBlocker(allow_loopback=False).install(context)
        context.add_init_script(f"({DRAWN_JS})({expected})")
        page = context.new_page()
        page.goto(path.as_uri())
        page.wait_for_function("() => window.__drawn !== undefined", timeout=120_000)
        times.append(page.evaluate("() => window.__drawn") / 1000)
        context.close()
    if probe_guard.third_party():
        print(f"  warning: {path.name} tried the network: {probe_guard.third_party()[:3]}", flush=True)
    return statistics.median(times), expected


def browser_side(files: Path, clicks: int, repeat: int, units: int) -> dict[str, float | int | list]:
    figures: dict[str, float | int | list] = {}
    server = StreamlitServer(REPO_ROOT / "app.py", Path(tempfile.mkdtemp(prefix="bench-redraw-logs-")))
    url = server.start(timeout=120)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            guard = ThirdPartyBlocker()
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            guard.install(context)
            page = context.new_page()
            page.goto(f"{url}/?level={LEVEL}")
            wait_for_app(page, timeout=180_000)
            frame = page.locator(MAP_IFRAME).element_handle(timeout=180_000).content_frame()
            wait_for_map_paths(frame, minimum=units, timeout=180_000)
            # Cold: the first visit of each other metric builds its view and classes on the server.
            figures["c_cold"] = [click_redraw(page, label, units) for label in METRIC_LABELS[1:] + METRIC_LABELS[:1]]
            warm = []
            for i in range(clicks):
                warm.append(click_redraw(page, METRIC_LABELS[(i + 1) % len(METRIC_LABELS)], units))
            figures["c_warm"] = warm
            figures["c_third_party"] = len(guard.third_party())
            context.close()
            figures["c_draw_ours"], figures["c_paths_ours"] = time_to_draw(browser, files / "ours.html", repeat)
            figures["c_draw_explore"], figures["c_paths_explore"] = time_to_draw(
                browser, files / "explore.html", repeat
            )
            browser.close()
    finally:
        server.stop()
    return figures


# --------------------------------------------------------------------------- main


def kb(n: float) -> str:
    return f"{n / 1000:,.0f} KB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per server-side figure and per HTML file")
    parser.add_argument("--clicks", type=int, default=9, help="timed metric clicks in the browser (warm caches)")
    args = parser.parse_args()
    if not CHROMIUM.is_file():
        print(INSTALL_CHROMIUM, file=sys.stderr)
        return 2
    problem = assets.missing_message()
    if problem:
        print(problem, file=sys.stderr)
        return 2

    s = server_side(args.repeat)
    files = Path(str(s.pop("_files")))
    for name in ("a_cache", "a_build", "a_render", "a_total", "explore_build_render"):
        show(name, float(s[name]), "s")
    rerun = app_rerun(max(1, args.repeat // 2))
    show("a_app_rerun", rerun, "s")
    for name in ("b_component", "b_component_gz", "b_standalone", "b_export", "b_explore", "b_explore_gz"):
        show(name, int(s[name]), "bytes")
    try:
        c = browser_side(files, args.clicks, args.repeat, int(s["units"]))
    except RuntimeError as exc:
        print(f"cannot start the server: {exc}", file=sys.stderr)
        return 2
    phases = list(c["c_warm"])  # type: ignore[arg-type]
    warm = [p["paint"] for p in phases]
    cold = [p["paint"] for p in c["c_cold"]]  # type: ignore[union-attr]
    show("c_cold_clicks", " ".join(f"{t:.3f}" for t in cold), "s")
    show("c_warm_clicks", " ".join(f"{t:.3f}" for t in warm), "s")
    for phase in PHASES[:-1]:
        show(f"c_warm_median_to_{phase}", _phase_text([p[phase] for p in phases]))
    show("c_warm_median", statistics.median(warm), "s")
    show("c_warm_p95", percentile(warm, 95), "s")
    show("c_third_party_requests", int(c["c_third_party"]))
    show("c_draw_ours", float(c["c_draw_ours"]), f"s ({c['c_paths_ours']} paths)")
    show("c_draw_explore", float(c["c_draw_explore"]), f"s ({c['c_paths_explore']} paths)")

    rows = [
        (
            "(a) server: filter change, warm",
            f"{s['a_total']:.3f} s",
            f"{s['explore_build_render']:.3f} s",
            f"≤ {TARGET_SERVER_S} s",
        ),
        ("    view from cache (unpickle)", f"{s['a_cache']:.3f} s", "", ""),
        ("    build folium map", f"{s['a_build']:.3f} s", "", ""),
        ("    render as st_folium does", f"{s['a_render']:.3f} s", "", ""),
        ("    whole Map page rerun (AppTest)", f"{rerun:.3f} s", "", ""),
        (
            "(b) LAD map HTML: sent by st_folium",
            kb(int(s["b_component"])),
            kb(int(s["b_explore"])),
            f"≤ {kb(TARGET_BYTES)}",
        ),
        ("    gzip", kb(int(s["b_component_gz"])), kb(int(s["b_explore_gz"])), ""),
        ("    standalone page, Leaflet served", kb(int(s["b_standalone"])), "", ""),
        ("    HTML export, Leaflet inlined", kb(int(s["b_export"])), "", ""),
        (
            f"(c) click -> map redrawn, median (n={len(warm)})",
            f"{statistics.median(warm):.3f} s",
            "",
            f"≤ {TARGET_REDRAW_S} s",
        ),
        ("    p95", f"{percentile(warm, 95):.3f} s", "", f"≤ {TARGET_REDRAW_S} s"),
        *((f"    ... {PHASE_LABELS[phase]}", _phase_text([p[phase] for p in phases]), "", "") for phase in PHASES[:-1]),
        ("    first (cold) click of each metric", " ".join(f"{t:.2f}" for t in cold) + " s", "", ""),
        ("    HTML file: time to draw (file://)", f"{c['c_draw_ours']:.3f} s", f"{c['c_draw_explore']:.3f} s", ""),
    ]
    print()
    print(f"LAD map, {s['units']} units, metric {METRIC}; third-party requests in the browser: {c['c_third_party']}")
    widths = [max(len(r[i]) for r in rows + [("figure", "atlas", "explore()", "target")]) for i in range(4)]
    header = ("figure", "atlas", "explore()", "target")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
