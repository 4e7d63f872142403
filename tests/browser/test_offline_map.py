"""The map with every third-party request aborted: Leaflet comes from the dashboard's own server
(st_folium) or is inlined (HTML export); nothing else is fetched, and the map still draws.

Requests are aborted, not stubbed and not routed to copies (the ``page`` fixture), and every
request the page makes is recorded, local ones too, so the report shows the whole list.
"""

from __future__ import annotations

import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_harness import (
    ThirdPartyBlocker,
    hover_for_tooltip,
    map_frame,
    save_screenshot,
    wait_for_app,
    wait_for_map_paths,
)
from playwright.sync_api import Page, expect

from geo.official import assets

# The demo apps' shared module, imported by name as the apps themselves import it.
if str(Path(__file__).resolve().parent / "apps") not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent / "apps"))

from served_map import demo_map, inline_assets

APPS = Path(__file__).resolve().parent / "apps"

OFFLINE_APP = "tests/browser/apps/folium_offline.py"
LEAFLET_JS = f"/app/static/{assets.LEAFLET.folder}/leaflet.js"
LEAFLET_CSS = f"/app/static/{assets.LEAFLET.folder}/leaflet.css"
# What folium 0.20 links by default: 10 files on 4 hosts (the 11th third-party request of the
# dashboard, its page icon, came from Google's font host through Streamlit).
FOLIUM_DEFAULT_HOSTS = {"cdn.jsdelivr.net", "code.jquery.com", "cdnjs.cloudflare.com", "netdna.bootstrapcdn.com"}


@pytest.fixture(scope="module", autouse=True)
def _assets_cached() -> None:
    problem = assets.missing_message()
    if problem:
        pytest.fail(problem, pytrace=False)


def _record_all(page: Page) -> list[tuple[str, str]]:
    """Every request of the page's context as (resource type, URL), in order."""
    seen: list[tuple[str, str]] = []
    page.context.on("request", lambda request: seen.append((request.resource_type, request.url)))
    return seen


def _console_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


def test_st_folium_map_loads_leaflet_from_own_server_only(
    streamlit_server: Callable[..., str], page: Page, third_party: ThirdPartyBlocker, js_errors: list[str]
) -> None:
    requests = _record_all(page)
    console = _console_errors(page)
    base = streamlit_server(OFFLINE_APP)
    page.goto(base)
    wait_for_app(page)
    expect(page.get_by_text("done")).to_be_visible()

    frame_locator, frame = map_frame(page)
    assert wait_for_map_paths(frame, minimum=3) == 3
    assert frame.evaluate("() => window.L && L.version") == assets.LEAFLET.version
    # leaflet.css applied: panes are absolutely positioned, the container clips. Inside
    # streamlit-folium the stylesheet can arrive after the shapes are drawn (a loaded CI machine
    # saw "static"), so wait for it to apply rather than read the style once.
    frame.wait_for_function(
        "() => getComputedStyle(document.querySelector('.leaflet-pane')).position === 'absolute'", timeout=60_000
    )
    assert frame.evaluate("() => getComputedStyle(document.querySelector('.leaflet-pane')).position") == "absolute"
    hover_for_tooltip(
        frame_locator.locator("path.leaflet-interactive").first, frame_locator.locator(".leaflet-tooltip"), ["West"]
    )
    shot = save_screenshot(page, "offline-st-folium")

    local = sorted({urlsplit(url).path for _, url in requests if urlsplit(url).hostname in ("127.0.0.1", "localhost")})
    chunks = [path for path in local if path.startswith("/static/js/")]
    print(f"\nscreenshot: {shot}\n{third_party.report()}\nlocal paths requested ({len(local)}):")
    print("\n".join(f"  {path}" for path in local if path not in chunks))
    print(f"  /static/js/... ({len(chunks)} chunks of Streamlit's own frontend)")

    assert third_party.third_party() == [], "the page tried to reach third parties"
    assert LEAFLET_JS in local and LEAFLET_CSS in local
    assert not [m for m in console if "MIME type" in m], console
    assert js_errors == []


@pytest.mark.parametrize(
    ("name", "types"),
    [
        ("leaflet.js", {"text/javascript", "application/javascript"}),
        ("leaflet.css", {"text/css"}),
        ("images/layers.png", {"image/png"}),
    ],
)
def test_static_files_are_served_with_their_content_types(
    streamlit_server: Callable[..., str], name: str, types: set[str]
) -> None:
    """Scripts and styles arrive with their real type (a text/plain script is refused under nosniff)."""
    base = streamlit_server(OFFLINE_APP)
    assets.publish(APPS / "static")  # the copy the app makes on its first run, in case none ran yet
    with urllib.request.urlopen(f"{base}/app/static/{assets.LEAFLET.folder}/{name}", timeout=10) as response:
        content_type = response.headers.get_content_type()
        assert response.headers.get("X-Content-Type-Options") == "nosniff"
        body = response.read()
    assert content_type in types
    assert body == (assets.package_dir() / name).read_bytes()


def test_inlined_html_export_draws_offline(
    page: Page, third_party: ThirdPartyBlocker, js_errors: list[str], tmp_path: Path
) -> None:
    html = inline_assets(demo_map()).get_root().render()
    assert "<script src=" not in html and "<link " not in html
    path = tmp_path / "map.html"
    path.write_text(html, encoding="utf-8")
    requests = _record_all(page)
    page.goto(path.as_uri())
    assert wait_for_map_paths(page.main_frame, minimum=3) == 3
    assert page.evaluate("() => L.version") == assets.LEAFLET.version
    hover_for_tooltip(page.locator("path.leaflet-interactive").first, page.locator(".leaflet-tooltip"), ["West"])
    save_screenshot(page, "offline-html-export")
    print(f"\nexport: {len(html.encode()):,} bytes; requests: {[url[:60] for _, url in requests]}")
    assert third_party.third_party() == []
    assert [url for _, url in requests] == [path.as_uri()]  # the file itself, nothing else
    assert js_errors == []


def test_blocker_catches_folium_defaults(
    page: Page, third_party: ThirdPartyBlocker, js_errors: list[str], tmp_path: Path
) -> None:
    """Guard check: folium's own defaults are caught (and the map is blank: 'L is not defined')."""
    path = tmp_path / "default.html"
    path.write_text(demo_map().get_root().render(), encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    hosts = {urlsplit(url).hostname for url in third_party.third_party()}
    print(f"\n{third_party.report()}")
    assert hosts == FOLIUM_DEFAULT_HOSTS
    assert len(third_party.third_party()) == 10
    assert any("L is not defined" in error for error in js_errors)
    assert page.locator("path.leaflet-interactive").count() == 0
