"""Count with Shodan in a real browser: the key typed into the Data page, the local stand-in answering, the map filling."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from browser_harness import ThirdPartyBlocker, map_frame, save_screenshot, wait_for_app, wait_for_map_paths
from fake_shodan import MEMBER_KEY, TOTALS, FakeShodan
from playwright.sync_api import Page, expect

from geo.pictures.palettes import NO_DATA_COLOR


@pytest.fixture(scope="module")
def fake_shodan() -> Iterator[FakeShodan]:
    with FakeShodan() as server:
        yield server


@pytest.fixture(scope="module")
def scan_url(streamlit_server: Callable[..., str], fake_shodan: FakeShodan) -> str:
    """The dashboard, with the official shodan package pointed at the local stand-in."""
    return streamlit_server("app.py", env={"SHODAN_API_URL": fake_shodan.url})


def filled_areas(page: Page) -> int:
    """Areas the map paints with a class colour (not "no data", not outlines)."""
    _, frame = map_frame(page)
    return frame.evaluate(
        "nodata => [...document.querySelectorAll('path.leaflet-interactive')]"
        ".filter(p => { const f = (p.getAttribute('fill') || '').toLowerCase(); return f && f !== 'none' && f !== nodata; }).length",
        NO_DATA_COLOR,
    )


def test_a_count_fills_the_map(scan_url: str, page: Page, third_party: ThirdPartyBlocker, js_errors: list[str]) -> None:
    page.goto(f"{scan_url}/data")
    wait_for_app(page)
    page.get_by_role("tab", name="Count with Shodan").click()
    page.get_by_label("Shodan API key").fill(MEMBER_KEY)
    page.get_by_role("button", name="Count with Shodan").click()
    expect(page.get_by_text("hikvision: total", exact=False).first).to_be_visible(timeout=90_000)
    wait_for_app(page)
    save_screenshot(page, "page-data-count-with-shodan")
    assert MEMBER_KEY not in page.url
    # The key is not left in the password field: its DOM value is empty after the count.
    key_field = page.get_by_label("Shodan API key")
    expect(key_field).to_have_value("", timeout=30_000)
    assert MEMBER_KEY not in page.evaluate("() => [...document.querySelectorAll('input')].map(i => i.value).join(' ')")
    assert "dataset=upload-" in page.url  # the count is now this session's dataset

    page.get_by_test_id("stSidebarNav").get_by_text("Map", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text(f"{sum(TOTALS.values()):,}").first).to_be_visible(timeout=60_000)
    page.get_by_test_id("stSidebar").get_by_text("Local authorities", exact=True).click()
    # The place level already colours 17 areas: count only once the LAD layer is drawn.
    expect(page).to_have_url(re.compile("level=lad"), timeout=60_000)
    wait_for_app(page)
    # Counts open as circles: shade them, so the areas themselves carry the colours counted here.
    page.get_by_test_id("stSidebar").get_by_text("Shaded areas", exact=True).click()
    expect(page).to_have_url(re.compile("style=shaded"), timeout=60_000)
    wait_for_app(page)
    _, frame = map_frame(page)
    # streamlit-folium swaps the whole layer in one step: once the LAD shapes are there, so are their fills.
    wait_for_map_paths(frame, minimum=300, timeout=120_000)
    filled = filled_areas(page)
    assert filled >= 10, f"only {filled} local authorities coloured"
    save_screenshot(page, "page-map-after-shodan-count")
    assert MEMBER_KEY not in page.url
    assert third_party.third_party() == [], third_party.report()
    assert js_errors == []
