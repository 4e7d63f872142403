"""The dashboard in a real browser: it loads, draws the map, reacts to filters, and every download is a valid file."""

from __future__ import annotations

import csv
import io
import json
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from browser_harness import REPO_ROOT, map_frame, save_screenshot, wait_for_app, wait_for_map_paths
from playwright.sync_api import Frame, Page, expect

FIXTURE_DATASETS = REPO_ROOT / "tests" / "fixtures" / "datasets"


@pytest.fixture(scope="session")
def atlas_url(streamlit_server) -> str:
    """The real app, with the synthetic vendor-split fixture dataset available beside the shipped one."""
    return streamlit_server("app.py", env={"CAMERA_ATLAS_DATASETS_DIR": str(FIXTURE_DATASETS)})


def open_app(page: Page, url: str, minimum_paths: int = 1) -> Frame:
    page.goto(url)
    wait_for_app(page)
    _, frame = map_frame(page)
    wait_for_map_paths(frame, minimum=minimum_paths)
    return frame


def map_signature(page: Page) -> list[tuple[str, str, str]]:
    """Fill, stroke width and outline of every drawn area: changes when the map's content changes."""
    _, frame = map_frame(page)
    wait_for_map_paths(frame, minimum=1)
    return frame.eval_on_selector_all(
        "path.leaflet-interactive",
        "els => els.map(e => [e.getAttribute('fill'), e.getAttribute('stroke-width'), e.getAttribute('d')])",
    )


def wait_for_map_change(page: Page, before: list, timeout_s: float = 60) -> list:
    """Poll until the map differs from ``before`` (Streamlit reruns, then the iframe redraws)."""
    deadline = page.evaluate("Date.now()") + timeout_s * 1000
    while page.evaluate("Date.now()") < deadline:
        page.wait_for_timeout(500)
        try:
            wait_for_app(page)
            after = map_signature(page)
        except Exception:  # the iframe may be mid-reload
            continue
        if after and after != before:
            return after
    raise AssertionError("the map did not change")


def sidebar(page: Page):
    return page.get_by_test_id("stSidebar")


def test_app_loads_with_map_and_headline(atlas_url: str, page: Page, cdn_router, js_errors) -> None:
    frame = open_app(page, atlas_url, minimum_paths=4)  # the four places of the shipped dataset
    # All 361 LADs are drawn as (non-interactive) context under the places.
    assert frame.locator(".leaflet-overlay-pane path").count() >= 361 + 4
    expect(page.locator("h1").first).to_have_text("Hikvision and Dahua camera networks in the UK")
    expect(page.get_by_text("277,986", exact=True)).to_be_visible()
    save_screenshot(page, "page-map")
    assert cdn_router.unanswered() == []
    assert js_errors == []


def test_lad_level_draws_every_local_authority(atlas_url: str, page: Page) -> None:
    frame = open_app(page, f"{atlas_url}/?level=lad", minimum_paths=300)
    assert wait_for_map_paths(frame, minimum=300) >= 300
    legend = frame.locator("text=No data")
    assert legend.count() >= 1
    save_screenshot(page, "page-map-lad")


def test_metric_change_changes_the_map(atlas_url: str, page: Page) -> None:
    open_app(page, atlas_url, minimum_paths=4)
    before = map_signature(page)
    sidebar(page).get_by_text("Networks per 1,000 residents").click()
    wait_for_map_change(page, before)
    assert "metric=per_1k" in page.url


def test_place_change_changes_the_map(atlas_url: str, page: Page) -> None:
    open_app(page, atlas_url, minimum_paths=4)
    before = map_signature(page)
    places = sidebar(page).get_by_test_id("stMultiSelect")
    places.click()
    page.keyboard.type("Manchester")
    page.keyboard.press("Enter")
    wait_for_map_change(page, before)
    assert "place=Manchester" in page.url


def test_vendor_change_changes_the_map(atlas_url: str, page: Page) -> None:
    open_app(page, f"{atlas_url}/?dataset=synthetic-split&level=lad", minimum_paths=300)
    before = map_signature(page)
    sidebar(page).get_by_text("Dahua", exact=True).click()
    wait_for_map_change(page, before)
    assert "vendor=dahua" in page.url
    save_screenshot(page, "page-map-dahua")


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def _download(page: Page, label: str, tmp_path: Path) -> bytes:
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name=label, exact=True).click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return target.read_bytes()


def test_every_download_is_a_valid_file(atlas_url: str, page: Page, tmp_path: Path) -> None:
    open_app(page, f"{atlas_url}/?place=Manchester", minimum_paths=1)
    png = _download(page, "PNG image", tmp_path)
    width, height = _png_size(png)
    assert width >= 1600 and height > 500
    (REPO_ROOT / "artifacts" / "screenshots").mkdir(parents=True, exist_ok=True)
    (REPO_ROOT / "artifacts" / "screenshots" / "download-snapshot.png").write_bytes(png)

    svg = _download(page, "SVG", tmp_path)
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")

    pdf = _download(page, "PDF", tmp_path)
    assert pdf.startswith(b"%PDF") and b"%%EOF" in pdf[-1024:]

    html = _download(page, "Interactive HTML", tmp_path).decode("utf-8")
    assert "<html" in html.lower() and "leaflet" in html.lower()

    rows = list(csv.DictReader(io.StringIO(_download(page, "CSV", tmp_path).decode("utf-8"))))
    assert {r["name"] for r in rows} == {"Greater London", "Birmingham", "Manchester", "Liverpool"}
    assert next(r for r in rows if r["name"] == "Manchester")["networks"] == "7436"

    collection = json.loads(_download(page, "GeoJSON", tmp_path))
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 4
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in collection["features"])


@pytest.mark.parametrize("path,name", [("rankings", "rankings"), ("per_capita", "per-capita"), ("data", "data"), ("about", "about")])
def test_other_pages_render(atlas_url: str, page: Page, js_errors, path: str, name: str) -> None:
    page.goto(f"{atlas_url}/{path}")
    wait_for_app(page)
    expect(page.locator("h1").first).to_be_visible()
    assert page.get_by_test_id("stException").count() == 0
    save_screenshot(page, f"page-{name}")
    assert js_errors == []


def test_clicking_an_area_shows_its_details_without_remounting_the_map(atlas_url: str, page: Page) -> None:
    frame = open_app(page, f"{atlas_url}/?level=lad&place=Birmingham", minimum_paths=300)
    # A marker inside the map's document: it survives only if the iframe is not remounted.
    frame.evaluate("window.__atlasMarker = 'kept'")
    details = page.get_by_test_id("stColumn").filter(has_text="Area details")
    expect(details).to_contain_text("Click an area")
    # Birmingham (compact) is selected, so the map is centred on it: click the middle of the
    # map, as a user would, and again if the first click lands before the component listens.
    box = page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    assert box is not None
    for _ in range(4):
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        try:
            expect(details).to_contain_text("Camera networks", timeout=15_000)
            break
        except AssertionError:
            continue
    expect(details).to_contain_text("Birmingham")
    expect(details).to_contain_text("Per 1,000 residents")
    _, frame_after = map_frame(page)
    assert frame_after.evaluate("window.__atlasMarker") == "kept"
    save_screenshot(page, "page-map-details")


def test_deep_link_on_a_fresh_server_gets_the_sidebar(streamlit_server, page: Page) -> None:
    # A server nobody has visited yet: its first request is a deep link to a page.
    url = streamlit_server("app.py", env={"CAMERA_ATLAS_TEST_FRESH_SERVER": "deep-link"})
    page.goto(f"{url}/rankings?level=region")
    wait_for_app(page)
    expect(page.locator("h1").first).to_have_text("Rankings")
    expect(sidebar(page).get_by_text("Filters")).to_be_visible()
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav).not_to_contain_text("common")  # only the five pages, not every file in pages/
    expect(page.get_by_text("North West", exact=True).first).to_be_visible(timeout=60_000)
