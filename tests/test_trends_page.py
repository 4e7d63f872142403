"""AppTest: the Trends page, with the shipped data alone (how to build a record) and with four monthly scans.

The scans (trend_scans) are written once per module into a folder ``CAMERA_ATLAS_DATASETS_DIR``
names; expected figures come from the fixture's own counts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hostile import CORPUS, assert_nothing_ran, new_token, payloads
from streamlit.testing.v1 import AppTest
from trend_scans import COUNTS, MONTHS, folder_name, retitle, write_monthly_scans

from geo.core.markup import md_escape

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGE = "pages/trends.py"
DATASETS_ENV = "CAMERA_ATLAS_DATASETS_DIR"
pytestmark = pytest.mark.usefixtures("app_navigation")


@pytest.fixture(scope="module")
def scans_dir(tmp_path_factory: pytest.TempPathFactory, resolver) -> Path:
    folder = tmp_path_factory.mktemp("trends-page-scans")
    write_monthly_scans(folder, resolver)
    return folder


@pytest.fixture
def with_scans(scans_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(DATASETS_ENV, str(scans_dir))
    return scans_dir


def run_trends(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=240)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def texts(at: AppTest, *kinds: str) -> list[str]:
    return [e.value for kind in kinds for e in at.get(kind)]


def national(vendor: str, month: int) -> int:
    vendors = ("hikvision", "dahua") if vendor == "all" else (vendor,)
    return sum(COUNTS[v][month][0] for v in vendors)


def test_with_the_shipped_data_alone_the_page_says_how_to_build_a_record(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DATASETS_ENV, raising=False)
    at = run_trends()
    assert at.title[0].value == "Change over time"
    info = " ".join(texts(at, "info"))
    assert "python -m geo scan shodan --into data/scans" in info  # the cron line
    assert "0 6 1 * *" in info
    assert "Data page" in info and "saved zips" in info
    assert not at.get("vega_lite_chart") and not at.dataframe and not at.get("select_slider")  # no empty chart
    assert any(c.startswith("Dated datasets found (1): TOP10VPN") for c in texts(at, "caption"))


def test_four_monthly_scans_give_the_line_the_maps_and_the_movers(with_scans: Path) -> None:
    scan_id = folder_name(MONTHS[-1])
    at = run_trends(dataset=scan_id, vendor="hikvision")
    first, last = national("hikvision", 0), national("hikvision", 3)
    title = at.title[0].value.replace("\\", "")  # the finding, Markdown-escaped
    assert "Hikvision" in title and ("rose" if last > first else "fell") in title and "September" in title
    assert len(title.split()) <= 10
    headline = at.markdown[0].value
    assert headline.startswith("**Hikvision, camera networks nationally")
    assert f"{first:,}" in headline and f"{last:,}" in headline and "counted 1 Dec 2026" in headline

    chart = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    colour = chart["layer"][0]["encoding"]["color"]["scale"]["domain"]
    assert colour == ["Hikvision + Dahua", "Hikvision", "Dahua"]  # one line per vendor, whatever the sidebar's

    date = at.select_slider(key="trends_date")
    assert date.value == scan_id  # the latest count first
    assert any("counted 1 December 2026" in c for c in texts(at, "caption"))
    date.set_value(folder_name(MONTHS[0])).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("counted 1 September 2026" in c for c in texts(at, "caption"))

    span = at.select_slider(key="trends_span")
    assert span.value == (folder_name(MONTHS[0]), scan_id)  # the last unbroken run
    assert any("→" in m and "counted 1 Dec 2026" in m for m in texts(at, "markdown"))

    movers = at.dataframe[0].value.set_index("name")
    london = [COUNTS["hikvision"][m][1]["London"] for m in range(4)]
    assert list(movers.loc["Greater London", "trend"]) == london
    assert movers.loc["Greater London", "change"] == london[3] - london[0]
    assert "Glasgow City" not in movers.index  # out of the top 5 at the end: unknown, not a fall to zero
    notes = " ".join(texts(at, "markdown"))
    assert "Glasgow City" in notes and "not in that count" in notes and "unknown, not zero" in notes
    assert "TOP10VPN" in notes and "left out of this series" in notes
    assert "Download the series (CSV)" in [b.label for b in at.get("download_button")]


def test_a_break_between_two_dates_is_said(with_scans: Path) -> None:
    at = run_trends(dataset=folder_name(MONTHS[-1]))  # both vendors: TOP10VPN is in the series, before a break
    # The national line shows the scans; TOP10VPN (another method) is named, and drawn on request.
    assert any("Not drawn (made another way): TOP10VPN" in c for c in texts(at, "caption"))
    at.toggle(key="trends_earlier").set_value(True).run()
    assert not any("Not drawn (made another way)" in c for c in texts(at, "caption"))
    span = at.select_slider(key="trends_span")
    span.set_value(("top10vpn-2021", folder_name(MONTHS[-1]))).run()
    assert not at.exception, [e.value for e in at.exception]
    warning = " ".join(texts(at, "warning"))
    assert "not counted the same way" in warning and "not joined" in warning


def test_every_level_and_metric_draws(with_scans: Path) -> None:
    for level, metric in (("lad", "per_1k"), ("region", "per_km2")):
        at = run_trends(dataset=folder_name(MONTHS[-1]), vendor="dahua", level=level, metric=metric)
        assert at.dataframe, (level, metric)
        assert at.select_slider(key="trends_date").value == folder_name(MONTHS[-1])


def test_hostile_dataset_titles_and_sources_are_shown_not_run(
    scans_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = new_token()
    texts_ = [CORPUS["markdown"], CORPUS["html"], *payloads(token).values()]
    hostile_dir = tmp_path / "hostile"
    hostile_dir.mkdir()
    for i, day in enumerate(MONTHS):
        source = scans_dir / folder_name(day)
        target = hostile_dir / f"hostile-{folder_name(day)}"
        target.mkdir()
        for name in ("observations.csv", "datapackage.json"):
            (target / name).write_bytes((source / name).read_bytes())
        retitle(target, texts_[i % len(texts_)], texts_[(i + 1) % len(texts_)])
    monkeypatch.setenv(DATASETS_ENV, str(hostile_dir))
    monkeypatch.chdir(tmp_path)
    at = run_trends(dataset=f"hostile-{folder_name(MONTHS[-1])}")
    at.select_slider(key="trends_date").set_value(f"hostile-{folder_name(MONTHS[0])}").run()  # the Markdown title
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join(texts(at, "title", "caption", "markdown", "info", "warning"))
    assert "[link](https://evil.example/a)" not in shown and "<script>" not in shown  # never raw Markdown or HTML
    assert md_escape(CORPUS["markdown"]) in shown  # the title, shown as written
    assert md_escape(CORPUS["html"]) in shown  # a source, in the headline
    assert_nothing_ran(token, tmp_path)


def test_the_chart_to_take_away_carries_the_finding_and_its_alt_text(with_scans: Path) -> None:
    at = run_trends(dataset=folder_name(MONTHS[-1]), vendor="hikvision")
    finding = at.title[0].value.replace("\\", "")
    title = next(t for t in at.text_input if t.label == "Title")
    assert title.value == finding  # the page's finding is the chart's default title
    at.radio(key="trend_format").set_value("svg").run()
    at.button(key="trend_create").click().run()
    assert not at.exception and not at.error, [e.value for e in (*at.exception, *at.error)]
    assert "Download SVG" in [b.label for b in at.get("download_button")]
    assert any(m.startswith("**Alt text**") and "Hikvision" in m for m in texts(at, "markdown"))
    at.radio(key="trend_drawn").set_value("areas").run()  # the top areas side by side: their own finding
    assert next(t for t in at.text_input if t.label == "Title").value != finding
