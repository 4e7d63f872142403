"""Counts as circles in a real browser: the HTML export (from the command line) and the Map page draw one circle per
place of the shipped four-city study, say on the map how much of the national total has no place, fetch nothing
from third parties, and on a phone the export's title box leaves the zoom buttons free. Screenshots (desktop 1400 px
and phone 390 px) land in artifacts/screenshots/."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from browser_harness import (
    REPO_ROOT,
    ThirdPartyBlocker,
    hover_for_tooltip,
    map_frame,
    save_full_page,
    save_screenshot,
    wait_for_app,
    wait_for_map_paths,
)
from playwright.sync_api import Frame, Page, expect

from geo.pictures.circles import CIRCLE_FILL
from geo.pictures.web.circle_markers import MAX_RADIUS_PX, NARROW_SCALE

NewPage = Callable[..., tuple[Page, ThirdPartyBlocker]]
DESKTOP, PHONE = (1400, 900), (390, 844)
CIRCLE_FILLS = "els => els.map(e => (e.getAttribute('fill') || '').toLowerCase())"


def _geo(*args: str) -> str:
    """Run ``python -m geo`` in the repo (as a reader would) and return its stdout."""
    done = subprocess.run(
        [sys.executable, "-m", "geo", *args],
        cwd=REPO_ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def shipped_table() -> dict:
    """The shipped dataset's place-level table, as ``table --json`` gives it."""
    return json.loads(_geo("table", "--json"))


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default HTML snapshot of the shipped dataset, written by the command line."""
    path = tmp_path_factory.mktemp("circles-export") / "snapshot.html"
    _geo("snapshot", "--out", str(path))
    return path


def _note(table: dict) -> str:
    return f"{table['unattributed']:,} of the {table['national_total']:,} networks"


def _boxes_apart(a: dict | None, b: dict | None) -> bool:
    assert a is not None and b is not None, "a box is not rendered"
    return (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def _assert_four_circles(frame: Frame, table: dict) -> None:
    circles = [row for row in table["rows"] if row["networks"]]
    assert len(circles) == 4  # the study's four cities
    assert wait_for_map_paths(frame, minimum=len(circles)) == len(circles)
    fills = frame.locator("path.leaflet-interactive").evaluate_all(CIRCLE_FILLS)
    assert fills == [CIRCLE_FILL] * len(circles)  # the interactive shapes are the circles, not the areas
    legend = frame.locator(".atlas-legend")
    expect(legend).to_contain_text(_note(table))
    assert (
        2 <= legend.locator("svg:visible circle").count() <= 3
    )  # reference circles (this width's key), no class swatches


def test_html_export_draws_a_circle_per_city_offline(
    export: Path, shipped_table: dict, new_page: NewPage, js_errors: list[str]
) -> None:
    page, network = new_page(*DESKTOP, allow_loopback=False)  # every request aborted: the file must need nothing
    page.goto(export.as_uri())
    _assert_four_circles(page.main_frame, shipped_table)
    largest = max(shipped_table["rows"], key=lambda row: row["networks"])
    hover_for_tooltip(
        page.locator("path.leaflet-interactive").first,
        page.locator(".leaflet-tooltip"),
        [largest["name"], f"{largest['networks']:,}"],
    )  # largest first: drawn underneath the rest
    page.mouse.move(5, 5)
    box = page.locator("path.leaflet-interactive").first.bounding_box()  # screen pixels, whatever the zoom
    assert box is not None and box["width"] == pytest.approx(2 * MAX_RADIUS_PX, abs=2)
    save_screenshot(page, "circles-html-export-desktop", full_page=False)
    assert network.third_party() == [], network.report()
    assert js_errors == []


def test_html_export_title_leaves_the_zoom_buttons_free_on_a_phone(
    export: Path, shipped_table: dict, new_page: NewPage, js_errors: list[str]
) -> None:
    page, network = new_page(*PHONE, allow_loopback=False, is_mobile=True, has_touch=True, device_scale_factor=1)
    page.goto(export.as_uri())
    _assert_four_circles(page.main_frame, shipped_table)
    title, zoom = page.locator(".atlas-title"), page.locator(".leaflet-control-zoom")
    expect(title).to_be_visible()
    expect(zoom).to_be_visible()
    assert _boxes_apart(title.bounding_box(), zoom.bounding_box())
    box = title.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE[0]
    largest = page.locator("path.leaflet-interactive").first.bounding_box()  # smaller on a phone
    assert largest is not None and largest["width"] == pytest.approx(2 * MAX_RADIUS_PX * NARROW_SCALE, abs=2)
    save_screenshot(page, "circles-html-export-phone", full_page=False)
    assert network.third_party() == [], network.report()
    assert js_errors == []


def test_map_page_opens_as_circles_and_a_circle_selects_its_place(
    app_url: str, page: Page, third_party: ThirdPartyBlocker, shipped_table: dict, js_errors: list[str]
) -> None:
    page.goto(app_url)
    wait_for_app(page, timeout=180_000)
    frame_locator, frame = map_frame(page, timeout=120_000)
    wait_for_map_paths(frame, minimum=4, timeout=120_000)
    _assert_four_circles(frame, shipped_table)
    expect(page.get_by_test_id("stSidebar").get_by_text("Circles (area ∝ count)")).to_be_visible()
    # The smallest circle is drawn last, on top: a click on it shows its place's figures.
    smallest = min(shipped_table["rows"], key=lambda row: row["networks"])
    expect(page.get_by_text("Click an area on the map")).to_be_visible()
    details = page.locator('[data-testid="stMarkdown"] strong').filter(has_text=smallest["name"])
    # The page's start-up reruns may repaint the layer just as the click lands (the circles are
    # drawn again, and a click on the one being replaced goes nowhere): a reader clicks again.
    for _ in range(3):
        frame_locator.locator("path.leaflet-interactive").last.click(force=True)
        try:
            expect(details).to_be_visible(timeout=20_000)
            break
        except AssertionError:
            wait_for_app(page)
    expect(details).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Click an area on the map")).to_have_count(0)
    wait_for_app(page)
    save_full_page(page, "circles-map-page-desktop")
    assert third_party.third_party() == [], third_party.report()
    assert js_errors == []


def test_map_page_on_a_phone(app_url: str, new_page: NewPage, shipped_table: dict) -> None:
    page, guard = new_page(*PHONE, is_mobile=True, has_touch=True, device_scale_factor=1)
    page.goto(app_url)
    wait_for_app(page, timeout=180_000)
    _, frame = map_frame(page, timeout=120_000)
    _assert_four_circles(frame, shipped_table)
    save_full_page(page, "circles-map-page-phone")
    assert guard.third_party() == [], guard.report()


def test_counts_can_be_shaded_instead(app_url: str, page: Page) -> None:
    page.goto(f"{app_url}/?style=shaded")
    wait_for_app(page, timeout=180_000)
    _, frame = map_frame(page, timeout=120_000)
    wait_for_map_paths(frame, minimum=4, timeout=120_000)
    fills = frame.locator("path.leaflet-interactive").evaluate_all(CIRCLE_FILLS)
    assert len(fills) == 4 and CIRCLE_FILL not in fills  # four shaded places
    assert frame.locator(".atlas-legend circle").count() == 0
