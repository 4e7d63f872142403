"""Every page at desktop and phone widths, screenshotted whole into artifacts/screenshots/ (for eyes), plus
the phone layout checks: the map comes before the figures, and its sources fold into an "i" that opens on a tap."""

from __future__ import annotations

import struct
from collections.abc import Callable

import pytest
from browser_harness import (
    MAP_IFRAME,
    REPO_ROOT,
    ThirdPartyBlocker,
    map_frame,
    save_full_page,
    save_screenshot,
    wait_for_app,
    wait_for_map_paths,
)
from playwright.sync_api import FrameLocator, Page, expect

FIXTURE_DATASETS = REPO_ROOT / "tests" / "fixtures" / "datasets"
NewPage = Callable[..., tuple[Page, ThirdPartyBlocker]]

VIEWPORTS = {"desktop": (1440, 900), "phone": (390, 844)}
# (file name, URL path, title, interactive map areas or 0 for no map)
PAGES = [
    ("map", "", "Hikvision and Dahua camera networks in the UK", 4),
    ("rankings", "rankings", "Rankings", 0),
    ("per-capita", "per_capita", "Per capita", 0),
    ("compare", "compare", "Compare datasets", 7),
    ("data", "data", "Data", 0),
    ("about", "about", "About UK Camera Atlas", 0),
]


@pytest.fixture(scope="session")
def atlas_url(streamlit_server) -> str:
    """The real app with the synthetic vendor-split fixture beside the shipped dataset (so Compare has a B)."""
    return streamlit_server("app.py", env={"CAMERA_ATLAS_DATASETS_DIR": str(FIXTURE_DATASETS)})


def _phone(new_page: NewPage) -> tuple[Page, ThirdPartyBlocker]:
    width, height = VIEWPORTS["phone"]
    return new_page(width, height, is_mobile=True, has_touch=True, device_scale_factor=1)


def _open_map(page: Page, url: str) -> FrameLocator:
    page.goto(url)
    wait_for_app(page)
    frame_locator, frame = map_frame(page)
    wait_for_map_paths(frame, minimum=4)
    return frame_locator


def _overlap(a: dict | None, b: dict | None) -> bool:
    assert a is not None and b is not None, "a box is not rendered"
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize(("name", "path", "title", "areas"), PAGES, ids=[p[0] for p in PAGES])
def test_full_page_screenshot(
    atlas_url: str,
    new_page: NewPage,
    js_errors: list[str],
    viewport: str,
    name: str,
    path: str,
    title: str | None,
    areas: int,
) -> None:
    width, height = VIEWPORTS[viewport]
    page, guard = _phone(new_page) if viewport == "phone" else new_page(width, height)
    page.goto(f"{atlas_url}/{path}")
    wait_for_app(page)
    heading = page.locator("h1").first
    expect(heading).to_be_visible()
    if title:
        expect(heading).to_have_text(title)
    if areas:
        _, frame = map_frame(page)
        assert wait_for_map_paths(frame, minimum=areas) == areas
    shot = save_full_page(page, f"{viewport}-{name}")
    png = shot.read_bytes()
    shot_width, shot_height = struct.unpack(">II", png[16:24])
    assert shot_width == width and shot_height >= height
    assert page.get_by_test_id("stException").count() == 0
    assert guard.third_party() == [], guard.report()
    assert js_errors == []


def test_phone_shows_the_map_before_the_figures(atlas_url: str, new_page: NewPage) -> None:
    page, _ = _phone(new_page)
    _open_map(page, atlas_url)
    map_box = page.locator(MAP_IFRAME).bounding_box()
    total_box = page.get_by_test_id("stMetric").filter(has_text="National total").bounding_box()
    assert map_box is not None and total_box is not None
    assert map_box["y"] + map_box["height"] <= total_box["y"], "the figures come before the map"
    assert map_box["x"] >= 0 and map_box["x"] + map_box["width"] <= VIEWPORTS["phone"][0]


def test_phone_folds_the_sources_into_an_i_that_a_tap_opens(atlas_url: str, new_page: NewPage) -> None:
    page, guard = _phone(new_page)
    frame = _open_map(page, atlas_url)
    credit = frame.locator(".leaflet-control-attribution")
    toggle = credit.locator(".atlas-credit-toggle")
    text = credit.locator(".atlas-credit-text")
    legend = frame.locator(".atlas-legend")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_text("i")
    expect(text).to_be_hidden()
    assert not _overlap(credit.bounding_box(), legend.bounding_box()), "the folded sources cover the legend"
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    save_screenshot(page, "phone-map-sources-folded", full_page=False)

    toggle.tap()
    expect(text).to_be_visible()
    expect(text).to_contain_text("Office for National Statistics")
    expect(text).to_contain_text("TOP10VPN")
    save_screenshot(page, "phone-map-sources-open", full_page=False)
    toggle.tap()  # a second tap folds them again
    expect(text).to_be_hidden()
    assert guard.third_party() == []


def test_desktop_shows_the_sources_beside_the_legend(atlas_url: str, new_page: NewPage) -> None:
    page, _ = new_page(*VIEWPORTS["desktop"])
    frame = _open_map(page, atlas_url)
    credit = frame.locator(".leaflet-control-attribution")
    expect(credit.locator(".atlas-credit-text")).to_be_visible()
    expect(credit.locator(".atlas-credit-toggle")).to_be_hidden()
    assert not _overlap(credit.bounding_box(), frame.locator(".atlas-legend").bounding_box())


# True once the union of every drawn shape stays clear of the legend and of the sources box.
SHAPES_CLEAR_OF_CORNERS_JS = """() => {
    const shapes = [...document.querySelectorAll('.leaflet-overlay-pane path')].map(p => p.getBoundingClientRect());
    const legend = document.querySelector('.atlas-legend');
    const credit = document.querySelector('.leaflet-control-attribution');
    if (!shapes.length || !legend || !credit) return false;
    const union = {
        left: Math.min(...shapes.map(r => r.left)), right: Math.max(...shapes.map(r => r.right)),
        top: Math.min(...shapes.map(r => r.top)), bottom: Math.max(...shapes.map(r => r.bottom)),
    };
    const clear = b => b.right <= union.left || union.right <= b.left || b.bottom <= union.top || union.bottom <= b.top;
    return clear(legend.getBoundingClientRect()) && clear(credit.getBoundingClientRect());
}"""


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("level", ["place", "lad", "region"])
def test_the_uk_is_drawn_clear_of_the_legend_and_the_sources(
    atlas_url: str, new_page: NewPage, viewport: str, level: str
) -> None:
    """No part of the UK hides under the legend or the sources box, at any level, on a phone or a desktop."""
    page, _ = _phone(new_page) if viewport == "phone" else new_page(*VIEWPORTS[viewport])
    page.goto(f"{atlas_url}/?level={level}")
    wait_for_app(page)
    _, frame = map_frame(page)
    wait_for_map_paths(frame, minimum=1)
    frame.wait_for_function(SHAPES_CLEAR_OF_CORNERS_JS, timeout=30_000)
    # The view the reader gets is the whole UK, not a close-up (the fit is not undone later).
    assert 4 <= frame.evaluate("() => Object.values(window).find(v => v instanceof L.Map).getZoom()") <= 6
