"""Two browser sessions side by side: uploads stay with their owner; hostile file and place names stay text."""

from __future__ import annotations

from browser_harness import ThirdPartyBlocker, save_screenshot, wait_for_app
from browser_harness import upload_table as upload
from playwright.sync_api import Browser, Page, expect

EVIL_FILE = "![f](https:evil.example?fn=1).csv"
# Any element that would send the browser to evil.example (heading anchors "#…" stay on the page).
LIVE_TO_EVIL = 'a[href*="evil"]:not([href^="#"]), img[src*="evil"]'
EVIL_TABLE = b"place,networks\nLeeds,50\n[click me](https://evil.example/x),5\nwww.evil.example,2\n"


def open_context(browser: Browser, guard: ThirdPartyBlocker) -> Page:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    guard.install(context)
    return context.new_page()


def test_two_sessions_and_hostile_names(app_url: str, browser: Browser) -> None:
    guard = ThirdPartyBlocker()  # both sessions: every non-local request aborted and recorded
    alice, bob = open_context(browser, guard), open_context(browser, guard)
    try:
        upload(alice, app_url, "alice-private-client-list.csv", b"place,networks\nLeeds,50\nYork,7\n")
        alice_url = alice.url
        assert "dataset=upload-" in alice_url

        # Bob uploads the same bytes under another name: Alice's name never changes.
        upload(bob, app_url, "bob.csv", b"place,networks\nLeeds,50\nYork,7\n")
        alice.get_by_test_id("stSidebarNav").get_by_text("Rankings", exact=True).click()
        expect(alice.locator("h1").first).to_contain_text("Rankings", timeout=60_000)
        wait_for_app(alice)
        alice.get_by_test_id("stSidebarNav").get_by_text("Data", exact=True).click()
        expect(alice.locator("h1").first).to_contain_text("Data", timeout=60_000)
        wait_for_app(alice)
        expect(alice.get_by_text("Your table: alice-private-client-list.csv").first).to_be_visible(timeout=60_000)
        assert alice.get_by_text("bob.csv").count() == 0

        # Alice's link opens nothing of hers in Bob's browser, and says why.
        bob.goto(alice_url)
        wait_for_app(bob)
        expect(bob.get_by_text("uploaded in another browser session").first).to_be_visible(timeout=60_000)
        assert bob.get_by_text("alice-private-client-list.csv").count() == 0

        # A file name and place names written as Markdown links and images stay text.
        upload(bob, app_url, EVIL_FILE, EVIL_TABLE)
        for page_name, heading in (("Map", "camera networks"), ("Rankings", "Rankings"), ("Data", "Data")):
            bob.get_by_test_id("stSidebarNav").get_by_text(page_name, exact=True).click()
            # The new page's heading first: wait_for_app alone can return on the page being left.
            expect(bob.locator("h1").first).to_contain_text(heading, timeout=60_000)
            wait_for_app(bob)
            found = bob.evaluate(f"[...document.querySelectorAll({LIVE_TO_EVIL!r})].map(e => e.outerHTML)")
            assert found == [], f"{page_name}: a live link or image to evil.example"
        save_screenshot(bob, "sessions-hostile-file-name")
        assert guard.third_party() == [], guard.report()  # evil.example included: nothing left the machine
    finally:
        alice.context.close()
        bob.context.close()
