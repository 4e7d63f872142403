"""The harness's one network guard: what counts as local, and that blocked requests are aborted and recorded."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from browser_harness import ThirdPartyBlocker, is_local_url, wait_for_app
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:8501/app/static/leaflet-1.9.4/leaflet.js", True),
        ("ws://localhost:8501/_stcore/stream", True),
        ("http://[::1]:8501/", True),
        ("data:image/png;base64,AAAA", True),
        ("file:///tmp/map.html", True),
        ("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js", False),
        ("https://fonts.gstatic.com/s/materialsymbols.woff2", False),
        ("http://127.0.0.1.evil.example/", False),
        ("wss://example.org/socket", False),
    ],
)
def test_what_counts_as_local(url: str, local: bool) -> None:
    assert is_local_url(url) is local


def test_third_party_requests_are_aborted_and_recorded(
    app_url: str, page: Page, third_party: ThirdPartyBlocker
) -> None:
    page.goto(app_url)
    wait_for_app(page)
    # A page script that reaches out: the request fails in the browser and is on the record.
    outcome = page.evaluate("""() => fetch('https://example.org/beacon?x=1').then(() => 'answered', () => 'failed')""")
    assert outcome == "failed"
    assert third_party.third_party() == ["https://example.org/beacon?x=1"]
    assert third_party.aborted == ["https://example.org/beacon?x=1"]
    assert "example.org/beacon" in third_party.report()


def test_network_off_blocks_the_local_server_too(
    app_url: str, new_page: Callable[..., tuple[Page, ThirdPartyBlocker]]
) -> None:
    offline, guard = new_page(allow_loopback=False)
    with pytest.raises(PlaywrightError):
        offline.goto(app_url)
    assert guard.third_party() == [f"{app_url}/"]
    assert "network requests attempted (all aborted): 1" in guard.report()
