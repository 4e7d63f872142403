"""The map's own scripts (geo/pictures/web/js/*.js) in Chromium: one namespace, ``window.CameraAtlas``, no
``window.atlas*`` globals, served from the dashboard's own server next to Leaflet and inlined in the HTML export;
the decoder restores the rings Python encoded, and the boxes, tooltip and layers do what the map needs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
from browser_harness import REPO_ROOT, ThirdPartyBlocker, hover_for_tooltip, map_frame, wait_for_app, wait_for_map_paths
from playwright.sync_api import Frame, Page, expect

from geo.pictures.web import scripts, units
from geo.pictures.web.polyline import PRECISION, encode_ring

FUNCTIONS = ["decodeRing", "decodeFeatures", "box", "decorate", "tooltip", "tooltipHtml", "legend", "fit", "frame"]
FUNCTIONS += ["shapes", "circles", "addUnits", "units", "paint", "unitCircles"]
# The globals of the page that are the atlas's: its namespace and nothing named atlas* (any case).
OWN_GLOBALS_JS = "() => Object.keys(window).filter(k => /atlas/i.test(k)).sort()"


def _namespace(frame: Frame | Page) -> dict:
    return frame.evaluate(
        """names => ({
            type: typeof window.CameraAtlas,
            missing: names.filter(n => typeof window.CameraAtlas[n] !== 'function'),
        })""",
        FUNCTIONS,
    )


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default HTML snapshot of the shipped dataset, written by the command line."""
    path = tmp_path_factory.mktemp("scripts-export") / "snapshot.html"
    done = subprocess.run(
        [sys.executable, "-m", "geo", "snapshot", "--out", str(path)],
        cwd=REPO_ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return path


def test_export_holds_the_scripts_under_one_namespace(
    export: Path, page: Page, third_party: ThirdPartyBlocker, js_errors: list[str]
) -> None:
    page.goto(export.as_uri())
    wait_for_map_paths(page.main_frame, minimum=4)
    assert _namespace(page) == {"type": "object", "missing": []}
    assert page.evaluate(OWN_GLOBALS_JS) == ["CameraAtlas"]
    # The decoder gives back, point for point, what Python encoded (on the encoding's grid).
    rng = np.random.default_rng(7)
    rings = [np.cumsum(rng.normal(0, scale, (40, 2)), axis=0) for scale in (1e-3, 0.05, 2.0)]
    decoded = page.evaluate("texts => texts.map(t => CameraAtlas.decodeRing(t))", [encode_ring(r) for r in rings])
    for ring, back in zip(rings, decoded):
        assert np.allclose(np.asarray(back), np.round(ring * 10**PRECISION) / 10**PRECISION)
    # The layer's legend is a box in the bottom left corner; a tooltip names the unit under the pointer.
    expect(page.locator(".leaflet-bottom.leaflet-left .atlas-legend-control .atlas-legend")).to_be_visible()
    hover_for_tooltip(page.locator("path.leaflet-interactive").last, page.locator(".leaflet-tooltip"), ["Source"])
    assert third_party.third_party() == []
    assert js_errors == []


def test_tooltip_html_takes_escaped_values_as_they_are(export: Path, page: Page, js_errors: list[str]) -> None:
    """The tooltip concatenates values the server escaped; it adds no markup of its own from data."""
    page.goto(export.as_uri())
    wait_for_map_paths(page.main_frame, minimum=1)
    html = page.evaluate(
        """() => CameraAtlas.tooltipHtml({name: "A &amp; B", s: "&lt;b&gt;", n: "12"}, ["Networks", "Rank"],
            ["n", "r"], "Source: X")"""
    )
    page.set_content(html)
    assert page.locator("b").first.inner_text() == "A & B"
    assert page.locator("b").count() == 1  # "&lt;b&gt;" stayed text
    assert page.locator("td").all_inner_texts() == ["Networks", "12"]  # no row for a figure it lacks
    assert js_errors == []


def test_dashboard_map_loads_the_scripts_from_its_own_server(
    app_url: str, page: Page, third_party: ThirdPartyBlocker, js_errors: list[str]
) -> None:
    requests: list[str] = []
    page.context.on("request", lambda request: requests.append(request.url))
    page.goto(f"{app_url}/?level=lad")
    wait_for_app(page)
    locator, frame = map_frame(page, timeout=120_000)
    wait_for_map_paths(frame, minimum=4, timeout=120_000)
    assert _namespace(frame) == {"type": "object", "missing": []}
    assert frame.evaluate(OWN_GLOBALS_JS) == ["CameraAtlas"]
    expect(locator.locator(".atlas-legend")).to_be_visible()
    paths = [urlsplit(url).path for url in requests]
    served = [path for path in paths if "/app/static/camera-atlas-" in path and f"/{units.FOLDER}/" not in path]
    assert [path.rsplit("/", 1)[-1] for path in served] == [scripts.BUNDLE]  # every script, in one request
    assert {path.split("/")[3] for path in served} == {scripts.folder()}
    # and the level's units, once, from the same server (geo.pictures.web.units)
    assert len([path for path in paths if f"/app/static/{units.FOLDER}/" in path]) == 1
    assert third_party.third_party() == []
    assert js_errors == []


STATE_JS = """() => {
    const map = window.map;
    const c = map.getCenter();
    const fills = [...document.querySelectorAll('path')].map(p => p.getAttribute('fill')).join(';');
    return {zoom: map.getZoom(), lat: c.lat, lng: c.lng, paints: (map.cameraAtlas || {}).paints || 0, fills: fills,
            paths: document.querySelectorAll('path').length};
}"""


def test_a_metric_change_repaints_the_same_units_and_keeps_the_readers_view(
    app_url: str, page: Page, js_errors: list[str]
) -> None:
    page.goto(f"{app_url}/?level=lad&metric=per_1k")
    wait_for_app(page)
    locator, frame = map_frame(page, timeout=120_000)
    wait_for_map_paths(frame, minimum=300, timeout=120_000)
    frame.wait_for_function("() => window.map && (window.map.cameraAtlas || {}).paints >= 1")
    frame.evaluate("window.__atlasMarker = 'kept'")
    locator.locator(".leaflet-control-zoom-in").click()  # the reader zooms in
    frame.wait_for_timeout(600)
    before = frame.evaluate(STATE_JS)
    page.get_by_test_id("stSidebar").get_by_text("Networks per km²", exact=True).click()
    frame.wait_for_function("n => window.map.cameraAtlas.paints > n", arg=before["paints"], timeout=60_000)
    after = frame.evaluate(STATE_JS)
    assert frame.evaluate("window.__atlasMarker") == "kept"  # the same map document: nothing remounted
    assert after["paths"] == before["paths"]  # the same units, repainted
    assert after["fills"] != before["fills"]  # in the new metric's colours
    assert (after["zoom"], round(after["lat"], 5), round(after["lng"], 5)) == (
        before["zoom"],
        round(before["lat"], 5),
        round(before["lng"], 5),
    )  # the reader's view is kept
    expect(locator.locator(".atlas-legend-title")).to_have_text("Networks per km²")
    assert js_errors == []
