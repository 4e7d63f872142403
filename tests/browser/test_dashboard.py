"""The dashboard in a real browser: it loads, draws the map, reacts to filters, and every download is a valid file."""

from __future__ import annotations

import csv
import io
import json
import re
import struct
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_harness import (
    MAP_IFRAME,
    REPO_ROOT,
    ThirdPartyBlocker,
    map_frame,
    pick_option,
    save_screenshot,
    wait_for_app,
    wait_for_map_paths,
)
from playwright.sync_api import Frame, Page, expect

from geo.pictures.static.sizes import PRESETS

FIXTURE_DATASETS = REPO_ROOT / "tests" / "fixtures" / "datasets"


@pytest.fixture(scope="session")
def atlas_url(streamlit_server) -> str:
    """The real app, with the synthetic vendor-split fixture dataset available beside the shipped one."""
    return streamlit_server("app.py", env={"CAMERA_ATLAS_DATASETS_DIR": str(FIXTURE_DATASETS)})


def open_app(page: Page, url: str, minimum_paths: int = 1) -> Frame:
    # Generous waits: the first page of a cold server loads the boundaries and the gazetteer.
    page.goto(url)
    wait_for_app(page, timeout=120_000)
    _, frame = map_frame(page, timeout=120_000)
    wait_for_map_paths(frame, minimum=minimum_paths, timeout=120_000)
    return frame


def map_signature(page: Page) -> list[tuple[str, str, str]]:
    """Fill, stroke width and outline of every drawn area: changes when the map's content changes."""
    _, frame = map_frame(page)
    wait_for_map_paths(frame, minimum=1)
    return frame.eval_on_selector_all(
        "path.leaflet-interactive",
        "els => els.map(e => [e.getAttribute('fill'), e.getAttribute('stroke-width'), e.getAttribute('d')])",
    )


def wait_for_map_change(page: Page, before: list, timeout_s: float = 120) -> list:
    """Poll until the map differs from ``before`` (Streamlit reruns, then the iframe redraws)."""
    deadline = page.evaluate("Date.now()") + timeout_s * 1000
    last = "never read"
    while page.evaluate("Date.now()") < deadline:
        page.wait_for_timeout(500)
        try:
            wait_for_app(page, timeout=30_000)
            after = map_signature(page)
        except Exception as exc:  # the iframe may be mid-reload
            last = f"unreadable: {str(exc).splitlines()[0][:200]}"
            continue
        if after and after != before:
            return after
        last = f"unchanged ({len(after)} areas)"
    raise AssertionError(f"the map did not change within {timeout_s:.0f} s; last poll: {last}")


def sidebar(page: Page):
    return page.get_by_test_id("stSidebar")


# (URL, interactive shapes, every drawn path): counts open as circles, one per unit with data (the
# only interactive shapes), over the units drawn as outlines: place level draws the dataset's four
# places over the 361 LADs as thin context outlines; Greater London is one merged unit at LAD level;
# the four cities lie in three regions.
LEVELS = {
    "place": ("", 4, 361 + 4 + 4),
    "lad": ("/?level=lad", 4, 329 + 4),
    "region": ("/?level=region", 3, 12 + 3),
}


@pytest.mark.parametrize("level", list(LEVELS))
def test_the_map_draws_at_every_level_with_nothing_from_third_parties(
    atlas_url: str, page: Page, third_party: ThirdPartyBlocker, js_errors: list[str], level: str
) -> None:
    query, interactive, drawn = LEVELS[level]
    requests: list[str] = []
    page.context.on("request", lambda request: requests.append(request.url))
    frame = open_app(page, f"{atlas_url}{query}", minimum_paths=interactive)
    assert frame.locator("path.leaflet-interactive").count() == interactive
    assert frame.locator(".leaflet-overlay-pane path").count() == drawn
    expect(frame.locator(".atlas-legend")).to_be_visible()
    expect(page.locator("h1").first).to_have_text("Hikvision and Dahua camera networks in the UK")
    save_screenshot(page, f"page-map-{level}")
    paths = sorted({urlsplit(url).path for url in requests})
    chunks = [path for path in paths if path.startswith("/static/")]
    print(f"\n{len(requests)} requests, {len(paths)} distinct paths, all to {urlsplit(atlas_url).netloc}:")
    print("\n".join(f"  {path}" for path in paths if path not in chunks))
    print(f"  /static/... ({len(chunks)} files of Streamlit's own frontend)")
    assert {urlsplit(url).netloc for url in requests if url.startswith("http")} == {urlsplit(atlas_url).netloc}
    assert any(path.endswith("/leaflet.js") for path in paths) and any(path.endswith("/leaflet.css") for path in paths)
    assert third_party.third_party() == [], third_party.report()
    assert js_errors == []


def test_headline_and_no_data_legend(atlas_url: str, page: Page) -> None:
    frame = open_app(page, f"{atlas_url}/?level=lad", minimum_paths=4)
    expect(page.get_by_text("277,986", exact=True)).to_be_visible()
    expect(frame.locator(".atlas-legend .atlas-no-data")).to_contain_text("No data")


def test_metric_change_changes_the_map(atlas_url: str, page: Page) -> None:
    open_app(page, atlas_url, minimum_paths=4)
    before = map_signature(page)
    sidebar(page).get_by_text("Networks per 1,000 residents").click()
    wait_for_map_change(page, before)
    assert "metric=per_1k" in page.url


def test_the_figures_table_is_made_when_opened_and_follows_the_metric(atlas_url: str, page: Page) -> None:
    open_app(page, f"{atlas_url}/?level=region&metric=per_1k", minimum_paths=4)
    box = page.get_by_test_id("stExpander").filter(has_text="The figures on this map")
    expect(box).to_have_count(1)
    assert box.get_by_test_id("stDataFrame").count() == 0  # closed: no table was sent
    box.get_by_text("The figures on this map").click()
    expect(box.get_by_test_id("stDataFrame")).to_have_count(1, timeout=60_000)
    expect(box.get_by_text("per 1,000 residents by region or nation, highest first")).to_be_visible()
    sidebar(page).get_by_text("Networks per km²").click()  # it stays open and follows the selection
    expect(box.get_by_text("per km² by region or nation, highest first")).to_be_visible(timeout=60_000)
    expect(box.get_by_test_id("stDataFrame")).to_have_count(1)


def test_place_change_changes_the_map(atlas_url: str, page: Page) -> None:
    open_app(page, atlas_url, minimum_paths=4)
    before = map_signature(page)
    places = sidebar(page).get_by_test_id("stMultiSelect")
    pick_option(page, places, "Manchester")
    wait_for_map_change(page, before)
    assert "place=Manchester" in page.url


def test_vendor_change_changes_the_map(atlas_url: str, page: Page) -> None:
    open_app(
        page, f"{atlas_url}/?dataset=synthetic-split&level=lad&style=shaded", minimum_paths=300
    )  # every LAD coloured
    before = map_signature(page)
    sidebar(page).get_by_text("Dahua", exact=True).click()
    wait_for_map_change(page, before)
    assert "vendor=dahua" in page.url
    save_screenshot(page, "page-map-dahua")


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def _png_texts(data: bytes) -> dict[str, str]:
    """The PNG's text chunks (tEXt, zTXt, iTXt) as {keyword: text}."""
    texts, pos = {}, 8
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos : pos + 4]), data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"tEXt":
            key, _, value = body.partition(b"\0")
            texts[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"zTXt":
            key, _, rest = body.partition(b"\0")
            texts[key.decode("latin-1")] = zlib.decompress(rest[1:]).decode("latin-1")
        elif kind == b"iTXt":
            key, _, rest = body.partition(b"\0")
            compressed, rest = rest[0], rest[2:]
            _language, _, rest = rest.partition(b"\0")
            _translated, _, value = rest.partition(b"\0")
            texts[key.decode("latin-1")] = (zlib.decompress(value) if compressed else value).decode("utf-8")
    return texts


def _download(page: Page, label: str, tmp_path: Path) -> bytes:
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name=label, exact=True).click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return target.read_bytes()


def _snapshot(page: Page, label: str, tmp_path: Path) -> tuple[bytes, str]:
    """Pick ``label`` in the Format radio, create the snapshot, download it; returns (file, alt text shown)."""
    page.get_by_test_id("stRadio").filter(has_text="Format").get_by_text(label, exact=True).click()
    page.get_by_role("button", name="Create the snapshot").click()
    button = page.get_by_role("button", name=f"Download {label}", exact=True)
    expect(button).to_be_visible(timeout=120_000)
    wait_for_app(page)
    alt = page.get_by_test_id("stMarkdown").filter(has_text="Alt text (embedded in the file):").inner_text()
    data = _download(page, f"Download {label}", tmp_path)
    return data, alt.split("Alt text (embedded in the file):", 1)[1].strip()


def test_every_snapshot_format_is_created_on_request(atlas_url: str, page: Page, tmp_path: Path) -> None:
    open_app(page, f"{atlas_url}/?place=Manchester", minimum_paths=4)
    # Nothing is rendered before it is asked for.
    assert page.get_by_role("button", name=re.compile("^Download ")).count() == 0

    png, alt = _snapshot(page, "PNG image", tmp_path)
    width, height = _png_size(png)
    assert width == PRESETS["article"].width_px and height > 500  # the form's default size: an article's 600 px
    assert alt.startswith("Map of the United Kingdom")
    assert _png_texts(png).get("Description") == alt  # the alt text shown is the one in the file
    expect(page.get_by_test_id("stImage")).to_be_visible()  # the PNG preview
    (REPO_ROOT / "artifacts" / "screenshots").mkdir(parents=True, exist_ok=True)
    (REPO_ROOT / "artifacts" / "screenshots" / "download-snapshot.png").write_bytes(png)

    svg, _ = _snapshot(page, "SVG", tmp_path)
    assert ET.fromstring(svg).tag.endswith("svg")
    assert page.get_by_test_id("stImage").count() == 0  # a preview only for PNG

    pdf, _ = _snapshot(page, "PDF", tmp_path)
    assert pdf.startswith(b"%PDF") and b"%%EOF" in pdf[-1024:]


def test_html_snapshot_draws_from_file_with_the_network_off(
    atlas_url: str,
    page: Page,
    new_page: Callable[..., tuple[Page, ThirdPartyBlocker]],
    tmp_path: Path,
    js_errors: list[str],
) -> None:
    open_app(page, f"{atlas_url}/?place=Manchester", minimum_paths=4)
    html, _ = _snapshot(page, "Interactive HTML", tmp_path)
    path = tmp_path / "snapshot.html"
    path.write_bytes(html)

    offline, network = new_page(allow_loopback=False)  # every http(s)/ws request aborted, localhost too
    requested: list[str] = []
    offline.context.on("request", lambda request: requested.append(request.url))
    offline.goto(path.as_uri())
    assert wait_for_map_paths(offline.main_frame, minimum=4) == 4  # the four places' circles, areas and context beneath
    assert offline.locator(".leaflet-overlay-pane path").count() == 361 + 4 + 4  # context, places, their circles
    legend = offline.locator(".atlas-legend")
    expect(legend).to_be_visible()
    expect(legend).to_contain_text("Camera networks")
    save_screenshot(offline, "download-html-offline")
    assert network.third_party() == [], network.report()
    assert requested == [path.as_uri()]  # the file itself and nothing else
    assert js_errors == []


def test_figures_download_as_csv_and_geojson(atlas_url: str, page: Page, tmp_path: Path) -> None:
    open_app(page, f"{atlas_url}/?place=Manchester", minimum_paths=4)
    text = _download(page, "CSV", tmp_path).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["name"] for r in rows} == {"Greater London", "Birmingham", "Manchester", "Liverpool"}
    assert next(r for r in rows if r["name"] == "Manchester")["networks"] == "7436"
    assert "source" in rows[0] and all("TOP10VPN" in r["source"] for r in rows)
    long_floats = re.findall(r"\d+\.\d{7,}", text)
    assert long_floats == [], f"float noise in the CSV: {long_floats[:3]}"

    collection = json.loads(_download(page, "GeoJSON", tmp_path))
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 4
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in collection["features"])


@pytest.mark.parametrize(
    "path,name",
    [
        ("rankings", "rankings"),
        ("per_capita", "per-capita"),
        ("compare", "compare"),
        ("data", "data"),
        ("about", "about"),
    ],
)
def test_other_pages_render(
    atlas_url: str, page: Page, third_party: ThirdPartyBlocker, js_errors: list[str], path: str, name: str
) -> None:
    page.goto(f"{atlas_url}/{path}")
    wait_for_app(page)
    expect(page.locator("h1").first).to_be_visible()
    assert page.get_by_test_id("stException").count() == 0
    save_screenshot(page, f"page-{name}")
    assert third_party.third_party() == [], third_party.report()
    assert js_errors == []


def _details(page: Page):
    return page.get_by_test_id("stColumn").filter(has_text="Area details")


# A point inside the named area, in the map document's coordinates: the first point of a grid
# over its path whose topmost element is that path (a centroid can fall into a neighbour).
POINT_IN_AREA_JS = """name => {
    let map = null;
    for (const key of Object.keys(window)) {
        try { if (window[key] instanceof L.Map) { map = window[key]; break; } } catch (e) {}
    }
    let target = null;
    // The shape a reader clicks: the area, or (counts drawn as circles) its circle; areas under circles are not interactive.
    map.eachLayer(l => { if (l.feature && l.feature.properties && l.feature.properties.name === name
                            && l._path && l._path.classList.contains("leaflet-interactive")) target = l; });
    if (!target) return null;
    const box = target._path.getBoundingClientRect();
    for (let i = 1; i < 10; i++) for (let j = 1; j < 10; j++) {
        const x = box.left + box.width * i / 10, y = box.top + box.height * j / 10;
        if (document.elementFromPoint(x, y) === target._path) return [x, y];
    }
    return null;
}"""


def test_picking_a_place_in_the_sidebar_shows_its_details_without_a_click(atlas_url: str, page: Page) -> None:
    open_app(page, f"{atlas_url}/?level=lad", minimum_paths=4)  # a circle per place counted
    details = _details(page)
    expect(details).to_contain_text("Click an area")
    places = sidebar(page).get_by_test_id("stMultiSelect")
    pick_option(page, places, "Birmingham")
    expect(details).to_contain_text("Birmingham", timeout=60_000)
    expect(details).to_contain_text("Camera networks")
    expect(details).to_contain_text("Per 1,000 residents")
    assert "place=Birmingham" in page.url


def test_clicking_an_area_shows_its_details_without_remounting_the_map(atlas_url: str, page: Page) -> None:
    # Two places chosen: the map fits both, and the details start on one of them.
    frame = open_app(page, f"{atlas_url}/?level=lad&place=Birmingham&place=Manchester", minimum_paths=4)
    details = _details(page)
    expect(details).to_contain_text("Camera networks")
    first = "Manchester" if "Manchester" in details.inner_text() else "Birmingham"
    other, other_count = ("Birmingham", "8,865") if first == "Manchester" else ("Manchester", "7,436")
    # A marker inside the map's document: it survives only if the iframe is not remounted.
    frame.evaluate("window.__atlasMarker = 'kept'")
    # Click the other place as a user would, and again if the first click lands before the component
    # listens (or before the view settles): the frame and the point are measured afresh each time.
    for _ in range(4):
        box = page.locator(MAP_IFRAME).bounding_box()
        assert box is not None
        point = frame.evaluate(POINT_IN_AREA_JS, other)
        assert point is not None, f"{other} is not visible on the map"
        page.mouse.click(box["x"] + point[0], box["y"] + point[1])
        try:
            expect(details).to_contain_text(other, timeout=30_000)
            break
        except AssertionError:
            continue
    expect(details).to_contain_text(other)
    expect(details).not_to_contain_text(first)
    expect(details).to_contain_text(other_count)
    expect(details).to_contain_text("Per 1,000 residents")
    _, frame_after = map_frame(page)
    assert frame_after.evaluate("window.__atlasMarker") == "kept"
    save_screenshot(page, "page-map-details")


def test_deep_link_on_a_fresh_server_gets_the_sidebar(streamlit_server, page: Page) -> None:
    # A server nobody has visited yet: its first request is a deep link to a page.
    url = streamlit_server("app.py", env={"CAMERA_ATLAS_TEST_FRESH_SERVER": "deep-link"})
    page.goto(f"{url}/rankings?level=region")
    wait_for_app(page)
    expect(page.locator("h1").first).to_have_text("Rankings", timeout=30_000)  # a fresh server imports everything first
    expect(sidebar(page).get_by_text("Filters")).to_be_visible()
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav).not_to_contain_text("common")  # only the five pages, not every file in pages/
    expect(page.get_by_text("North West", exact=True).first).to_be_visible(timeout=60_000)
