"""Bring your own data in a real browser: upload a CSV, fix an unmatched name, see the map change; hostile names stay text."""

from __future__ import annotations

from browser_harness import ThirdPartyBlocker, map_frame, pick_option, save_screenshot, wait_for_app
from playwright.sync_api import Page, expect

HOSTILE = "<img src=x onerror=window.__xss=1>"
TABLE = f'place,networks\nLeeds,50\nManchestr,40\n"{HOSTILE}",3\n'.encode()


def go(page: Page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)


def map_paths_after_rerun(page: Page, expected: int, timeout_s: float = 90) -> int:
    """Open the Map page from the sidebar and wait until it draws ``expected`` data areas.

    The map iframe is found afresh on every poll: st_folium may replace it while the page
    settles, and a handle to the old one would never see the new drawing.
    """
    page.get_by_test_id("stSidebarNav").get_by_text("Map", exact=True).click()
    wait_for_app(page)
    count = -1
    for _ in range(int(timeout_s * 2)):
        try:
            _, frame = map_frame(page, timeout=5_000)
            count = frame.evaluate("document.querySelectorAll('path.leaflet-interactive').length")
        except Exception:  # iframe mid-replacement
            count = -1
        if count == expected:
            return count
        page.wait_for_timeout(500)
    raise AssertionError(f"the map drew {count} areas, expected {expected}")


def test_upload_fix_a_name_and_see_the_map_change(
    app_url: str, page: Page, third_party: ThirdPartyBlocker, js_errors: list[str]
) -> None:
    go(page, f"{app_url}/data")
    # The table uploader by its label (the Data page has several).
    page.get_by_test_id("stFileUploader").filter(has_text="Upload a table").locator(
        'input[type="file"]'
    ).set_input_files(files=[{"name": "my-scan.csv", "mimeType": "text/csv", "buffer": TABLE}])
    load = page.get_by_role("button", name="Load this table")
    expect(load).to_be_visible(timeout=60_000)
    load.click()
    expect(page.get_by_text("Your table: my-scan.csv").first).to_be_visible(timeout=60_000)
    wait_for_app(page)
    save_screenshot(page, "page-data-upload")

    # Before the fix only Leeds is on the map (Manchestr and the hostile name are unmatched).
    assert map_paths_after_rerun(page, 1) == 1

    page.get_by_test_id("stSidebarNav").get_by_text("Data", exact=True).click()
    wait_for_app(page)
    pick = page.get_by_test_id("stSelectbox").filter(has_text="Manchestr")
    expect(pick).to_be_visible(timeout=60_000)
    pick_option(page, pick, "Manchester")
    page.get_by_role("button", name="Apply my choices").click()
    wait_for_app(page)
    expect(page.get_by_text("(with your place choices)").first).to_be_visible(timeout=60_000)

    # After the fix Manchester joins Leeds on the map.
    assert map_paths_after_rerun(page, 2) == 2
    save_screenshot(page, "page-map-after-upload")

    # The hostile name was shown as text everywhere and never ran.
    assert page.evaluate("window.__xss") is None
    _, frame = map_frame(page)
    assert frame.evaluate("window.__xss") is None
    assert third_party.third_party() == [], third_party.report()
    assert js_errors == []
