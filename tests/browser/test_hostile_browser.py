"""The hostile corpus in a real browser: the live map and the HTML export show it as text and run nothing.

A table is uploaded under a file name made of template payloads, an open Jinja comment and HTML; its
source line reaches the live map's attribution. The Map page's title field takes more payloads
and the interactive HTML export is opened from disk with the network off. A payload that
reached a Jinja template would create its marker folder in the server's working directory
(the repository root); an HTML one would set ``window.__xss``.
"""

from __future__ import annotations

from pathlib import Path

from browser_harness import REPO_ROOT, ThirdPartyBlocker, map_frame, upload_table, wait_for_app, wait_for_map_paths
from hostile import CORPUS, assert_nothing_ran, new_token, payloads
from playwright.sync_api import Page, expect
from test_dashboard import _snapshot

from geo.core.text import MAX_FILE_NAME

TOKEN = new_token()
PAYLOADS = payloads(TOKEN)
XSS = "<img src=x onerror=__xss=1>"
FILE_NAME = f"{PAYLOADS['rce_expression']} {{# {XSS}.csv"  # within the 120 characters a file name keeps
TABLE = b"place,networks\nLeeds,50\nYork,7\n"
TITLE = f"{PAYLOADS['rce_statement']} {CORPUS['jinja_expression']} {XSS}"


def test_the_live_map_shows_a_hostile_file_name_as_text(
    app_url: str, page: Page, third_party: ThirdPartyBlocker, js_errors: list[str]
) -> None:
    assert len(FILE_NAME) <= MAX_FILE_NAME
    upload_table(page, app_url, FILE_NAME, TABLE)
    page.get_by_test_id("stSidebarNav").get_by_text("Map", exact=True).click()
    wait_for_app(page)
    _, frame = map_frame(page, timeout=120_000)
    wait_for_map_paths(frame, minimum=2, timeout=120_000)
    credit = frame.locator(".leaflet-control-attribution").inner_text()
    assert PAYLOADS["rce_expression"] in credit and XSS in credit  # shown as written
    assert "{# <img" in credit
    assert frame.evaluate("window.__xss") is None and page.evaluate("window.__xss") is None
    assert_nothing_ran(TOKEN, REPO_ROOT)
    assert third_party.third_party() == [], third_party.report()
    assert js_errors == []


def test_the_html_export_shows_a_hostile_title_as_text(app_url: str, page: Page, new_page, tmp_path: Path) -> None:
    page.goto(f"{app_url}/?place=Manchester")
    wait_for_app(page, timeout=120_000)
    title = page.get_by_label("Title", exact=True)
    title.fill(TITLE)
    title.press("Enter")
    wait_for_app(page)
    html, _ = _snapshot(page, "Interactive HTML", tmp_path)
    path = tmp_path / "export.html"
    path.write_bytes(html)
    assert_nothing_ran(TOKEN, REPO_ROOT)

    offline, network = new_page(allow_loopback=False)
    offline.goto(path.as_uri())
    box = offline.locator(".atlas-title")
    expect(box).to_be_visible(timeout=30_000)
    assert box.locator("div").first.inner_text() == TITLE
    assert offline.title() == TITLE
    assert offline.evaluate("window.__xss") is None
    assert network.third_party() == [], network.report()
