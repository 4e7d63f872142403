"""The Trends page in a real browser, over four monthly scans: the date slider moves the map (its
data layer swapped in, the areas of that month drawn), the change map draws, nothing is fetched
from a third party; screenshots at desktop and phone width."""

from __future__ import annotations

import pytest
from browser_harness import ThirdPartyBlocker, map_frame, save_full_page, wait_for_app, wait_for_map_paths
from playwright.sync_api import Frame, Page, expect
from trend_scans import MONTHS, folder_name, write_monthly_scans

# The names of the areas the map draws (each data layer's features), read from Leaflet itself.
AREA_NAMES_JS = """() => {
    let map = null;
    for (const key of Object.keys(window)) {
        try { if (window[key] instanceof L.Map) { map = window[key]; break; } } catch (e) {}
    }
    const names = [];
    // The areas drawn: the map's units this layer paints (units it does not show are neither stroked nor filled).
    map.eachLayer(l => { if (l.feature && l.feature.properties && l.feature.properties.name && l._path
                            && (l.options.stroke || l.options.fill)) names.push(l.feature.properties.name); });
    return names.sort();
}"""
# The layers the map has painted (CameraAtlas.paint counts them): a new date's layer is one more.
PAINTS_JS = """() => {
    for (const key of Object.keys(window)) {
        try { if (window[key] instanceof L.Map) { return (window[key].cameraAtlas || {}).paints || 0; } } catch (e) {}
    }
    return 0;
}"""
REDRAWN_JS = f"before => ({PAINTS_JS})() > before"


@pytest.fixture(scope="session")
def trends_url(streamlit_server, tmp_path_factory: pytest.TempPathFactory, resolver) -> str:
    """The real app with four monthly scans as a collection."""
    folder = tmp_path_factory.mktemp("trends-browser-scans")
    write_monthly_scans(folder, resolver)
    return streamlit_server("app.py", env={"CAMERA_ATLAS_DATASETS_DIR": str(folder)})


def open_trends(page: Page, url: str) -> Frame:
    page.goto(f"{url}/trends?dataset={folder_name(MONTHS[-1])}&vendor=hikvision")
    wait_for_app(page)
    expect(page.locator("h1").first).to_contain_text("Hikvision services in the UK rose")  # the finding
    _, frame = map_frame(page, 0)
    wait_for_map_paths(frame, minimum=5, timeout=180_000)  # a cold server builds the series first
    return frame


def move_date(page: Page, frame: Frame, caption: str) -> None:
    """One step left on the date slider, with the keyboard; wait until the map has painted the new date."""
    before = frame.evaluate(PAINTS_JS)
    thumb = page.get_by_test_id("stSlider").filter(has_text="Date").locator('input[type="range"]')
    thumb.focus()
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_text(caption).first).to_be_visible(timeout=60_000)
    frame.wait_for_function(REDRAWN_JS, arg=before, timeout=60_000)


def test_the_date_slider_moves_the_map(
    trends_url: str, page: Page, third_party: ThirdPartyBlocker, js_errors: list[str]
) -> None:
    frame = open_trends(page, trends_url)
    december = frame.evaluate(AREA_NAMES_JS)
    assert december == ["Birmingham", "Cardiff", "Greater London", "Leeds", "Manchester"]
    frame.evaluate("window.__atlasMarker = 'kept'")  # survives only if the map is not reloaded
    for caption in ("counted 1 November 2026", "counted 1 October 2026", "counted 1 September 2026"):
        move_date(page, frame, caption)
    september = frame.evaluate(AREA_NAMES_JS)
    # Glasgow was in Hikvision's top 5 in September, Cardiff not yet.
    assert september == ["Birmingham", "Glasgow City", "Greater London", "Leeds", "Manchester"]
    _, frame_after = map_frame(page, 0)
    assert frame_after.evaluate("window.__atlasMarker") == "kept"  # the layer was swapped, the map stayed

    _, change = map_frame(page, 1)
    wait_for_map_paths(change, minimum=4)  # the change map between the run's ends
    expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible()
    assert third_party.third_party() == [], third_party.report()
    assert js_errors == []


def test_trends_page_screenshots(trends_url: str, page: Page, new_page) -> None:
    open_trends(page, trends_url)
    _, change = map_frame(page, 1)
    wait_for_map_paths(change, minimum=4)
    desktop = save_full_page(page, "page-trends")
    phone, guard = new_page(390, 844, is_mobile=True, has_touch=True)
    open_trends(phone, trends_url)
    narrow = save_full_page(phone, "page-trends-phone")
    assert desktop.is_file() and narrow.is_file()
    assert guard.third_party() == [], guard.report()


def test_with_the_shipped_data_alone_the_page_says_how_to_build_a_record(app_url: str, page: Page) -> None:
    page.goto(f"{app_url}/trends")
    wait_for_app(page)
    expect(page.get_by_text("python -m geo scan shodan --into data/scans", exact=False).first).to_be_visible()
    expect(page.get_by_role("link", name="Go to the Data page")).to_be_visible()
    assert page.get_by_test_id("stVegaLiteChart").count() == 0
    save_full_page(page, "page-trends-empty")
