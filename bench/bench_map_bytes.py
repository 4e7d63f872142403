"""Geometry once, figures per selection: bytes over the websocket and time to redrawn for a metric change at LAD level.

Run: ``CAMERA_ATLAS_GEO_MIRROR=/work/shared/geo .venv/bin/python bench/bench_map_bytes.py
--before /path/to/a/checkout/of/the/reference [--clicks 8]``

Issue 18 §3 targets: a metric change at LAD level sends ≤ 15 KB and is redrawn in ≤ 0.2 s
(median); the map's first load is no larger than before. One run starts two dashboards side by
side, this tree's and ``--before``'s (a worktree of the reference commit, e.g. ``git worktree add
/tmp/before 0c3ca23``, with ``data/cache`` linked to this tree's cache), one after the other on
the same machine, and in headless Chromium (every non-local request aborted) for each:

- **first load**: from navigation until the LAD map is drawn, the bytes the server sent over the
  websocket plus the bytes of the map's own files fetched over HTTP (``/app/static/camera-atlas*``:
  the scripts and the units' geometry; Leaflet is the same in both and left out);
- **metric change**: ``--clicks`` times, each in a new session (a page opened at one rate, then a
  click on the other: "Networks per km²" or "Networks per 1,000 residents", both shaded, so every
  area is repainted): the websocket bytes received from the pointerdown until the rerun has
  finished (the whole page's rerun, the map's part and the rest), and the time from the
  pointerdown until the map holds the new fills (the next animation frame after them), medians.

Websocket bytes are the frames' payloads as the page receives them (after any compression the
socket negotiates is undone). Prints ``name: value unit`` lines and a table. Never asserts.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
for folder in (REPO_ROOT, REPO_ROOT / "tests" / "browser", HERE):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import browser_harness  # noqa: E402
from browser_harness import CHROMIUM, CHROMIUM_ARGS, MAP_IFRAME, StreamlitServer, ThirdPartyBlocker, wait_for_app  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402
from timing import show  # noqa: E402

LABELS = ("Networks per km²", "Networks per 1,000 residents")
TARGET_BYTES, TARGET_S = 15_000, 0.2
AREAS = 300  # at LAD level the shipped dataset's map has 329 areas

# The map's areas' fills (every filled path, interactive or not), in the current map iframe.
FILLS_JS = """iframe => {
    const frame = document.querySelector(iframe);
    const doc = frame && frame.contentDocument;
    if (!doc) return null;
    const fills = [...doc.querySelectorAll('path')].map(p => p.getAttribute('fill')).filter(f => f && f !== 'none');
    return fills.length >= AREAS ? fills.join(';') : null;
}""".replace("AREAS", str(AREAS))

# Armed before a click: the pointerdown's time, then the first moment the fills differ, then the next frame.
ARM_JS = """([iframe, fillsJs]) => {
    const fills = eval(fillsJs);
    const before = fills(iframe);
    const marks = window.__marks = {t0: null, paths: null, paint: null};
    document.addEventListener('pointerdown', () => { marks.t0 = performance.now(); }, {capture: true, once: true});
    const poll = () => {
        if (marks.t0 !== null) {
            const now = fills(iframe);
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


class Meter:
    """Bytes the page receives over its websockets, and the bytes of the map's own static files."""

    def __init__(self, page: Page) -> None:
        self.ws = 0
        self.files: dict[str, int] = {}
        page.on("websocket", self._socket)
        page.on("response", self._response)

    def _socket(self, socket) -> None:  # noqa: ANN001 (playwright's WebSocket)
        socket.on("framereceived", lambda payload: self._frame(payload))

    def _frame(self, payload: str | bytes) -> None:
        self.ws += len(payload.encode("utf-8") if isinstance(payload, str) else payload)

    def _response(self, response) -> None:  # noqa: ANN001
        if "/app/static/camera-atlas" in response.url:
            try:
                self.files[response.url] = len(response.body())
            except Exception:  # a response without a body (a redirect): nothing was sent
                self.files[response.url] = 0


def click(page: Page, label: str, meter: Meter) -> tuple[float, int]:
    """Seconds from the pointerdown on ``label`` to the map redrawn, and the websocket bytes of the rerun."""
    page.evaluate(ARM_JS, [MAP_IFRAME, FILLS_JS])
    start = meter.ws
    page.get_by_test_id("stSidebar").get_by_test_id("stRadio").filter(has_text="Metric").get_by_text(
        label, exact=True
    ).click()
    page.wait_for_function("() => window.__marks.paint !== null", timeout=120_000)
    marks = page.evaluate("() => window.__marks")
    page.wait_for_timeout(400)  # the rerun's last messages (its end) arrive after the map is drawn
    wait_for_app(page)
    return (marks["paint"] - marks["t0"]) / 1000, meter.ws - start


def measure(root: Path, clicks: int, browser) -> dict[str, object]:  # noqa: ANN001
    """The figures for the dashboard in ``root`` (its own app.py, run from its own folder)."""
    browser_harness.REPO_ROOT = root  # the server's working folder: its .streamlit/config.toml and static/
    server = StreamlitServer(
        root / "app.py", Path(tempfile.mkdtemp(prefix="bench-map-bytes-")), {"PYTHONPATH": str(root)}
    )
    url = server.start(timeout=180)
    try:
        warm = browser.new_context(viewport={"width": 1400, "height": 1000})
        ThirdPartyBlocker().install(warm)
        page = warm.new_page()  # fill the server's caches (and publish the assets) before measuring
        page.goto(f"{url}/?level=lad&metric=per_1k")
        wait_for_app(page)
        page.wait_for_function(FILLS_JS, arg=MAP_IFRAME, timeout=180_000)
        for label in LABELS:
            page.get_by_test_id("stSidebar").get_by_test_id("stRadio").filter(has_text="Metric").get_by_text(
                label, exact=True
            ).click()
            page.wait_for_timeout(1500)
            wait_for_app(page)
        warm.close()

        # Each metric change in a new session: Streamlit's browser keeps the messages it has seen
        # (its forward-message cache), so a session going back to a metric it showed before gets
        # a reference, not the map; a reader's first visit to a selection pays the whole price.
        guard = ThirdPartyBlocker()
        firsts, files, times, sent = [], [], [], []
        for i in range(clicks):
            start_metric, label = ("per_1k", LABELS[0]) if i % 2 == 0 else ("per_km2", LABELS[1])
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            guard.install(context)
            page = context.new_page()
            meter = Meter(page)
            page.goto(f"{url}/?level=lad&metric={start_metric}")
            wait_for_app(page)
            page.wait_for_function(FILLS_JS, arg=MAP_IFRAME, timeout=180_000)
            page.wait_for_timeout(500)
            firsts.append(meter.ws)
            files.append(sum(meter.files.values()))
            seconds, size = click(page, label, meter)
            times.append(seconds)
            sent.append(size)
            context.close()
        first_ws, first_files = statistics.median(firsts), statistics.median(files)
        return {
            "first_ws": first_ws,
            "first_files": first_files,
            "times": times,
            "sent": sent,
            "third_party": len(guard.third_party()),
        }
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="a checkout of the reference commit (with data)")
    parser.add_argument("--clicks", type=int, default=8, help="timed metric changes per dashboard")
    args = parser.parse_args()
    if not CHROMIUM.is_file():
        print(browser_harness.INSTALL_CHROMIUM, file=sys.stderr)
        return 2
    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        for name, root in (("before", args.before.resolve()), ("after", REPO_ROOT)):
            results[name] = measure(root, args.clicks, browser)
            r = results[name]
            show(f"{name}_first_load_ws", int(r["first_ws"]), "bytes")
            show(f"{name}_first_load_map_files", int(r["first_files"]), "bytes")
            show(f"{name}_metric_change_ws", " ".join(str(s) for s in r["sent"]), "bytes")
            show(f"{name}_metric_change_s", " ".join(f"{t:.3f}" for t in r["times"]), "s")
            show(f"{name}_third_party_requests", int(r["third_party"]))
        browser.close()
    b, a = results["before"], results["after"]

    def kb(n: float) -> str:
        return f"{n / 1000:,.1f} KB"

    rows = [
        ("first load: websocket", kb(b["first_ws"]), kb(a["first_ws"]), ""),
        ("first load: map's own files (HTTP)", kb(b["first_files"]), kb(a["first_files"]), ""),
        (
            "first load: total",
            kb(b["first_ws"] + b["first_files"]),
            kb(a["first_ws"] + a["first_files"]),
            "≤ before",
        ),
        (
            "metric change: websocket, median",
            kb(statistics.median(b["sent"])),
            kb(statistics.median(a["sent"])),
            f"≤ {kb(TARGET_BYTES)}",
        ),
        (
            "metric change: click -> redrawn, median",
            f"{statistics.median(b['times']):.3f} s",
            f"{statistics.median(a['times']):.3f} s",
            f"≤ {TARGET_S} s",
        ),
        ("    slowest", f"{max(b['times']):.3f} s", f"{max(a['times']):.3f} s", ""),
    ]
    print()
    print(f"LAD map, metric changes alternating {' / '.join(LABELS)}; {args.clicks} clicks each")
    header = ("figure", f"before ({args.before.name})", "after (this tree)", "target")
    widths = [max(len(r[i]) for r in [*rows, header]) for i in range(4)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
