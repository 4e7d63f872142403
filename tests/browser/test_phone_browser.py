"""On a phone (390x844, Chromium's own user agent, as a narrowed desktop browser or an iPad in desktop
mode also reports): choosing a page from the sidebar closes it, a filter change does not, and the
Per capita bars carry whole area names. Screenshots land in artifacts/screenshots/."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from browser_harness import ThirdPartyBlocker, save_screenshot, wait_for_app
from playwright.sync_api import Page, expect

NewPage = Callable[..., tuple[Page, ThirdPartyBlocker]]
PHONE = (390, 844)
# A researcher's count: a sum of places with a long local-authority name ("Kingston upon Hull, City of").
RESEARCHER = "researcher-2025"
OBSERVATIONS = """place,vendor,networks
London,all,44763
Birmingham,all,30000
Manchester,all,20000
Liverpool,all,12333
Kingston upon Hull,all,6100
Preston,all,2900
Leicester,all,3000
Bournemouth,all,1500
Newcastle upon Tyne,all,2500
Brighton and Hove,all,1800
"""


@pytest.fixture(scope="session")
def phone_url(streamlit_server, tmp_path_factory: pytest.TempPathFactory) -> str:
    root: Path = tmp_path_factory.mktemp("phone-datasets")
    folder = root / RESEARCHER
    folder.mkdir()
    (folder / "observations.csv").write_text(OBSERVATIONS, encoding="utf-8")
    (folder / "datapackage.json").write_text(
        json.dumps(
            {
                "profile": "tabular-data-package",
                "name": RESEARCHER,
                "title": "A researcher's count of UK cities (test fixture, not real data)",
                "description": "Invented counts for the browser tests.",
                "date": "2025-03-14",
                "sources": [{"title": "UK Camera Atlas test suite"}],
                "licenses": [{"name": "CC0-1.0", "title": "CC0 1.0"}],
                "resources": [
                    {
                        "name": "observations",
                        "path": "observations.csv",
                        "profile": "tabular-data-resource",
                        "format": "csv",
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    return streamlit_server("app.py", env={"CAMERA_ATLAS_DATASETS_DIR": str(root)})


def phone(new_page: NewPage) -> tuple[Page, ThirdPartyBlocker]:
    return new_page(*PHONE, is_mobile=True, has_touch=True, device_scale_factor=1)


def open_sidebar(page: Page) -> None:
    page.get_by_test_id("stExpandSidebarButton").click()
    expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "false")


def test_choosing_a_page_on_a_phone_closes_the_sidebar(phone_url: str, new_page: NewPage, js_errors: list[str]) -> None:
    page, guard = phone(new_page)
    page.goto(phone_url)
    wait_for_app(page)
    bar = page.get_by_test_id("stSidebar")
    expect(bar).to_have_attribute("data-collapsed", "true")  # a phone opens on the page
    for name, title in (("Rankings", "Rankings"), ("Per capita", "Per capita")):
        open_sidebar(page)
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True).click()
        expect(page.locator("h1").first).to_have_text(title, timeout=120_000)
        wait_for_app(page)
        # Today it stays open over the page just chosen (Streamlit closes it only for a phone's user agent).
        expect(bar).to_have_attribute("data-collapsed", "true", timeout=10_000)
    save_screenshot(page, "phone-after-choosing-a-page", full_page=False)

    # A filter is not a page: the sidebar stays open for the next one.
    open_sidebar(page)
    bar.get_by_text("Local authorities", exact=True).click()
    expect(page.get_by_test_id("stStatusWidgetRunningIcon")).to_have_count(0, timeout=120_000)
    wait_for_app(page)
    expect(bar).to_have_attribute("data-collapsed", "false")
    assert guard.third_party() == [], guard.report()
    assert js_errors == []


def test_per_capita_bars_carry_whole_names_on_a_phone(phone_url: str, new_page: NewPage) -> None:
    page, _ = phone(new_page)
    page.goto(f"{phone_url}/per_capita?dataset={RESEARCHER}")
    wait_for_app(page)
    chart = page.get_by_test_id("stVegaLiteChart").first
    chart.scroll_into_view_if_needed()
    labels_locator = chart.locator("g.role-axis-label text")
    expect(labels_locator.first).to_be_attached(timeout=60_000)
    # Vega attaches the label elements before it writes their text (a loaded machine has caught them empty),
    # so wait for the names themselves.
    expect(chart.locator("g.role-axis-label", has_text="Kingston upon Hull")).to_have_count(1, timeout=60_000)
    # A wrapped label is one <text> with a <tspan> per line.
    labels = labels_locator.evaluate_all(
        "els => els.map(e => { const lines = [...e.querySelectorAll('tspan')].map(t => t.textContent);"
        " return lines.length ? lines.join(' ') : e.textContent; })"
    )
    names = [label for label in labels if not label.replace(".", "").replace(",", "").isdigit()]
    assert "Kingston upon Hull, City of" in names, names  # today: "Kingston upon H…"
    assert "Bournemouth, Christchurch and Poole" in names, names  # on two lines
    assert not any("…" in name for name in names), names
    assert len(names) == 10, names  # none dropped for touching its neighbour
    box = chart.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE[0]
    save_screenshot(page, "phone-per-capita-bars", full_page=False)
