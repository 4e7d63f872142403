"""Smoke tests proving the browser harness: server fixture, offline CDN routing, map helpers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from browser_harness import (
    VENDOR_DIR,
    CdnRouter,
    count_map_paths,
    local_copy_for,
    map_frame,
    save_screenshot,
    wait_for_app,
    wait_for_map_paths,
)
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

SMOKE_APP = "tests/browser/apps/folium_smoke.py"

# The exact CDN URLs folium 0.20 / streamlit_folium 0.27.4 emit that must come from node_modules.
VENDORED_URLS = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "leaflet/dist/leaflet.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": "leaflet/dist/leaflet.css",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/images/layers.png": "leaflet/dist/images/layers.png",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/dist/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js": "d3-v3/d3.min.js",
    "https://d3js.org/d3.v3.min.js": "d3-v3/d3.min.js",
    "https://d3js.org/d3.v4.min.js": "d3-v4/build/d3.min.js",
}


@pytest.mark.parametrize(("url", "expected"), sorted(VENDORED_URLS.items()))
def test_cdn_urls_map_to_vendored_files(url: str, expected: str) -> None:
    assert local_copy_for(url) == (VENDOR_DIR / expected).resolve()


def test_unknown_cdn_urls_have_no_local_copy() -> None:
    assert local_copy_for("https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js") is None
    assert local_copy_for("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/../../../etc/passwd") is None


def test_folium_map_renders_offline(
    streamlit_server: Callable[..., str], routed_page: tuple[Page, CdnRouter], js_errors: list[str]
) -> None:
    """The legacy routing mode: folium's CDN URLs answered from the npm copies."""
    page, cdn_router = routed_page
    page.goto(streamlit_server(SMOKE_APP))
    wait_for_app(page)
    expect(page.get_by_text("done")).to_be_visible()

    frame_locator, frame = map_frame(page)
    expect(frame_locator.locator(".leaflet-container")).to_be_attached()
    assert wait_for_map_paths(frame, minimum=3) == 3 == count_map_paths(frame_locator)
    assert frame.evaluate("() => window.L && L.version") == "1.9.3"

    # The branca legend is drawn by d3 (served from node_modules): its SVG exists.
    expect(frame_locator.locator(".legend.leaflet-control svg#legend")).to_be_attached()

    # Hovering a polygon shows the GeoJsonTooltip: Leaflet's event handling works too.
    frame_locator.locator("path.leaflet-interactive").first.hover()
    expect(frame_locator.locator(".leaflet-tooltip")).to_contain_text("West")

    shot = save_screenshot(page, "harness-folium-smoke")
    print(f"\nscreenshot: {shot}\n{cdn_router.report()}")

    served = {url: path.relative_to(VENDOR_DIR).as_posix() for url, path in cdn_router.served_local.items()}
    assert served.get("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js") == "leaflet/dist/leaflet.js"
    for url in ("https://d3js.org/d3.v4.min.js", "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js"):
        assert url in served, f"{url} should be served from node_modules"
    assert cdn_router.requested, "the map iframe should have requested CDN files"
    assert cdn_router.unanswered() == [], "requests left the machine without being routed"
    assert js_errors == []
