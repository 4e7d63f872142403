"""The Compare page in a real browser: the change map draws, its tooltip reads, and the
areas only one dataset lists are on the page; the CSV download holds every row."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from browser_harness import (
    REPO_ROOT,
    ThirdPartyBlocker,
    hover_for_tooltip,
    map_frame,
    save_screenshot,
    wait_for_app,
    wait_for_map_paths,
)
from playwright.sync_api import Page, expect

FIXTURE_DATASETS = REPO_ROOT / "tests" / "fixtures" / "datasets"


@pytest.fixture(scope="session")
def compare_url(streamlit_server) -> str:
    """The real app with the synthetic vendor-split fixture beside the shipped dataset."""
    return streamlit_server("app.py", env={"CAMERA_ATLAS_DATASETS_DIR": str(FIXTURE_DATASETS)})


def open_compare(page: Page, url: str, minimum_paths: int) -> tuple:
    page.goto(f"{url}/compare")
    wait_for_app(page)
    expect(page.locator("h1").first).to_have_text("Compare datasets")
    frame_locator, frame = map_frame(page)
    wait_for_map_paths(frame, minimum=minimum_paths)
    return frame_locator, frame


def test_compare_page_shows_change_map_and_only_in_lists(
    compare_url: str, page: Page, third_party: ThirdPartyBlocker, js_errors: list[str]
) -> None:
    frame_locator, frame = open_compare(page, compare_url, minimum_paths=7)
    # 1 place in both + 3 only in A + 3 only in B, over the 361 LADs drawn as context.
    assert frame.locator("path.leaflet-interactive").count() == 7
    assert frame.locator(".leaflet-overlay-pane path").count() >= 361 + 7
    legend = frame_locator.locator(".atlas-legend")
    expect(legend).to_contain_text("Change in camera networks (B \u2212 A)")
    expect(legend).to_contain_text("Only in A")
    expect(legend).to_contain_text("Only in B")
    # Manchester, the one place in both, gets the darkest purple (the largest decrease).
    fills = frame.eval_on_selector_all("path.leaflet-interactive", "els => els.map(e => e.getAttribute('fill'))")
    assert "#5e3c99" in fills
    assert fills.count("#d9d9d9") == 3 and fills.count("#969696") == 3

    # Both publish a UK total, so national totals show; like with like over the areas both list.
    national = page.get_by_test_id("stMetric").filter(has_text="National total, older → newer")
    expect(national).to_contain_text("277,986 → 1,900")
    expect(national).to_contain_text("\u2212276,086")
    shared = page.get_by_test_id("stMetric").filter(has_text="Over the 1 area both list, older → newer")
    expect(shared).to_contain_text("7,436 → 150")
    expect(shared).to_contain_text("\u22127,286")
    # The headline reads older → newer: TOP10VPN (November 2021), then the fixture (January 2026).
    expect(page.get_by_text("TOP10VPN, via The Mail on Sunday, published Nov 2021: 7,436 → ")).to_contain_text(
        "Synthetic vendor-split test fixture (not real data), counted 1 Jan 2026: 150, \u221298.0%"
    )
    only_a = page.get_by_test_id("stColumn").filter(has=page.get_by_text("Only in A (3)"))
    only_b = page.get_by_test_id("stColumn").filter(has=page.get_by_text("Only in B (3)"))
    for name in ("Greater London: 61,504", "Birmingham: 8,865", "Liverpool: 4,957"):
        expect(only_a.get_by_text(name)).to_be_visible()
    for name in ("Leeds: 110", "Glasgow City: 80", "Cardiff: 65"):
        expect(only_b.get_by_text(name)).to_be_visible()
    expect(page.get_by_text("different methods", exact=False).first).to_be_visible()

    # Streamlit scrolls inside its own container: a tall viewport shows the whole page.
    page.set_viewport_size({"width": 1400, "height": 2200})
    wait_for_app(page)
    path = save_screenshot(page, "page-compare")
    assert path.is_file()
    assert third_party.third_party() == [], third_party.report()
    assert js_errors == []


def test_change_map_tooltip_shows_both_counts_and_the_change(compare_url: str, page: Page) -> None:
    frame_locator, _ = open_compare(page, compare_url, minimum_paths=7)
    manchester = frame_locator.locator("path.leaflet-interactive[fill='#5e3c99']").first
    tooltip = frame_locator.locator(".leaflet-tooltip")
    text = hover_for_tooltip(
        manchester, tooltip, ["Manchester", "Networks in A (older)", "7,436", "150", "\u22127,286", "\u221298.0%"]
    )
    assert "Networks in B (newer)" in text
    save_screenshot(page, "page-compare-tooltip")


def test_compare_csv_download_lists_every_row(compare_url: str, page: Page, tmp_path: Path) -> None:
    open_compare(page, compare_url, minimum_paths=7)
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name="Download comparison (CSV)").click()
    target = tmp_path / "compare.csv"
    info.value.save_as(target)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    # Columns by role: TOP10VPN (2021) is the older, the fixture (2026) the newer.
    assert {r["name"]: r["listed"] for r in rows} == {
        "Manchester": "both",
        "Greater London": "only_older",
        "Birmingham": "only_older",
        "Liverpool": "only_older",
        "Leeds": "only_newer",
        "Glasgow City": "only_newer",
        "Cardiff": "only_newer",
    }
    manchester = next(r for r in rows if r["name"] == "Manchester")
    assert (manchester["networks_older"], manchester["networks_newer"], manchester["change_newer_minus_older"]) == (
        "7436",
        "150",
        "-7286",
    )
    assert (
        next(r for r in rows if r["name"] == "Leeds")["change_newer_minus_older"] == ""
    )  # not in the older: no change
    assert {r["dataset_older"] for r in rows} == {"TOP10VPN, via The Mail on Sunday, published Nov 2021"}
